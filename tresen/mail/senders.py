"""Who a mail is from, as far as Tresen will believe it: own addresses, participants."""

from __future__ import annotations

import re

from django.conf import settings

from tresen.accounts.models import Group, User, normalise_email
from tresen.core.snapshot import in_snapshot, remembered
from tresen.tickets import access
from tresen.tickets.models import Ticket

_TOKEN_SUFFIX = re.compile(r"\+t[0-9]+-[a-z2-7]+@", re.IGNORECASE)


def is_own_address(address: str) -> bool:
    """Tresen's own addresses: group senders, DEFAULT_FROM_EMAIL, mailbox addresses, and the
    signed reply addresses made from any of them. They never become customers."""
    from tresen.mail.models import Mailbox

    plain = normalise_email(_TOKEN_SUFFIX.sub("@", address or ""))
    if not plain:
        return False
    if plain in (
        normalise_email(settings.DEFAULT_FROM_EMAIL),
        normalise_email(getattr(settings, "SERVER_EMAIL", "")),
    ):
        return True
    if in_snapshot():  # a batch of mail: every address of every group and mailbox, once
        return plain in remembered("mail.own_addresses", _all_own_addresses)
    # Group senders and mailbox addresses in one query: every mail asks this for its sender.
    groups = Group.objects.filter(email__iexact=plain).values_list("pk")
    mailboxes = Mailbox.objects.filter(address__iexact=plain).values_list("pk")
    return groups.union(mailboxes, all=True).exists()


def _all_own_addresses() -> frozenset[str]:
    from tresen.mail.models import Mailbox

    groups = Group.objects.exclude(email="").values_list("email", flat=True)
    mailboxes = Mailbox.objects.exclude(address="").values_list("address", flat=True)
    return frozenset(normalise_email(a) for a in [*groups, *mailboxes])


def is_participant(person: User, ticket: Ticket) -> bool:
    """May this person's mail count as a reply on the ticket (requester, CC, agents on it)?"""
    if person.pk == ticket.requester_id:
        return True
    if ticket.cc_participants.filter(pk=person.pk).exists():
        return True
    if person.is_agent:
        return access.can_see_ticket(person, ticket)
    return access.can_reply_as_customer(person, ticket)

"""Reads for the portal: a customer's requests and the public side of one request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from tresen.accounts.models import User
from tresen.feedback.models import Rating
from tresen.tickets.access import visible_articles, visible_tickets
from tresen.tickets.models import Article, Attachment, CustomField, Ticket
from tresen.tickets.states import ACTIVE_STATES, DONE_STATES, State

PAGE_SIZE = 25


@dataclass(frozen=True)
class RequestFilter:
    status: str = "open"  # open, solved, all
    scope: str = "mine"  # mine, organisation
    query: str = ""


def organisation_shares(user: User) -> bool:
    return user.organisation is not None and user.organisation.shared_tickets


def list_requests(user: User, wanted: RequestFilter) -> QuerySet[Ticket]:
    """The customer's requests (or, where the organisation shares them, the organisation's)."""
    qs = visible_tickets(user)
    if wanted.scope != "organisation" or not organisation_shares(user):
        cc_ids = Ticket.cc_participants.through.objects.filter(user=user).values("ticket_id")
        qs = qs.filter(Q(requester=user) | Q(pk__in=cc_ids))
    if wanted.status == "open":
        qs = qs.filter(state__in=ACTIVE_STATES)
    elif wanted.status == "solved":
        qs = qs.filter(state__in=DONE_STATES - {State.MERGED})
    if wanted.query:
        qs = qs.filter(
            Q(title__icontains=wanted.query) | Q(number__in={wanted.query, wanted.query.upper()})
        )
    return qs.select_related("requester").order_by("-updated_at", "-id")


def public_conversation(user: User, ticket: Ticket) -> list[Article]:
    """The public articles of a request with their visible attachments, oldest first."""
    files = Attachment.objects.filter(is_inline=False).select_related("blob").order_by("pk")
    return list(
        visible_articles(user, ticket)
        .filter(is_internal=False)  # the portal never shows internal articles, to anyone
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=files))
        .order_by("created_at", "id")
    )


def customer_fields(ticket: Ticket, language: str) -> list[tuple[str, Any]]:
    """(label, value) of the ticket's custom fields that are shown to customers."""
    if not ticket.custom_fields:
        return []
    shown = CustomField.objects.filter(
        Q(group_id=ticket.group_id) | Q(group__isnull=True),
        visible_to_customer=True,
        key__in=list(ticket.custom_fields),
    )
    return [(f.label(language), _shown_value(ticket.custom_fields[f.key])) for f in shown]


def _shown_value(value: Any) -> Any:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else value


def rating_of(user: User, ticket: Ticket) -> Rating | None:
    return Rating.objects.filter(ticket=ticket, customer=user).first()

"""What a parsed mail becomes: a new ticket, an article on a ticket, or a counted drop.

Called by intake inside the transaction that holds the stored message's row lock; sets the
message's state, rule, ticket and article. Every ticket write goes through the ticket services.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone

from tresen.accounts.models import User
from tresen.accounts.services import get_or_create_customer
from tresen.core.errors import ValidationError
from tresen.core.snapshot import remembered
from tresen.mail.automatic import automatic_reason
from tresen.mail.bounces import looks_like_bounce
from tresen.mail.filters import FilterOutcome, apply_filters
from tresen.mail.intake import Quarantine, default_group, limits, reopen_window
from tresen.mail.models import InboundMessage, InboundState, PostmasterFilter
from tresen.mail.parsing import ParsedMail
from tresen.mail.quoting import split_reply
from tresen.mail.senders import is_own_address, is_participant
from tresen.mail.thread_rules import ThreadMatch, find_ticket
from tresen.tickets.attachments import check_sizes, checked_content_type
from tresen.tickets.events import Actor
from tresen.tickets.models import ArticleKind, Category, Channel, LinkKind, Ticket
from tresen.tickets.services import NewFile, link_tickets, open_ticket, post_article
from tresen.tickets.states import State

MAIL = Actor.system("mail")


def route_message(message: InboundMessage, mail: ParsedMail) -> None:
    """Decide and carry out what `mail` becomes; record it on `message`."""
    if mail.from_address and is_own_address(mail.from_address):
        _finish(message, InboundState.LOOP, reason="sent from one of Tresen's own addresses")
        return
    if looks_like_bounce(mail):
        from tresen.mail.bounce_handling import handle_bounce

        handle_bounce(message, mail)
        return
    outcome = apply_filters(mail, _filters(message))
    if outcome.ignore:
        _finish(message, InboundState.IGNORED, reason=", ".join(outcome.matched), rule="filter")
        return
    automatic = automatic_reason(mail)
    match = find_ticket(mail)
    if match is not None:
        _append(message, mail, match, automatic=automatic, outcome=outcome)
    elif automatic:
        _finish(message, InboundState.AUTO_REPLY, reason=automatic)
    else:
        _open(message, mail, outcome=outcome, rule="new_ticket")


def _filters(message: InboundMessage) -> list[PostmasterFilter]:
    return remembered(("mail.filters", message.mailbox_id), lambda: _read_filters(message))


def _read_filters(message: InboundMessage) -> list[PostmasterFilter]:
    # One filter() with a Q, not two querysets combined with |: the same query for less CPU.
    scope = Q(mailbox__isnull=True)
    if message.mailbox_id:
        scope |= Q(mailbox_id=message.mailbox_id)
    return list(PostmasterFilter.objects.filter(scope, is_active=True).order_by("position", "id"))


def _finish(
    message: InboundMessage,
    state: str,
    *,
    reason: str = "",
    rule: str = "",
    ticket: Ticket | None = None,
    article: Any = None,
) -> None:
    message.state = state
    message.reason = reason
    message.rule = rule
    message.ticket = ticket
    message.article = article


def sender_of(mail: ParsedMail) -> User:
    if not mail.from_address:
        raise Quarantine("no sender address")
    try:
        # route_message has asked whether the address is one of Tresen's own; unless it
        # carried a reply-token suffix (checked without it), that was this very question.
        # The address itself is checked where a new customer is made.
        person, _created = get_or_create_customer(
            email=mail.from_address,
            name=mail.from_name,
            own_address_checked="+t" not in mail.from_address.lower(),
        )
    except ValidationError as exc:
        raise Quarantine(f"sender not accepted: {exc.message}") from exc
    return person


def mail_meta(message: InboundMessage, mail: ParsedMail, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "sha256": message.sha256,
        "automatic": False,
        "unverified_sender": False,
        **extra,
    }
    offset = split_reply(mail.text)
    if offset is not None:
        meta["quote_offset"] = offset
    if mail.defects:
        meta["defects"] = mail.defects[:20]
    return meta


def article_fields(mail: ParsedMail, meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "from_address": mail.from_address[:320],
        "to_addresses": ", ".join(mail.to),
        "cc_addresses": ", ".join(mail.cc),
        "subject": mail.subject[:500],
        "message_id": mail.message_id[:500],
        "in_reply_to": (mail.in_reply_to[0] if mail.in_reply_to else "")[:500],
        "references": " ".join(mail.references),
        "meta": {"mail": meta},
    }


def files_of(mail: ParsedMail, meta: dict[str, Any]) -> list[NewFile]:
    """The attachments the ticket accepts; refused ones are named in meta (the raw mail
    keeps them)."""
    accepted: list[NewFile] = []
    refused: list[dict[str, str]] = []
    for part in mail.attachments:
        try:
            checked_content_type(part.filename, part.content_type, part.data)
            check_sizes([len(f.data) for f in accepted] + [len(part.data)])
        except ValidationError as exc:
            refused.append({"name": part.filename, "reason": str(exc.message)})
            continue
        accepted.append(
            NewFile(
                filename=part.filename,
                data=part.data,
                content_type=part.content_type,
                content_id=part.content_id,
                inline=part.inline,
            )
        )
    if refused:
        meta["refused_attachments"] = refused
    return accepted


def _cc_people(mail: ParsedMail, requester: User) -> list[User]:
    people = []
    for address in mail.cc[: limits().max_recipients]:
        if address == requester.email or is_own_address(address):
            continue
        try:
            validate_email(address)
            person, _created = get_or_create_customer(email=address)
        except (ValidationError, DjangoValidationError):
            continue
        if person.is_customer:
            people.append(person)
    return people


def _open(
    message: InboundMessage,
    mail: ParsedMail,
    *,
    outcome: FilterOutcome,
    rule: str,
    related_to: Ticket | None = None,
) -> None:
    requester = sender_of(mail)
    group = default_group(message.mailbox)
    if outcome.group_id:
        group = type(group).objects.get(pk=outcome.group_id)
    category = (
        Category.objects.filter(pk=outcome.category_id, group=group).first()
        if outcome.category_id
        else None
    )
    meta = mail_meta(message, mail, rule=rule)
    files = files_of(mail, meta)
    if not (mail.text.strip() or mail.html or files):
        mail.text = "(empty message)"
    ticket, article = open_ticket(
        actor=MAIL,
        requester=requester,
        title=mail.subject or "(no subject)",
        group=group,
        channel=Channel.EMAIL,
        body_text=mail.text,
        body_html=mail.html,
        priority=outcome.priority or 2,
        category=category,
        tags=outcome.tags,
        cc=_cc_people(mail, requester),
        attachments=files,
        article_fields=article_fields(mail, meta),
    )
    if related_to is not None:
        link_tickets(actor=MAIL, source=ticket, target=related_to, kind=LinkKind.RELATED)
    _finish(
        message,
        InboundState.CREATED,
        rule=rule,
        ticket=ticket,
        article=article,
    )


def _too_old_to_reopen(ticket: Ticket) -> bool:
    if ticket.state != State.CLOSED:
        return False
    closed = ticket.closed_at or ticket.updated_at
    return closed < timezone.now() - reopen_window()


def _append(
    message: InboundMessage,
    mail: ParsedMail,
    match: ThreadMatch,
    *,
    automatic: str | None,
    outcome: FilterOutcome,
) -> None:
    ticket = match.ticket
    if not automatic and _too_old_to_reopen(ticket):
        _open(
            message, mail, outcome=outcome, rule=f"{match.rule}:closed_too_long", related_to=ticket
        )
        return
    person = sender_of(mail)
    verified = is_participant(person, ticket)
    meta = mail_meta(
        message, mail, rule=match.rule, automatic=bool(automatic), unverified_sender=not verified
    )
    if automatic:
        meta["automatic_reason"] = automatic
    files = files_of(mail, meta)
    if not (mail.text.strip() or mail.html or files):
        mail.text = "(empty message)"
    article = post_article(
        actor=MAIL,
        ticket=ticket,
        kind=ArticleKind.MESSAGE,
        # A stranger's mail is shown to agents only: it must not reach the requester. So is an
        # agent's: an answer to a notice quotes it (internal notes, perhaps), and what goes to
        # the customer is written in the desk, where the agent sees who receives it.
        is_internal=not verified or person.is_agent,
        channel=Channel.EMAIL,
        body_text=mail.text,
        body_html=mail.html,
        attachments=files,
        sender=person if verified else None,
        reopen=verified and not automatic,
        **article_fields(mail, meta),
    )
    state = InboundState.AUTO_REPLY if automatic else InboundState.APPENDED
    _finish(message, state, reason=automatic or "", rule=match.rule, ticket=ticket, article=article)

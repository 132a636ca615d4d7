"""Posting articles: public messages, internal notes, phone notes."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tresen.accounts.models import User
from tresen.core.errors import (
    PermissionDenied,
    ValidationError,
)
from tresen.core.html import html_to_text, sanitise_html
from tresen.core.rows import insert_row
from tresen.tickets.attachments import check_sizes, checked_content_type, store_blob
from tresen.tickets.events import Actor, as_actor, record_event
from tresen.tickets.models import (
    Article,
    ArticleKind,
    Attachment,
    Channel,
    SenderRole,
    Ticket,
)
from tresen.tickets.services._core import NewFile, _check_choice, _writing
from tresen.tickets.services.state import _change_state
from tresen.tickets.states import State


def post_article(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    kind: str = ArticleKind.MESSAGE,
    body_text: str = "",
    body_html: str = "",
    is_internal: bool = False,
    channel: str = Channel.WEB,
    attachments: Sequence[NewFile] = (),
    sender: User | None = None,
    reopen: bool = True,
    expected_version: int | None = None,
    **article_fields: Any,
) -> Article:
    """Add a public message, an internal note or a phone note to a ticket.

    `sender` is who the article is from when the system posts it (a customer's mail);
    otherwise the acting person. A customer's message reopens a waiting or solved ticket
    unless `reopen` is False (an out-of-office reply, say).
    """
    who = as_actor(actor)
    customer = who.user is not None and who.user.is_customer
    with _writing(ticket, who, expected_version=expected_version, customer_ok=True) as locked:
        # Checked after access, so that a ticket the customer cannot see still answers 404.
        if customer and (kind != ArticleKind.MESSAGE or is_internal):
            raise PermissionDenied(_("Customers write public messages only."))
        if customer and sender is not None and sender.pk != who.user.pk:  # type: ignore[union-attr]
            raise PermissionDenied(_("Customers write in their own name only."))
        article = _add_article(
            locked,
            who,
            kind=kind,
            is_internal=is_internal or kind == ArticleKind.NOTE,
            channel=channel,
            body_text=body_text,
            body_html=body_html,
            attachments=attachments,
            sender=sender or who.user,
            reopen=reopen,
            **article_fields,
        )
    return article


def _add_article(
    ticket: Ticket,
    actor: Actor,
    *,
    kind: str,
    is_internal: bool,
    channel: str,
    body_text: str,
    body_html: str,
    attachments: Sequence[NewFile],
    sender: User | None,
    reopen: bool,
    **article_fields: Any,
) -> Article:
    _check_choice(kind, ArticleKind.values)
    clean_html = sanitise_html(body_html) if body_html else ""
    text = body_text or html_to_text(clean_html)
    if not text.strip() and not attachments:
        raise ValidationError(_("The message is empty."))
    check_sizes([len(f.data) for f in attachments])
    files = [(f, checked_content_type(f.filename, f.content_type, f.data)) for f in attachments]
    if sender is None:
        role = SenderRole.SYSTEM
    elif sender.is_agent:
        role = SenderRole.AGENT
    else:
        role = SenderRole.CUSTOMER
    now = timezone.now()
    article = insert_row(
        Article(
            ticket=ticket,
            kind=kind,
            is_internal=is_internal,
            channel=channel,
            sender_role=role,
            author=sender,
            from_address=article_fields.pop("from_address", sender.email if sender else ""),
            body_text=text,
            body_html=clean_html,
            created_at=now,
            **article_fields,
        )
    )
    for new_file, content_type in files:
        insert_row(
            Attachment(
                article=article,
                blob=store_blob(new_file.data, content_type),
                filename=_safe_filename(new_file.filename),
                content_type=content_type,
                content_id=new_file.content_id.strip("<>")[:255],
                is_inline=new_file.inline,
            )
        )
    record_event(
        ticket,
        "article.created",
        actor,
        {"kind": kind, "internal": is_internal, "sender_role": role},
        article=article,
    )
    _after_article(ticket, actor, role=role, public=not is_internal, reopen=reopen, now=now)
    return article


def _after_article(
    ticket: Ticket, actor: Actor, *, role: str, public: bool, reopen: bool, now: datetime.datetime
) -> None:
    if role == SenderRole.AGENT and public:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        ticket.last_agent_contact_at = now
        if ticket.state == State.NEW:
            _change_state(ticket, actor, State.OPEN, None)
    elif role == SenderRole.CUSTOMER:
        ticket.last_customer_contact_at = now
        if reopen and ticket.state in (
            State.PENDING_REMINDER,
            State.PENDING_CLOSE,
            State.RESOLVED,
            State.CLOSED,
        ):
            _change_state(ticket, actor, State.OPEN, None)


def _safe_filename(name: str) -> str:
    cleaned = "".join(ch for ch in (name or "") if ch.isprintable() and ch not in '/\\:*?"<>|')
    cleaned = cleaned.strip(" .") or "attachment"
    return cleaned[-255:]

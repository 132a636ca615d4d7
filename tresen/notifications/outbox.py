"""The outbox: the one way mail leaves Tresen.

`queue_mail` stores a rendered mail with its final headers and a Message-ID fixed at that
moment; sending starts only after the surrounding transaction commits, so a rolled-back write
sends nothing. Sending itself lives in `delivery.py`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tresen.core.errors import ValidationError
from tresen.mail.senders import is_own_address
from tresen.notifications import composition
from tresen.notifications.models import (
    OutboundAttachment,
    OutboundMail,
    OutboundRecipient,
    OutboundStatus,
    RecipientState,
)
from tresen.tickets.attachments import store_blob

if TYPE_CHECKING:
    from tresen.tickets.models import Article, Attachment, Ticket

logger = logging.getLogger(__name__)

AUTO_REPLIED = "auto-replied"
AUTO_GENERATED = "auto-generated"


def subject_tag(ticket: Ticket) -> str:
    """Return the tag that marks a ticket's mail, e.g. `T10023` (shown as `[T10023]`)."""
    return f"{getattr(settings, 'TRESEN_MAIL_TAG_PREFIX', '')}{ticket.number}"


def sender_address(ticket: Ticket | None) -> str:
    """Return the From value: the ticket group's address and name, else the default sender."""
    group = ticket.group if ticket is not None else None
    if group is not None and group.email:
        return composition.named_address(group.sender_name or group.name, group.email)
    return composition.named_address(
        getattr(settings, "TRESEN_MAIL_SENDER_NAME", "Tresen"), settings.DEFAULT_FROM_EMAIL
    )


def reply_address(ticket: Ticket) -> str:
    """Return the signed reply address of a ticket (empty until mail intake provides it)."""
    try:
        from tresen.mail.reply_tokens import make_reply_address
    except ImportError:
        return ""
    base = ticket.group.email or settings.DEFAULT_FROM_EMAIL
    return make_reply_address(ticket.pk, composition.mailbox(base))


def previous_message_ids(ticket: Ticket, article: Article | None = None) -> list[str]:
    """Return the Message-IDs of the ticket's public messages up to `article`, oldest first."""
    articles = ticket.articles.filter(is_internal=False).exclude(message_id="")
    if article is not None and article.pk:
        articles = articles.filter(created_at__lte=article.created_at).exclude(
            created_at=article.created_at, id__gt=article.pk
        )
    return list(articles.order_by("created_at", "id").values_list("message_id", flat=True))


def auto_replies_allowed(address: str, *, now: datetime.datetime | None = None) -> bool:
    """Whether another automatic answer may go to `address` within the hourly limit."""
    now = now or timezone.now()
    limit = int(getattr(settings, "TRESEN_AUTO_REPLY_LIMIT_PER_HOUR", 5))
    recent = OutboundRecipient.objects.filter(
        address=composition.mailbox(address),
        automatic=True,
        created_at__gt=now - datetime.timedelta(hours=1),
    ).exclude(mail__status=OutboundStatus.SUPPRESSED)
    return recent.count() < limit


def _recipients(to: Iterable[str]) -> list[str]:
    found: list[str] = []
    for raw in to:
        try:
            address = composition.mailbox(raw)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        # Mail to ourselves would come back in as a new request: a loop.
        if address not in found and not is_own_address(address):
            found.append(address)
    return found


def _headers(
    *,
    ticket: Ticket | None,
    article: Article | None,
    automatic: bool,
    extra: dict[str, str] | None,
) -> dict[str, str]:
    headers: dict[str, str] = {}
    if ticket is not None:
        headers.update(composition.thread_headers(previous_message_ids(ticket, article)))
    if automatic:
        answers_customer = article is not None and article.sender_role == "customer"
        headers["Auto-Submitted"] = AUTO_REPLIED if answers_customer else AUTO_GENERATED
        # Asks Exchange and friends not to answer with out-of-office replies of their own.
        headers["X-Auto-Response-Suppress"] = "All"
    for name, value in (extra or {}).items():
        try:
            headers[composition.header_name(name)] = composition.header_text(value, limit=2000)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    return headers


def queue_mail(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    language: str,
    ticket: Ticket | None = None,
    article: Article | None = None,
    automatic: bool = False,
    reply_to: str = "",
    from_address: str = "",
    headers: dict[str, str] | None = None,
    attachments: Sequence[Attachment | composition.FilePart] = (),
    origin: str = "",
) -> OutboundMail:
    """Store a rendered mail in the outbox; it is sent once the transaction commits.

    Tresen's own addresses are dropped from `to`. Automatic answers (`Auto-Submitted:
    auto-replied`) beyond the hourly limit per address are stored as suppressed, not sent.
    A mail with an `origin` that was queued before is not queued again: the earlier one is
    returned.
    """
    if origin and (earlier := OutboundMail.objects.filter(origin=origin).first()):
        return earlier
    recipients = _recipients(to)
    if not recipients:
        raise ValidationError(_("The mail has no recipient outside Tresen's own addresses."))
    all_headers = _headers(ticket=ticket, article=article, automatic=automatic, extra=headers)
    is_auto_reply = all_headers.get("Auto-Submitted") == AUTO_REPLIED
    with transaction.atomic():
        allowed = [a for a in recipients if auto_replies_allowed(a)] if is_auto_reply else []
        suppressed = is_auto_reply and not allowed
        recipients = allowed or recipients
        mail = OutboundMail.objects.create(
            message_id=composition.new_message_id(_own_domain(ticket)),
            from_address=_checked_from(from_address) or sender_address(ticket),
            reply_to=_checked_from(reply_to) or (reply_address(ticket) if ticket else ""),
            to=recipients,
            subject=composition.tagged_subject(subject, subject_tag(ticket) if ticket else ""),
            text=text,
            html=html,
            language=composition.header_text(language, limit=8),
            headers=all_headers,
            automatic=automatic,
            origin=origin[:200],
            status=OutboundStatus.SUPPRESSED if suppressed else OutboundStatus.QUEUED,
            last_error="automatic reply rate limit reached" if suppressed else "",
            ticket=ticket,
            article=article,
        )
        OutboundRecipient.objects.bulk_create(
            OutboundRecipient(mail=mail, address=a, automatic=is_auto_reply) for a in recipients
        )
        _store_attachments(mail, attachments)
        if not suppressed:
            transaction.on_commit(lambda: _enqueue(mail.pk))
    return mail


def requeue_mail(*, mail_id: int) -> OutboundMail:
    """Send a failed or suppressed mail again from now on, with the same Message-ID.

    It goes to the addresses the server refused; never again to those that got it.
    """
    with transaction.atomic():
        mail = OutboundMail.objects.select_for_update().get(pk=mail_id)
        if mail.status in (OutboundStatus.FAILED, OutboundStatus.SUPPRESSED):
            mail.recipients.filter(state=RecipientState.REFUSED).update(
                state=RecipientState.PENDING
            )
            mail.status = OutboundStatus.QUEUED
            mail.attempts = 0
            mail.next_attempt_at = timezone.now()
            mail.last_error = ""
            mail.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
            transaction.on_commit(lambda: _enqueue(mail.pk))
    return mail


def _checked_from(value: str) -> str:
    if not value:
        return ""
    try:
        composition.mailbox(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    return composition.header_text(value, limit=400)


def _own_domain(ticket: Ticket | None) -> str:
    address = ticket.group.email if ticket is not None and ticket.group.email else ""
    return (address or settings.DEFAULT_FROM_EMAIL).rpartition("@")[2]


def _store_attachments(
    mail: OutboundMail, attachments: Sequence[Attachment | composition.FilePart]
) -> None:
    rows: list[OutboundAttachment] = []
    for item in attachments:
        if isinstance(item, composition.FilePart):
            blob = store_blob(item.data, item.content_type)
            rows.append(
                OutboundAttachment(
                    mail=mail,
                    blob=blob,
                    filename=composition.header_text(item.filename, limit=255),
                    content_type=item.content_type,
                    content_id=item.content_id[:255],
                )
            )
        else:
            rows.append(
                OutboundAttachment(
                    mail=mail,
                    blob_id=item.blob_id,
                    filename=item.filename,
                    content_type=item.content_type,
                    content_id=item.content_id if item.is_inline else "",
                )
            )
    OutboundAttachment.objects.bulk_create(rows)


def _enqueue(mail_id: int) -> None:
    from tresen.notifications.tasks import send_mail_task

    try:
        send_mail_task(mail_id)
    except Exception:  # the queue is down: the periodic sweep sends what it lost
        logger.exception("mail %s: could not enqueue", mail_id)

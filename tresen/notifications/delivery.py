"""Sending what the outbox holds: claim a due row, hand it to the mailer, record the outcome.

A row is claimed by one conditional UPDATE that moves its next attempt into the future (a
lease), so the task and the periodic sweep never send the same mail at the same time; a worker
that dies mid-send leaves the row queued, and the sweep sends it again once the lease ran out.
That makes delivery at-least-once, always with the row's one Message-ID.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.policy import Policy

from django.conf import settings
from django.core.mail import mailers
from django.db.models import F
from django.utils import timezone

from tresen.notifications import composition
from tresen.notifications.models import OutboundMail, OutboundStatus

logger = logging.getLogger(__name__)


def max_attempts() -> int:
    return int(getattr(settings, "TRESEN_MAIL_MAX_ATTEMPTS", 10))


def retry_delay(attempts: int) -> datetime.timedelta:
    """Return the wait after `attempts` failed tries: doubling from the base, capped."""
    base = float(getattr(settings, "TRESEN_MAIL_RETRY_BASE_SECONDS", 60))
    cap = float(getattr(settings, "TRESEN_MAIL_RETRY_MAX_SECONDS", 3600))
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "TRESEN_MAIL_LEASE_SECONDS", 300)))


@dataclass
class _Outgoing:
    """What Django's mail backends expect of a message, around one built by `email`."""

    mail: OutboundMail
    from_email: str

    def recipients(self) -> list[str]:
        return list(self.mail.to)

    def message(self, policy: Policy = email_policy.default) -> EmailMessage:
        return message_for(self.mail, policy=policy)


def message_for(mail: OutboundMail, *, policy: Policy = email_policy.default) -> EmailMessage:
    """Return the mail as a message, the same bytes on every attempt but for the transport."""
    files = [
        composition.FilePart(a.filename, a.content_type, _read(a.blob.file), a.content_id)
        for a in mail.attachments.select_related("blob")
    ]
    return composition.build_message(
        message_id=mail.message_id,
        from_address=mail.from_address,
        to=mail.to,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        reply_to=mail.reply_to,
        language=mail.language,
        headers=mail.headers,
        date=mail.created_at,
        attachments=files,
        policy=policy,
    )


def _read(field: object) -> bytes:
    with field.open("rb") as handle:  # type: ignore[attr-defined]
        return bytes(handle.read())


class PermanentFailure(Exception):
    """The mail server refused for good (5xx): trying again would change nothing."""


def is_permanent(exc: BaseException) -> bool:
    """5xx answers and mail that cannot be built are permanent; everything else may pass.

    A refused login is not: it is our configuration, and the mail must wait until it is fixed.
    """
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return isinstance(exc, (ValueError, TypeError, UnicodeError))


def claim(mail_id: int, now: datetime.datetime) -> OutboundMail | None:
    """Take the mail for one attempt if it is queued and due; None if not (or taken)."""
    taken = OutboundMail.objects.filter(
        pk=mail_id, status=OutboundStatus.QUEUED, next_attempt_at__lte=now
    ).update(next_attempt_at=now + lease(), attempts=F("attempts") + 1)
    if not taken:
        return None
    return OutboundMail.objects.select_related("ticket").get(pk=mail_id)


def transmit(mail: OutboundMail) -> None:
    """Hand the mail to the configured mailer (SMTP in production)."""
    envelope_from = composition.mailbox(mail.from_address)
    connection = mailers.default
    sent = connection.send_messages([_Outgoing(mail, envelope_from)])  # type: ignore[list-item]
    if sent == 0:
        raise smtplib.SMTPException("the mailer accepted nothing")


def deliver(mail_id: int, *, now: datetime.datetime | None = None) -> str | None:
    """Make one attempt to send a queued, due mail; return its status afterwards."""
    now = now or timezone.now()
    mail = claim(mail_id, now)
    if mail is None:
        return None
    try:
        transmit(mail)
    except Exception as exc:  # any failure is recorded on the row, none is lost
        return _failed(mail, exc, now)
    OutboundMail.objects.filter(pk=mail.pk).update(
        status=OutboundStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return OutboundStatus.SENT


def _failed(mail: OutboundMail, exc: BaseException, now: datetime.datetime) -> str:
    error = composition.header_text(f"{type(exc).__name__}: {exc}", limit=2000)
    if is_permanent(exc) or mail.attempts >= max_attempts():
        OutboundMail.objects.filter(pk=mail.pk).update(
            status=OutboundStatus.FAILED, last_error=error
        )
        logger.warning("mail %s failed for good: %s", mail.message_id, error)
        _record_failure(mail, error)
        return OutboundStatus.FAILED
    retry_at = now + retry_delay(mail.attempts)
    OutboundMail.objects.filter(pk=mail.pk).update(next_attempt_at=retry_at, last_error=error)
    logger.info("mail %s: attempt %s failed (%s)", mail.message_id, mail.attempts, error)
    _schedule(mail.pk, retry_at)
    return OutboundStatus.QUEUED


def _record_failure(mail: OutboundMail, error: str) -> None:
    if mail.ticket is None:
        return
    from tresen.tickets.events import Actor, record_event

    record_event(
        mail.ticket,
        "mail.delivery_failed",
        Actor.system("mail"),
        {"message_id": mail.message_id, "to": mail.to, "error": error, "attempts": mail.attempts},
        article=mail.article,
    )


def _schedule(mail_id: int, when: datetime.datetime) -> None:
    from tresen.notifications.tasks import send_mail_task

    try:
        send_mail_task.schedule((mail_id,), eta=when)
    except Exception:  # the queue is down: the periodic sweep picks the row up
        logger.exception("mail %s: could not schedule the retry", mail_id)


def deliver_due(*, now: datetime.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Attempt every queued mail whose time has come (the safety net for lost tasks)."""
    now = now or timezone.now()
    due = OutboundMail.objects.filter(
        status=OutboundStatus.QUEUED, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "id")
    outcome: dict[str, int] = {}
    for mail_id in list(due.values_list("id", flat=True)[:limit]):
        status = deliver(mail_id, now=now)
        if status:
            outcome[status] = outcome.get(status, 0) + 1
    return outcome

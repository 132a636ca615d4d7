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
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db.models import F
from django.utils import timezone

from tresen.notifications import composition
from tresen.notifications.models import OutboundMail, OutboundStatus, RecipientState

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
    to: list[str]

    def recipients(self) -> list[str]:
        return list(self.to)

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
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return isinstance(exc, (ValueError, TypeError, UnicodeError))


@dataclass(frozen=True)
class Refusal:
    """Why one address did not get the mail on this attempt."""

    code: int | None
    reply: str
    permanent: bool

    @classmethod
    def of_reply(cls, code: int, reply: bytes | str) -> Refusal:
        return cls(code, _reply_text(reply), 500 <= code < 600)

    @classmethod
    def of_exception(cls, exc: BaseException) -> Refusal:
        if isinstance(exc, smtplib.SMTPResponseException):
            return cls(exc.smtp_code, _reply_text(exc.smtp_error), is_permanent(exc))
        return cls(None, _reply_text(f"{type(exc).__name__}: {exc}"), is_permanent(exc))

    def __str__(self) -> str:
        return f"{self.code} {self.reply}" if self.code else self.reply


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:1000]


def claim(mail_id: int, now: datetime.datetime) -> OutboundMail | None:
    """Take the mail for one attempt if it is queued and due; None if not (or taken)."""
    taken = OutboundMail.objects.filter(
        pk=mail_id, status=OutboundStatus.QUEUED, next_attempt_at__lte=now
    ).update(next_attempt_at=now + lease(), attempts=F("attempts") + 1)
    if not taken:
        return None
    return OutboundMail.objects.select_related("ticket").get(pk=mail_id)


def transmit(mail: OutboundMail, addresses: list[str]) -> dict[str, tuple[int, bytes]]:
    """Hand the mail to the configured mailer for `addresses`; return those it refused.

    Django's SMTP backend drops the refusals when the server takes some recipients and not
    others, so SMTP is spoken here on the backend's connection, with the same settings.
    """
    envelope_from = composition.mailbox(mail.from_address)
    backend = mailers.default
    if isinstance(backend, SmtpBackend):
        return _send_smtp(backend, mail, envelope_from, addresses)
    sent = backend.send_messages([_Outgoing(mail, envelope_from, addresses)])  # type: ignore[list-item]
    if sent == 0:
        raise smtplib.SMTPException("the mailer accepted nothing")
    return {}


def _send_smtp(
    backend: SmtpBackend, mail: OutboundMail, envelope_from: str, addresses: list[str]
) -> dict[str, tuple[int, bytes]]:
    envelope = {backend.prep_address(a): a for a in addresses}
    data = message_for(mail, policy=email_policy.SMTP).as_bytes()
    opened = backend.open()
    try:
        if backend.connection is None:
            raise smtplib.SMTPServerDisconnected("no connection to the mail server")
        refused = backend.connection.sendmail(
            backend.prep_address(envelope_from), list(envelope), data
        )
    except smtplib.SMTPRecipientsRefused as exc:
        # Nobody got it. A 421 ends the transaction early: the addresses not yet tried share it.
        refused = dict(exc.recipients)
        last = list(refused.values())[-1]
        refused = {rcpt: refused.get(rcpt, last) for rcpt in envelope}
    finally:
        if opened:
            backend.close()
    return {envelope[rcpt]: answer for rcpt, answer in refused.items()}


def deliver(mail_id: int, *, now: datetime.datetime | None = None) -> str | None:
    """Make one attempt to send a queued, due mail to its pending recipients; return its status
    afterwards."""
    now = now or timezone.now()
    mail = claim(mail_id, now)
    if mail is None:
        return None
    pending = _pending(mail)
    try:
        answers = transmit(mail, pending) if pending else {}
        refusals = {a: Refusal.of_reply(code, reply) for a, (code, reply) in answers.items()}
        error = "; ".join(f"{a}: {r}" for a, r in refusals.items())
        error = composition.header_text(f"refused: {error}", limit=2000) if error else ""
    except Exception as exc:  # any failure is recorded on the row, none is lost
        refusal = Refusal.of_exception(exc)
        refusals = dict.fromkeys(pending, refusal)
        error = composition.header_text(f"{type(exc).__name__}: {exc}", limit=2000)
    return _settle(mail, pending, refusals, error, now)


def _pending(mail: OutboundMail) -> list[str]:
    waiting = set(
        mail.recipients.filter(state=RecipientState.PENDING).values_list("address", flat=True)
    )
    return [address for address in mail.to if address in waiting]


def _settle(
    mail: OutboundMail,
    pending: list[str],
    refusals: dict[str, Refusal],
    error: str,
    now: datetime.datetime,
) -> str:
    """Record the attempt per recipient; retry the temporarily refused ones, or finish."""
    last_try = mail.attempts >= max_attempts()
    failed = {a: r for a, r in refusals.items() if r.permanent or last_try}
    deferred = {a: r for a, r in refusals.items() if a not in failed}
    _record_answers(mail, [a for a in pending if a not in refusals], refusals, failed)
    if deferred:
        retry_at = now + retry_delay(mail.attempts)
        OutboundMail.objects.filter(pk=mail.pk).update(next_attempt_at=retry_at, last_error=error)
        logger.info("mail %s: attempt %s failed (%s)", mail.message_id, mail.attempts, error)
        _schedule(mail.pk, retry_at)
        _record_failure(mail, failed, error)
        return OutboundStatus.QUEUED
    outcome = set(mail.recipients.values_list("state", flat=True))
    status = OutboundStatus.SENT if RecipientState.ACCEPTED in outcome else OutboundStatus.FAILED
    if not error and RecipientState.REFUSED in outcome:
        error = _earlier_refusals(mail)
    OutboundMail.objects.filter(pk=mail.pk).update(status=status, last_error=error)
    if failed:
        logger.warning("mail %s failed for good: %s", mail.message_id, error)
    _record_failure(mail, failed, error)
    return status


def _earlier_refusals(mail: OutboundMail) -> str:
    rows = mail.recipients.filter(state=RecipientState.REFUSED).order_by("pk")
    text = "; ".join(f"{r.address}: {r.smtp_code or ''} {r.smtp_reply}" for r in rows)
    return composition.header_text(f"refused: {text}", limit=2000)


def _record_answers(
    mail: OutboundMail,
    accepted: list[str],
    refusals: dict[str, Refusal],
    failed: dict[str, Refusal],
) -> None:
    rows = mail.recipients.all()
    if accepted:
        rows.filter(address__in=accepted).update(
            state=RecipientState.ACCEPTED, smtp_code=None, smtp_reply=""
        )
        # The time the mail first reached someone.
        OutboundMail.objects.filter(pk=mail.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    for address, refusal in refusals.items():
        state = RecipientState.REFUSED if address in failed else RecipientState.PENDING
        rows.filter(address=address).update(
            state=state, smtp_code=refusal.code, smtp_reply=refusal.reply
        )


def _record_failure(mail: OutboundMail, failed: dict[str, Refusal], error: str) -> None:
    """Put the addresses the mail will not reach, and why, on the ticket's timeline."""
    if mail.ticket is None or not failed:
        return
    from tresen.tickets.events import Actor, record_event

    refused = [{"address": a, "code": r.code, "reply": r.reply} for a, r in failed.items()]
    record_event(
        mail.ticket,
        "mail.delivery_failed",
        Actor.system("mail"),
        {
            "message_id": mail.message_id,
            "to": list(failed),
            "error": error,
            "attempts": mail.attempts,
            "refused": refused,
        },
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

"""The outbox against a real SMTP server on loopback: stable Message-ID, after-commit sending,
retries with backoff, permanent failures on the timeline."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import CustomerFactory, GroupFactory, make_ticket
from tresen.core.errors import ValidationError
from tresen.notifications.delivery import deliver_due, retry_delay
from tresen.notifications.models import OutboundMail, OutboundStatus
from tresen.notifications.outbox import queue_mail
from tresen.tickets.models import Event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.peer]


def later(mail: OutboundMail, seconds: float = 1) -> datetime.datetime:
    mail.refresh_from_db()
    return mail.next_attempt_at + datetime.timedelta(seconds=seconds)


def test_queued_mail_is_sent_after_commit_with_its_message_id(smtp_peer):
    with transaction.atomic():
        mail = queue_mail(to=["someone@example.org"], subject="Hello", text="Body", language="en")
        assert smtp_peer.messages == []
    received = smtp_peer.wait_for(1)
    assert len(received) == 1
    assert received[0]["Message-ID"] == mail.message_id
    assert received[0]["Subject"] == "Hello"
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.SENT
    assert mail.sent_at is not None


def test_rolled_back_transaction_sends_nothing(smtp_peer):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_mail(to=["someone@example.org"], subject="Hello", text="Body", language="en")
        raise RuntimeError("the write failed")
    assert deliver_due() == {}
    assert smtp_peer.messages == []
    assert not OutboundMail.objects.exists()


def test_temporary_failure_retries_with_backoff_and_keeps_message_id(smtp_peer):
    smtp_peer.reply = "451 4.3.0 try again later"
    mail = queue_mail(to=["someone@example.org"], subject="Hello", text="Body", language="en")
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.QUEUED
    assert mail.attempts == 1
    assert "451" in mail.last_error
    first_wait = mail.next_attempt_at - timezone.now()
    assert first_wait > retry_delay(1) - datetime.timedelta(seconds=5)

    deliver_due(now=later(mail))
    mail.refresh_from_db()
    assert mail.attempts == 2
    assert mail.next_attempt_at - later(mail, 0) >= datetime.timedelta(0)

    smtp_peer.reply = "250 OK"
    assert deliver_due(now=later(mail)) == {"sent": 1}
    assert deliver_due(now=later(mail, 10_000)) == {}
    assert [m["Message-ID"] for m in smtp_peer.messages] == [mail.message_id]


def test_server_down_is_retried_until_it_returns(smtp_peer, settings):
    port = smtp_peer.port
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    mail = queue_mail(to=["someone@example.org"], subject="Down", text="Body", language="en")
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.QUEUED
    settings.MAILERS["default"]["OPTIONS"]["port"] = port
    assert deliver_due(now=later(mail)) == {"sent": 1}
    assert len(smtp_peer.messages) == 1


def test_permanent_failure_marks_failed_and_shows_on_the_timeline(smtp_peer):
    ticket = make_ticket(requester=CustomerFactory(), group=GroupFactory(name="Support"))
    smtp_peer.reply = "550 5.1.1 mailbox unknown"
    mail = queue_mail(
        to=[ticket.requester.email], subject="Hi", text="Body", language="en", ticket=ticket
    )
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.FAILED
    event = Event.objects.get(ticket=ticket, kind="mail.delivery_failed")
    assert event.actor_label == "mail"
    assert event.data["message_id"] == mail.message_id
    assert "550" in event.data["error"]


def test_mail_whose_task_was_lost_is_sent_by_the_periodic_sweep(smtp_peer, monkeypatch):
    from tresen.notifications import tasks

    def queue_down(mail_id):
        raise ConnectionError("Redis is gone")

    monkeypatch.setattr(tasks, "send_mail_task", queue_down)
    mail = queue_mail(to=["someone@example.org"], subject="Lost", text="Body", language="en")
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.QUEUED
    assert smtp_peer.messages == []

    tasks.send_due_mail_task()

    mail.refresh_from_db()
    assert mail.status == OutboundStatus.SENT
    assert [m["Message-ID"] for m in smtp_peer.wait_for(1)] == [mail.message_id]


def test_mail_of_a_worker_that_died_mid_send_is_sent_again_after_its_lease(smtp_peer, monkeypatch):
    from tresen.notifications import delivery, tasks

    monkeypatch.setattr(tasks, "send_mail_task", lambda mail_id: None)
    mail = queue_mail(to=["someone@example.org"], subject="Crash", text="Body", language="en")
    now = timezone.now()
    assert delivery.claim(mail.pk, now) is not None  # ... and then the worker is killed

    assert deliver_due(now=now) == {}
    assert deliver_due(now=now + delivery.lease() + datetime.timedelta(seconds=1)) == {"sent": 1}
    mail.refresh_from_db()
    assert mail.attempts == 2
    assert [m["Message-ID"] for m in smtp_peer.messages] == [mail.message_id]


def test_retries_end_in_failure_after_the_last_attempt(smtp_peer, settings):
    settings.TRESEN_MAIL_MAX_ATTEMPTS = 3
    ticket = make_ticket(requester=CustomerFactory(), group=GroupFactory(name="Support"))
    smtp_peer.reply = "421 4.7.0 too busy"
    mail = queue_mail(
        to=[ticket.requester.email], subject="Busy", text="Body", language="en", ticket=ticket
    )
    deliver_due(now=later(mail))
    assert deliver_due(now=later(mail)) == {"failed": 1}

    mail.refresh_from_db()
    assert mail.attempts == 3
    assert Event.objects.filter(ticket=ticket, kind="mail.delivery_failed").count() == 1
    assert mail.message_id not in [m["Message-ID"] for m in smtp_peer.messages]


def test_backoff_doubles_up_to_its_cap(settings):
    settings.TRESEN_MAIL_RETRY_BASE_SECONDS = 60
    settings.TRESEN_MAIL_RETRY_MAX_SECONDS = 3600
    waits = [retry_delay(n).total_seconds() for n in range(1, 9)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_own_addresses_are_never_mailed(smtp_peer, settings):
    GroupFactory(name="Support", email="support@helpdesk.example")
    with pytest.raises(ValidationError):
        queue_mail(
            to=["support@helpdesk.example", settings.DEFAULT_FROM_EMAIL.upper()],
            subject="Loop",
            text="Body",
            language="en",
        )
    mail = queue_mail(
        to=["support@helpdesk.example", "carl@customer.example"],
        subject="Hi",
        text="Body",
        language="en",
    )
    assert mail.to == ["carl@customer.example"]
    assert smtp_peer.wait_for(1)[0]["To"] == "carl@customer.example"


def test_portal_mail_without_ticket_comes_from_the_default_sender(smtp_peer, settings):
    settings.DEFAULT_FROM_EMAIL = "helpdesk@tresen.example"
    mail = queue_mail(
        to=["new.person@customer.example"],
        subject="Confirm your address",
        text="Click the link",
        language="de",
        automatic=True,
    )

    [received] = smtp_peer.wait_for(1)
    assert received["From"].addresses[0].addr_spec == "helpdesk@tresen.example"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Reply-To"] is None
    assert received["Message-ID"] == mail.message_id
    assert "[" not in received["Subject"]

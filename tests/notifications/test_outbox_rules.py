"""Rules of the outbox: permanent failures on the timeline, the retry schedule, our own
addresses, and mail without a ticket (the portal's account mails)."""

from __future__ import annotations

import datetime

import pytest

from tests.factories import CustomerFactory, GroupFactory, make_ticket
from tresen.core.errors import ValidationError
from tresen.notifications.delivery import deliver_due, retry_delay
from tresen.notifications.models import OutboundMail, OutboundStatus
from tresen.notifications.outbox import queue_mail
from tresen.tickets.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.peer]


def later(mail: OutboundMail) -> datetime.datetime:
    mail.refresh_from_db()
    return mail.next_attempt_at + datetime.timedelta(seconds=1)


@pytest.fixture
def ticket(committed):
    with committed():
        return make_ticket(requester=CustomerFactory(), group=GroupFactory(name="Support"))


def test_permanent_failure_marks_failed_and_shows_on_the_timeline(committed, smtp_peer, ticket):
    smtp_peer.reply = "550 5.1.1 mailbox unknown"
    with committed():
        mail = queue_mail(
            to=[ticket.requester.email], subject="Hi", text="Body", language="en", ticket=ticket
        )

    mail.refresh_from_db()
    assert mail.status == OutboundStatus.FAILED
    assert mail.attempts == 1
    event = Event.objects.get(ticket=ticket, kind="mail.delivery_failed")
    assert event.actor_label == "mail"
    assert event.data["message_id"] == mail.message_id
    assert "550" in event.data["error"]


def test_retries_end_in_failure_after_the_last_attempt(committed, smtp_peer, ticket, settings):
    settings.TRESEN_MAIL_MAX_ATTEMPTS = 3
    smtp_peer.reply = "421 4.7.0 too busy"
    with committed():
        mail = queue_mail(
            to=[ticket.requester.email], subject="Busy", text="Body", language="en", ticket=ticket
        )
    assert deliver_due(now=later(mail)) == {"queued": 1}
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


def test_own_addresses_are_never_mailed(committed, smtp_peer, settings):
    GroupFactory(name="Support", email="support@helpdesk.example")
    with pytest.raises(ValidationError):
        queue_mail(
            to=["support@helpdesk.example", settings.DEFAULT_FROM_EMAIL.upper()],
            subject="Loop",
            text="Body",
            language="en",
        )
    with committed():
        mail = queue_mail(
            to=["support@helpdesk.example", "Carl <carl@customer.example>"],
            subject="Hi",
            text="Body",
            language="en",
        )

    assert mail.to == ["carl@customer.example"]
    assert smtp_peer.envelopes == [{"from": settings.DEFAULT_FROM_EMAIL, "to": mail.to}]


def test_portal_mail_without_ticket_comes_from_the_default_sender(committed, smtp_peer, settings):
    settings.DEFAULT_FROM_EMAIL = "helpdesk@tresen.example"
    with committed():
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
    assert received["Subject"] == "Confirm your address"


def test_failed_mail_can_be_queued_again_and_keeps_its_message_id(committed, smtp_peer, ticket):
    from io import StringIO

    from django.core.management import call_command

    smtp_peer.reply = "550 5.7.1 policy"
    with committed():
        mail = queue_mail(
            to=[ticket.requester.email], subject="Again", text="Body", language="en", ticket=ticket
        )
    smtp_peer.reply = "250 OK"
    out = StringIO()
    with committed():
        call_command("outbox", "--retry", str(mail.pk), stdout=out)

    mail.refresh_from_db()
    assert mail.status == OutboundStatus.SENT
    assert [m["Message-ID"] for m in smtp_peer.messages][-1] == mail.message_id
    assert "failed      0" in out.getvalue()


def test_without_a_mail_server_mail_is_printed_to_the_console(committed, settings):
    from io import StringIO

    console = StringIO()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.console.EmailBackend",
            "OPTIONS": {"stream": console},
        }
    }
    with committed():
        mail = queue_mail(to=["a@customer.example"], subject="Grüße", text="Hallo", language="de")

    mail.refresh_from_db()
    assert mail.status == OutboundStatus.SENT
    assert f"Message-ID: {mail.message_id}" in console.getvalue()

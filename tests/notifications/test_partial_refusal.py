"""A mail server that takes some recipients and refuses others (RCPT TO answered with 550 or
450), against a real aiosmtpd on loopback: who got the mail, what is recorded per address, what
the ticket's timeline says, and who is tried again."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tresen.notifications.delivery import deliver_due, retry_delay
from tresen.notifications.models import OutboundMail, OutboundStatus, RecipientState
from tresen.notifications.outbox import queue_mail, requeue_mail
from tresen.tickets.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.peer]

TAKEN = "anna@customer.example"
GONE = "gone@customer.example"
FULL = "full@customer.example"
UNKNOWN = "550 5.1.1 mailbox unknown"
OVER_QUOTA = "450 4.2.2 mailbox full, try later"


def later(mail: OutboundMail, seconds: float = 1) -> datetime.datetime:
    mail.refresh_from_db()
    return mail.next_attempt_at + datetime.timedelta(seconds=seconds)


def envelopes(peer, mail: OutboundMail) -> list[list[str]]:
    """The RCPT TO addresses of each time the server took this mail."""
    return [
        e["to"]
        for m, e in zip(peer.messages, peer.envelopes, strict=True)
        if m["Message-ID"] == mail.message_id
    ]


def copies(peer, address: str, mail: OutboundMail) -> int:
    """How many times the server took this mail for this address."""
    return sum(to.count(address) for to in envelopes(peer, mail))


def answers(mail: OutboundMail) -> dict[str, tuple[str, int | None, str]]:
    rows = mail.recipients.order_by("pk")
    return {r.address: (r.state, r.smtp_code, r.smtp_reply) for r in rows}


@pytest.fixture
def ticket(committed, support, german_customer):
    from tests.factories import make_ticket

    with committed():
        return make_ticket(requester=german_customer, group=support, title="Drucker")


def send_to_three(committed, ticket) -> OutboundMail:
    with committed():
        return queue_mail(
            to=[TAKEN, GONE, FULL], subject="Update", text="Body", language="en", ticket=ticket
        )


def test_accepted_get_one_copy_550_is_final_450_is_retried_alone(committed, smtp_peer, ticket):
    smtp_peer.refuse = {GONE: UNKNOWN, FULL: OVER_QUOTA}
    started = timezone.now()
    mail = send_to_three(committed, ticket)

    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (OutboundStatus.QUEUED, 1)
    assert mail.sent_at is not None
    assert mail.next_attempt_at >= started + retry_delay(1)
    assert answers(mail) == {
        TAKEN: (RecipientState.ACCEPTED, None, ""),
        GONE: (RecipientState.REFUSED, 550, "5.1.1 mailbox unknown"),
        FULL: (RecipientState.PENDING, 450, "4.2.2 mailbox full, try later"),
    }
    assert "550 5.1.1 mailbox unknown" in mail.last_error
    assert envelopes(smtp_peer, mail) == [[TAKEN]]

    # The mailbox has room again: the retry goes to that one address only.
    smtp_peer.refuse = {GONE: UNKNOWN}
    assert deliver_due(now=later(mail)) == {"sent": 1}
    assert envelopes(smtp_peer, mail) == [[TAKEN], [FULL]]
    assert deliver_due(now=later(mail, 100_000)) == {}

    assert (copies(smtp_peer, TAKEN, mail), copies(smtp_peer, FULL, mail)) == (1, 1)
    assert copies(smtp_peer, GONE, mail) == 0
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (OutboundStatus.SENT, 2)
    assert answers(mail)[FULL] == (RecipientState.ACCEPTED, None, "")
    assert answers(mail)[GONE][0] == RecipientState.REFUSED
    # The message as sent still names all three: only the envelope changed.
    [retried] = [m for m in smtp_peer.to(FULL) if m["Message-ID"] == mail.message_id]
    assert {a.addr_spec for a in retried["To"].addresses} == {TAKEN, GONE, FULL}

    [event] = Event.objects.filter(ticket=ticket, kind="mail.delivery_failed")
    assert event.data["to"] == [GONE]
    assert event.data["refused"] == [
        {"address": GONE, "code": 550, "reply": "5.1.1 mailbox unknown"}
    ]


def test_the_refusal_shows_on_the_timeline_in_german_and_english(
    committed, smtp_peer, ticket, client, german_agent, english_agent
):
    smtp_peer.refuse = {GONE: UNKNOWN}
    send_to_three(committed, ticket)
    page = reverse("desk:ticket", kwargs={"number": ticket.number})

    client.force_login(english_agent)
    english = client.get(page).content.decode()
    client.force_login(german_agent)
    german = client.get(page).content.decode()

    assert f"Mail not delivered to {GONE}: 550 5.1.1 mailbox unknown" in english
    assert f"Mail nicht zugestellt an {GONE}: 550 5.1.1 mailbox unknown" in german
    assert TAKEN not in english.split("Mail not delivered to", 1)[1].split("</p>", 1)[0]


def test_a_450_that_never_clears_ends_refused_while_the_others_got_it(
    committed, smtp_peer, ticket, settings
):
    settings.TRESEN_MAIL_MAX_ATTEMPTS = 3
    smtp_peer.refuse = {FULL: OVER_QUOTA}
    mail = send_to_three(committed, ticket)
    assert not Event.objects.filter(ticket=ticket, kind="mail.delivery_failed").exists()

    assert deliver_due(now=later(mail)) == {"queued": 1}
    assert deliver_due(now=later(mail)) == {"sent": 1}

    mail.refresh_from_db()
    assert mail.attempts == 3
    assert answers(mail)[FULL] == (RecipientState.REFUSED, 450, "4.2.2 mailbox full, try later")
    assert [copies(smtp_peer, a, mail) for a in (TAKEN, GONE, FULL)] == [1, 1, 0]
    assert envelopes(smtp_peer, mail) == [[TAKEN, GONE]]
    [event] = Event.objects.filter(ticket=ticket, kind="mail.delivery_failed")
    assert event.data["refused"] == [
        {"address": FULL, "code": 450, "reply": "4.2.2 mailbox full, try later"}
    ]
    assert event.data["attempts"] == 3


def test_all_recipients_refused_fails_the_mail_and_a_requeue_tries_them_again(
    committed, smtp_peer, ticket
):
    smtp_peer.refuse = {TAKEN: UNKNOWN, GONE: UNKNOWN, FULL: "554 5.7.1 relay denied"}
    mail = send_to_three(committed, ticket)

    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.sent_at) == (OutboundStatus.FAILED, 1, None)
    assert {a: s[:2] for a, s in answers(mail).items()} == {
        TAKEN: (RecipientState.REFUSED, 550),
        GONE: (RecipientState.REFUSED, 550),
        FULL: (RecipientState.REFUSED, 554),
    }
    [event] = Event.objects.filter(ticket=ticket, kind="mail.delivery_failed")
    assert event.data["to"] == [TAKEN, GONE, FULL]
    assert [copies(smtp_peer, a, mail) for a in (TAKEN, GONE, FULL)] == [0, 0, 0]

    smtp_peer.refuse = {GONE: UNKNOWN}
    with committed():
        requeue_mail(mail_id=mail.pk)
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.SENT
    assert [copies(smtp_peer, a, mail) for a in (TAKEN, GONE, FULL)] == [1, 0, 1]
    assert Event.objects.filter(ticket=ticket, kind="mail.delivery_failed").count() == 2


def test_a_421_during_rcpt_leaves_every_address_pending(committed, smtp_peer, ticket):
    # smtplib stops at a 421: the address after it was never tried, the one before never got
    # the data. All three wait for the next attempt.
    smtp_peer.refuse = {GONE: "421 4.7.0 closing connection"}
    mail = send_to_three(committed, ticket)
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.QUEUED
    assert {a: s[:2] for a, s in answers(mail).items()} == dict.fromkeys(
        (TAKEN, GONE, FULL), (RecipientState.PENDING, 421)
    )

    smtp_peer.refuse = {}
    assert deliver_due(now=later(mail)) == {"sent": 1}
    assert envelopes(smtp_peer, mail) == [[TAKEN, GONE, FULL]]
    assert not Event.objects.filter(ticket=ticket, kind="mail.delivery_failed").exists()

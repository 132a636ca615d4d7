"""Intake in batches (fetch-mail, ingest-mail with several files): one commit stores the batch,
one transaction processes it, and each message still ends in exactly one state of its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.mail.conftest import build_mail
from tresen.mail import routing
from tresen.mail.audit import audit_inbound
from tresen.mail.intake import ingest_many
from tresen.mail.models import InboundMessage, InboundState, PostmasterFilter
from tresen.tickets.models import Article, Event, Ticket


def test_a_batch_keeps_one_outcome_per_message(mailbox):
    first = build_mail(subject="Drucker")
    results = ingest_many(
        [first, build_mail(sender="", subject="ohne Absender"), build_mail(subject="VPN"), first],
        mailbox=mailbox,
    )

    assert [r.state for r in results] == ["created", "quarantined", "created", "duplicate"]
    assert results[3].ticket == results[0].ticket and results[0].ticket != results[2].ticket
    assert InboundMessage.objects.count() == 3
    assert InboundMessage.objects.get(sha256=results[0].sha256).deliveries == 2
    assert Ticket.objects.count() == 2
    assert not audit_inbound().problems


def test_a_reply_finds_the_ticket_opened_earlier_in_the_same_batch(mailbox):
    question = build_mail(subject="Zugang gesperrt", message_id="<frage@kunde.example>")
    answer = build_mail(
        subject="AW: Zugang gesperrt", headers={"In-Reply-To": "<frage@kunde.example>"}
    )

    created, appended = ingest_many([question, answer], mailbox=mailbox)

    assert (created.state, appended.state, appended.rule) == ("created", "appended", "in_reply_to")
    assert appended.ticket == created.ticket
    assert Article.objects.filter(ticket__number=created.ticket).count() == 2


def test_a_failure_in_one_message_leaves_the_others_of_its_batch_alone(mailbox, monkeypatch):
    real = routing.route_message

    def fails_on_one(message, mail):
        if mail.subject == "kaputt":
            Ticket.objects.update(title="written before the failure")  # must be rolled back
            raise RuntimeError("a bug")
        return real(message, mail)

    monkeypatch.setattr(routing, "route_message", fails_on_one)
    results = ingest_many(
        [build_mail(subject="eins"), build_mail(subject="kaputt"), build_mail(subject="zwei")],
        mailbox=mailbox,
    )

    assert [r.state for r in results] == ["created", "quarantined", "created"]
    broken = InboundMessage.objects.get(sha256=results[1].sha256)
    assert broken.reason == "processing failed: RuntimeError: a bug"
    assert broken.subject == "kaputt" and broken.ticket is None
    assert sorted(Ticket.objects.values_list("title", flat=True)) == ["eins", "zwei"]
    # Only the events of the two tickets are recorded (two each: created, first article).
    assert Event.objects.count() == 4
    assert not audit_inbound().problems


def test_configuration_is_read_once_per_batch_and_anew_for_the_next(mailbox):
    with CaptureQueriesContext(connection) as queries:
        ingest_many([build_mail(subject=f"vorher {n}") for n in range(3)], mailbox=mailbox)
    asked = [q for q in queries.captured_queries if "mail_postmasterfilter" in q["sql"]]
    assert len(asked) == 1, "the filters are read once for the whole batch"
    PostmasterFilter.objects.create(
        name="newsletter", header="Subject", match="contains", value="Newsletter", ignore=True
    )

    results = ingest_many(
        [build_mail(subject="Newsletter Mai"), build_mail(subject="Frage")], mailbox=mailbox
    )

    assert [r.state for r in results] == ["ignored", "created"]


@pytest.mark.django_db(transaction=True)
def test_a_batch_stored_twice_is_taken_in_once(mailbox):
    batch = [build_mail(subject=f"Nr {n}") for n in range(3)]
    ingest_many(batch, mailbox=mailbox)

    again = ingest_many(batch, mailbox=mailbox)

    assert [r.state for r in again] == [InboundState.DUPLICATE] * 3
    assert Ticket.objects.count() == 3 and InboundMessage.objects.count() == 3

"""What customers receive by mail, as a real SMTP server on loopback sees it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory, make_ticket
from tresen.mail.reply_tokens import parse_reply_address
from tresen.notifications.models import NotificationKind, OutboundMail, OutboundStatus
from tresen.notifications.preferences import set_preference
from tresen.tickets.models import Article, Channel
from tresen.tickets.services import NewFile, add_cc, change_state, post_article
from tresen.tickets.tasks import dispatch_event_task

pytestmark = [pytest.mark.django_db, pytest.mark.peer]

INBOUND_ID = "<first-mail.4711@kunde.example>"


def plain(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def mail_ticket(requester, group, **meta):
    """A ticket as mail intake opens it: the customer's mail with its Message-ID."""
    return make_ticket(
        requester=requester,
        group=group,
        channel=Channel.EMAIL,
        title="Drucker im 2. Stock klemmt",
        article_fields={
            "message_id": INBOUND_ID,
            "from_address": requester.email,
            "meta": {"mail": {"automatic": False, **meta}},
        },
    )


def test_new_request_gets_a_german_receipt_threaded_tagged_and_marked_automatic(
    committed, smtp_peer, support, german_customer
):
    with committed():
        ticket = mail_ticket(german_customer, support)

    [receipt] = smtp_peer.wait_for(1)
    assert smtp_peer.envelopes[0]["to"] == ["gerda@kunde.example"]
    assert (
        receipt["Subject"] == f"[{ticket.number}] Wir haben Ihre Anfrage {ticket.number} erhalten"
    )
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["In-Reply-To"] == INBOUND_ID
    assert receipt["References"] == INBOUND_ID
    assert receipt["From"].addresses[0].addr_spec == "support@helpdesk.example"
    assert receipt["From"].addresses[0].display_name == "ACME Support"
    assert parse_reply_address(receipt["Reply-To"].addresses[0].addr_spec) == ticket.pk
    assert receipt["Content-Language"] == "de"
    text = plain(receipt)
    assert "Hallo Gerda Kundin" in text
    assert "Drucker im 2. Stock klemmt" in text
    assert "-- \nACME Support · +49 30 1234567" in text
    html = receipt.get_body(("html",)).get_content()
    assert 'lang="de"' in html
    assert OutboundMail.objects.get(ticket=ticket).message_id == receipt["Message-ID"]


def test_automatic_inbound_mail_gets_no_receipt(committed, smtp_peer, support, german_customer):
    with committed():
        ticket = mail_ticket(german_customer, support, automatic=True)

    assert not OutboundMail.objects.filter(ticket=ticket).exists()
    assert smtp_peer.messages == []


@pytest.mark.parametrize(
    "robot",
    ["mailer-daemon@mx.kunde.example", "noreply@shop.example", "list-request@lists.example"],
)
def test_robot_senders_get_no_receipt_and_no_resolved_mail(committed, smtp_peer, support, robot):
    with committed():
        ticket = mail_ticket(CustomerFactory(email=robot), support)
        change_state(actor=None, ticket=ticket, state="resolved")

    assert not OutboundMail.objects.filter(ticket=ticket).exists()
    assert smtp_peer.messages == []


def test_receipts_per_address_are_rate_limited(
    committed, smtp_peer, support, english_customer, settings
):
    settings.TRESEN_AUTO_REPLY_LIMIT_PER_HOUR = 2
    tickets = []
    for _ in range(4):
        with committed():
            tickets.append(mail_ticket(english_customer, support))

    statuses = [OutboundMail.objects.get(ticket=t).status for t in tickets]
    assert statuses == ["sent", "sent", "suppressed", "suppressed"]
    assert len(smtp_peer.wait_for(2)) == 2
    assert all(m["Auto-Submitted"] == "auto-replied" for m in smtp_peer.messages)


def test_agent_reply_goes_to_requester_and_cc_with_files_and_threads(
    committed, smtp_peer, support, english_agent, english_customer
):
    colleague = CustomerFactory(email="colleague@customer.example", language="en")
    with committed():
        ticket = mail_ticket(english_customer, support)
    with committed():
        add_cc(actor=english_agent, ticket=ticket, person=colleague)
    smtp_peer.wait_for(1)
    smtp_peer.messages.clear()
    smtp_peer.envelopes.clear()

    with committed():
        reply = post_article(
            actor=english_agent,
            ticket=ticket,
            body_text="Please restart the printer.",
            body_html="<p>Please <b>restart</b> the printer.</p>",
            attachments=[NewFile("manual.pdf", b"%PDF-1.4 printer manual", "application/pdf")],
        )

    [mail] = smtp_peer.wait_for(1)
    assert sorted(smtp_peer.envelopes[0]["to"]) == [
        "colleague@customer.example",
        "eric@customer.example",
    ]
    assert mail["Subject"] == f"[{ticket.number}] Re: Drucker im 2. Stock klemmt"
    assert mail["Auto-Submitted"] is None
    assert mail["In-Reply-To"] == INBOUND_ID
    assert "Please restart the printer." in plain(mail)
    assert "<b>restart</b>" in mail.get_body(("html",)).get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "manual.pdf"
    assert attachment.get_content() == b"%PDF-1.4 printer manual"
    reply.refresh_from_db()
    assert reply.message_id == mail["Message-ID"]

    with committed():
        post_article(actor=english_agent, ticket=ticket, body_text="Did that help?")
    second = smtp_peer.wait_for(2)[1]
    assert second["In-Reply-To"] == reply.message_id
    assert second["References"].split() == [INBOUND_ID, reply.message_id]


def test_cc_participants_get_the_reply_in_their_own_language(
    committed, smtp_peer, support, english_agent, english_customer, german_customer
):
    with committed():
        ticket = mail_ticket(english_customer, support)
    with committed():
        add_cc(actor=english_agent, ticket=ticket, person=german_customer)
    smtp_peer.wait_for(1)

    with committed():
        post_article(actor=english_agent, ticket=ticket, body_text="We are on it.")

    smtp_peer.wait_for(3)
    [german] = smtp_peer.to("gerda@kunde.example")
    [english] = [m for m in smtp_peer.to("eric@customer.example") if "Re:" in m["Subject"]]
    assert german["Subject"] == f"[{ticket.number}] AW: Drucker im 2. Stock klemmt"
    assert english["Subject"] == f"[{ticket.number}] Re: Drucker im 2. Stock klemmt"
    assert Article.objects.get(body_text="We are on it.").message_id == english["Message-ID"]


def test_internal_notes_are_never_mailed_to_customers(
    committed, smtp_peer, support, english_agent, english_customer
):
    with committed():
        ticket = mail_ticket(english_customer, support)
    smtp_peer.wait_for(1)

    with committed():
        post_article(actor=english_agent, ticket=ticket, kind="note", body_text="Customer is VIP")

    assert smtp_peer.to("eric@customer.example") == smtp_peer.messages[:1]
    assert "VIP" not in str(smtp_peer.messages)


def test_undeliverable_customer_is_not_mailed(
    committed, smtp_peer, support, english_agent, english_customer
):
    english_customer.email_undeliverable_at = timezone.now()
    english_customer.save()
    with committed():
        ticket = mail_ticket(english_customer, support)

    with committed():
        post_article(actor=english_agent, ticket=ticket, body_text="Hello?")

    assert smtp_peer.to("eric@customer.example") == []
    assert not OutboundMail.objects.filter(to__icontains="eric@").exists()


def test_resolved_mail_in_german_offers_reopening_and_rating(
    committed, smtp_peer, support, english_agent, german_customer
):
    with committed():
        ticket = mail_ticket(german_customer, support)
    smtp_peer.wait_for(1)

    with committed():
        change_state(actor=english_agent, ticket=ticket, state="resolved")

    [solved] = [m for m in smtp_peer.wait_for(2) if "gelöst" in m["Subject"]]
    assert solved["Subject"] == f"[{ticket.number}] Ihre Anfrage {ticket.number} wurde gelöst"
    assert solved["Auto-Submitted"] == "auto-generated"
    text = plain(solved)
    assert "antworten Sie einfach auf diese Mail" in text
    assert "/rate/" in text


def test_customer_preferences_are_respected(
    committed, smtp_peer, support, english_agent, english_customer
):
    set_preference(english_customer, NotificationKind.CUSTOMER_RECEIPT, False)
    set_preference(english_customer, NotificationKind.CUSTOMER_RESOLVED, False)
    with committed():
        ticket = mail_ticket(english_customer, support)
    with committed():
        change_state(actor=english_agent, ticket=ticket, state="resolved")

    assert smtp_peer.to("eric@customer.example") == []

    set_preference(english_customer, NotificationKind.CUSTOMER_RECEIPT, True)
    with committed():
        mail_ticket(english_customer, support)
    smtp_peer.wait_for(2)
    assert len(smtp_peer.to("eric@customer.example")) == 1


def test_an_event_published_twice_mails_once(committed, smtp_peer, support, german_customer):
    with committed():
        ticket = mail_ticket(german_customer, support)
    smtp_peer.wait_for(1)
    event = ticket.events.get(kind="ticket.created")

    with committed():
        dispatch_event_task(event.pk)

    assert OutboundMail.objects.filter(ticket=ticket).count() == 1
    assert len(smtp_peer.messages) == 1
    assert OutboundMail.objects.get(ticket=ticket).status == OutboundStatus.SENT

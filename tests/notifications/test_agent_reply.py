"""An agent answers a notification by mail: the notice's signed Reply-To, sent through a real
SMTP server on loopback, brings the answer back to the ticket through mail intake."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from tests.factories import make_ticket
from tresen.mail.intake import ingest
from tresen.mail.models import InboundState, Mailbox
from tresen.mail.reply_tokens import parse_reply_address
from tresen.notifications.delivery import deliver_due
from tresen.tickets.models import Channel, SenderRole

pytestmark = [pytest.mark.django_db, pytest.mark.peer]


@pytest.fixture
def mailbox(support):
    return Mailbox.objects.create(
        name="support", address=support.email, group=support, protocol="imap"
    )


@pytest.fixture
def notice(committed, smtp_peer, support, german_agent, english_customer):
    """The new-ticket notice Greta received, as the SMTP server got it."""
    with committed():
        ticket = make_ticket(
            requester=english_customer, group=support, channel=Channel.WEB, title="VPN bricht ab"
        )
    smtp_peer.wait_for(2)
    [received] = smtp_peer.to(german_agent.email)
    return ticket, received


def answer(notice: EmailMessage, *, subject: str, threaded: bool) -> bytes:
    """Greta's answer as her mail client writes it: to the Reply-To, quoting the notice."""
    reply = EmailMessage()
    reply["From"] = "Greta Agentin <greta@staff.example>"
    reply["To"] = notice["Reply-To"]
    reply["Subject"] = subject
    reply["Message-ID"] = make_msgid(domain="staff.example")
    if threaded:
        reply["In-Reply-To"] = notice["Message-ID"]
        reply["References"] = notice["Message-ID"]
    quoted = notice.get_body(("plain",)).get_content().splitlines()
    reply.set_content("Ich kümmere mich darum.\n\n" + "\n".join(f"> {line}" for line in quoted))
    return reply.as_bytes()


def test_the_notice_replies_to_the_tickets_signed_address(notice, support):
    ticket, received = notice
    [reply_to] = [a.addr_spec for a in received["Reply-To"].addresses]
    assert reply_to != support.email
    assert reply_to.endswith("@helpdesk.example")
    assert parse_reply_address(reply_to) == ticket.pk


@pytest.mark.parametrize(
    ("subject", "threaded"),
    [("Re: {subject}", True), ("Erledige ich", False)],
    ids=["reply", "subject-and-references-lost"],
)
def test_an_agents_answer_lands_on_the_same_ticket(
    notice, mailbox, committed, smtp_peer, german_agent, english_customer, subject, threaded
):
    ticket, received = notice
    raw = answer(received, subject=subject.format(subject=received["Subject"]), threaded=threaded)
    mailed_to_customer = len(smtp_peer.to(english_customer.email))

    with committed():
        result = ingest(raw=raw, mailbox=mailbox)
    deliver_due()

    assert (result.state, result.ticket, result.rule) == (
        InboundState.APPENDED,
        ticket.number,
        "reply_address",
    )
    article = ticket.articles.order_by("-created_at", "-id").first()
    assert article.author == german_agent
    assert article.sender_role == SenderRole.AGENT
    assert article.channel == Channel.EMAIL
    assert article.is_internal, "an agent's mail never goes out to the customer"
    assert article.body_text.startswith("Ich kümmere mich darum.")
    assert ticket.articles.count() == 2
    assert len(smtp_peer.to(english_customer.email)) == mailed_to_customer

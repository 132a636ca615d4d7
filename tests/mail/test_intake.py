import datetime

from django.utils import timezone

from tests.factories import AgentFactory, CustomerFactory, add_member
from tests.mail.conftest import build_mail
from tresen.accounts.models import User
from tresen.mail.models import InboundMessage
from tresen.mail.reply_tokens import make_reply_address
from tresen.tickets.models import Article, SenderRole, Ticket, TicketLink
from tresen.tickets.services import change_state
from tresen.tickets.states import State


def test_new_mail_opens_a_ticket_in_the_mailbox_group(take, mailbox):
    result = take(build_mail())
    assert result.state == "created" and result.rule == "new_ticket"
    ticket = Ticket.objects.get(number=result.ticket)
    assert ticket.group == mailbox.group
    assert ticket.channel == "email"
    assert ticket.requester.email == "carla@kunde.example"
    assert ticket.requester.name == "Carla Kunde"
    article = ticket.articles.get()
    assert article.sender_role == SenderRole.CUSTOMER
    assert "Fehler E42" in article.body_text
    assert article.meta["mail"]["rule"] == "new_ticket"
    assert article.meta["mail"]["sha256"] == result.sha256
    assert article.meta["mail"]["automatic"] is False


def test_same_bytes_twice_make_one_article(take):
    raw = build_mail()
    first = take(raw)
    second = take(raw)
    assert second.state == "duplicate"
    assert second.ticket == first.ticket
    assert Article.objects.count() == 1
    stored = InboundMessage.objects.get()
    assert stored.deliveries == 2 and stored.state == "created"


def test_same_message_id_with_other_bytes_is_not_a_duplicate(take):
    first = take(build_mail(message_id="<same@kunde.example>", body="one"))
    second = take(build_mail(message_id="<same@kunde.example>", body="two"))
    assert first.state == "created" and second.state in ("created", "appended")
    assert InboundMessage.objects.count() == 2


def test_reply_to_signed_address_appends_to_the_ticket(take):
    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    change_state(actor=None, ticket=ticket, state=State.RESOLVED)
    reply = build_mail(
        to=make_reply_address(ticket.pk, "support@helpdesk.example"),
        subject="Re: something else entirely",
        body="Geht wieder nicht.",
    )
    result = take(reply)
    assert (result.state, result.rule, result.ticket) == (
        "appended",
        "reply_address",
        ticket.number,
    )
    ticket.refresh_from_db()
    assert ticket.state == State.OPEN  # a customer's reply reopens a solved ticket
    article = ticket.articles.order_by("id").last()
    assert article.meta["mail"]["rule"] == "reply_address"
    assert article.sender_role == SenderRole.CUSTOMER and not article.is_internal


def test_forged_reply_address_opens_a_new_ticket(take):
    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    forged = make_reply_address(ticket.pk, "support@helpdesk.example").replace(
        f"+t{ticket.pk}-", f"+t{ticket.pk + 1}-"
    )
    result = take(build_mail(to=forged, subject="Hello", body="x"))
    assert result.state == "created" and result.ticket != ticket.number


def test_in_reply_to_threads_onto_the_ticket(take):
    take(build_mail(message_id="<first@kunde.example>"))
    result = take(
        build_mail(
            subject="Re: Drucker",
            body="Nachtrag",
            headers={"In-Reply-To": "<first@kunde.example>"},
        )
    )
    assert (result.state, result.rule) == ("appended", "in_reply_to")


def test_subject_tag_threads_onto_the_ticket(take):
    number = take(build_mail()).ticket
    result = take(build_mail(subject=f"AW: [{number}] Drucker", body="Danke"))
    assert (result.state, result.rule, result.ticket) == ("appended", "subject_tag", number)


def test_reply_address_beats_references_and_subject(take):
    first = take(build_mail(message_id="<a@kunde.example>")).ticket
    second = Ticket.objects.get(number=take(build_mail(subject="Other", body="b")).ticket)
    result = take(
        build_mail(
            to=make_reply_address(second.pk, "support@helpdesk.example"),
            subject=f"Re: [{first}]",
            headers={"In-Reply-To": "<a@kunde.example>"},
            body="c",
        )
    )
    assert (result.rule, result.ticket) == ("reply_address", second.number)


def test_mail_from_a_stranger_is_attached_unverified_and_does_not_reopen(take):
    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    change_state(actor=None, ticket=ticket, state=State.RESOLVED)
    result = take(
        build_mail(
            sender="mallory@evil.example",
            subject=f"Re: [{ticket.number}]",
            body="Please send the password to me",
        )
    )
    assert result.state == "appended"
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert ticket.requester.email == "carla@kunde.example"
    article = ticket.articles.order_by("id").last()
    assert article.meta["mail"]["unverified_sender"] is True
    assert article.sender_role == SenderRole.SYSTEM and article.author is None
    assert article.is_internal
    assert article.from_address == "mallory@evil.example"


def test_out_of_office_reply_is_attached_without_reopening(take):
    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    change_state(actor=None, ticket=ticket, state=State.RESOLVED)
    result = take(
        build_mail(
            subject=f"Automatische Antwort: [{ticket.number}]",
            body="Ich bin bis Montag nicht im Büro.",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    assert result.state == "auto_reply" and result.ticket == ticket.number
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    assert ticket.articles.order_by("id").last().meta["mail"]["automatic"] is True


def test_automatic_mail_without_a_ticket_opens_none(take):
    result = take(build_mail(headers={"Precedence": "bulk"}, subject="Newsletter"))
    assert result.state == "auto_reply" and result.ticket is None
    assert Ticket.objects.count() == 0


def test_mail_from_our_own_address_is_a_loop(take, mailbox):
    result = take(
        build_mail(sender="support@helpdesk.example", headers={"Auto-Submitted": "auto-replied"})
    )
    assert result.state == "loop"
    assert not User.objects.filter(email="support@helpdesk.example").exists()
    result = take(build_mail(sender="team@helpdesk.example", subject="x"))
    assert result.state == "loop"


def test_own_addresses_in_cc_never_become_customers(take):
    result = take(build_mail(headers={"Cc": "team@helpdesk.example, boss@kunde.example"}))
    ticket = Ticket.objects.get(number=result.ticket)
    assert list(ticket.cc_participants.values_list("email", flat=True)) == ["boss@kunde.example"]
    assert not User.objects.filter(email="team@helpdesk.example").exists()


def test_spoofed_internal_headers_grant_nothing(take):
    agent = AgentFactory()
    result = take(build_mail(headers={"X-Tresen-Ticket": "T10001", "X-Tresen-Sender": agent.email}))
    ticket = Ticket.objects.get(number=result.ticket)
    assert ticket.requester.email == "carla@kunde.example"


def test_agent_reply_by_mail_is_an_agent_article(take, mailbox):
    agent = AgentFactory(email="anna@helpdesk-staff.example")
    add_member(mailbox.group, agent)
    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    result = take(
        build_mail(
            sender=agent.email,
            to=make_reply_address(ticket.pk, "support@helpdesk.example"),
            body="Wir kümmern uns.",
        )
    )
    assert result.state == "appended"
    article = ticket.articles.order_by("id").last()
    assert article.sender_role == SenderRole.AGENT and not article.meta["mail"]["unverified_sender"]


def test_reply_to_ticket_closed_long_ago_opens_a_linked_new_ticket(take, settings):
    settings.TRESEN_MAIL_REOPEN_DAYS = 14
    old = Ticket.objects.get(number=take(build_mail()).ticket)
    change_state(actor=None, ticket=old, state=State.CLOSED)
    Ticket.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=30))
    result = take(build_mail(subject=f"Re: [{old.number}]", body="Schon wieder"))
    assert result.state == "created" and result.ticket != old.number
    assert result.rule == "subject_tag:closed_too_long"
    new = Ticket.objects.get(number=result.ticket)
    assert TicketLink.objects.filter(source=new, target=old).exists()
    old.refresh_from_db()
    assert old.state == State.CLOSED


def test_reply_to_recently_closed_ticket_reopens_it(take):
    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    change_state(actor=None, ticket=ticket, state=State.CLOSED)
    result = take(build_mail(subject=f"Re: [{ticket.number}]", body="Doch nicht"))
    assert result.ticket == ticket.number
    ticket.refresh_from_db()
    assert ticket.state == State.OPEN


def test_sender_joins_organisation_by_mail_domain(take):
    from tresen.accounts.models import Organisation, OrganisationDomain

    org = Organisation.objects.create(name="Kunde GmbH")
    OrganisationDomain.objects.create(organisation=org, domain="kunde.example")
    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    assert ticket.requester.organisation == org and ticket.organisation == org


def test_existing_customer_is_matched_not_duplicated(take):
    customer = CustomerFactory(email="carla@kunde.example")
    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    assert ticket.requester == customer
    assert User.objects.filter(email="carla@kunde.example").count() == 1


def test_subject_tag_with_the_outgoing_tag_prefix_threads(take, settings):
    settings.TRESEN_MAIL_TAG_PREFIX = "Helpdesk "
    number = take(build_mail()).ticket
    result = take(build_mail(subject=f"Re: [Helpdesk {number}] Drucker", body="Danke"))
    assert (result.state, result.rule, result.ticket) == ("appended", "subject_tag", number)


def test_nul_characters_in_the_body_do_not_stop_the_mail(take):
    raw = (
        b"From: carla@kunde.example\r\nTo: support@helpdesk.example\r\nSubject: NUL\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nvor\x00nach\r\n"
    )
    result = take(raw)
    assert result.state == "created"
    assert "vornach" in Ticket.objects.get(number=result.ticket).articles.get().body_text


def test_reply_to_a_mail_tresen_sent_threads_by_its_message_id(take):
    from tresen.notifications.outbox import queue_mail

    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    sent = queue_mail(
        to=["carla@kunde.example"],
        subject="Ihre Anfrage",
        text="Wir sind dran.",
        language="de",
        ticket=ticket,
    )
    result = take(
        build_mail(
            subject="Antwort ohne Nummer", body="Danke!", headers={"In-Reply-To": sent.message_id}
        )
    )
    assert (result.state, result.rule, result.ticket) == ("appended", "in_reply_to", ticket.number)


def test_bounce_of_a_mail_tresen_sent_lands_on_its_ticket(take):
    from tests.mail.test_outcomes import dsn
    from tresen.notifications.outbox import queue_mail

    ticket = Ticket.objects.get(number=take(build_mail()).ticket)
    sent = queue_mail(
        to=["carla@kunde.example"], subject="Ihre Anfrage", text="x", language="de", ticket=ticket
    )
    result = take(dsn(sent.message_id, "carla@kunde.example", "5.2.2", "552 5.2.2 Mailbox full"))
    assert (result.state, result.ticket) == ("bounce", ticket.number)
    note = ticket.articles.order_by("id").last()
    assert note.meta["mail"]["bounce"]["reason"] == "mailboxfull"
    assert note.meta["mail"]["bounce"]["hard"] is False

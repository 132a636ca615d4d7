"""What agents receive by mail: new tickets, assignments, customer answers, watched tickets."""

from __future__ import annotations

import pytest

from tests.factories import AgentFactory, make_ticket
from tresen.accounts.models import GroupMembership
from tresen.core.errors import ValidationError
from tresen.mail.reply_tokens import parse_reply_address
from tresen.notifications.models import NotificationKind
from tresen.notifications.preferences import preferences_for, set_preference
from tresen.tickets.models import Channel
from tresen.tickets.services import add_watcher, assign, change_state, post_article

pytestmark = [pytest.mark.django_db, pytest.mark.peer]


def plain(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def portal_ticket(requester, group):
    return make_ticket(requester=requester, group=group, channel=Channel.WEB, title="VPN bricht ab")


def test_new_ticket_tells_each_agent_of_the_group_in_their_language(
    committed, smtp_peer, support, german_agent, english_agent, english_customer
):
    with committed():
        ticket = portal_ticket(english_customer, support)

    smtp_peer.wait_for(3)
    [german] = smtp_peer.to("greta@staff.example")
    [english] = smtp_peer.to("ed@staff.example")
    assert german["Subject"] == f"[{ticket.number}] Neues Ticket in Support: VPN bricht ab"
    assert english["Subject"] == f"[{ticket.number}] New ticket in Support: VPN bricht ab"
    assert german["Auto-Submitted"] == "auto-generated"
    assert german["From"].addresses[0].addr_spec == "support@helpdesk.example"
    assert parse_reply_address(german["Reply-To"].addresses[0].addr_spec) == ticket.pk
    text = plain(german)
    assert "Hallo Greta Agentin" in text
    assert f"In der Gruppe Support ist das neue Ticket {ticket.number} eingegangen." in text
    assert f"/desk/tickets/{ticket.number}/" in text
    assert "Hello, the printer shows error E42." in text


def test_the_agent_who_opens_a_ticket_is_not_told_about_it(
    committed, smtp_peer, support, german_agent, english_agent, english_customer
):
    with committed():
        make_ticket(
            actor=english_agent,
            requester=english_customer,
            group=support,
            channel=Channel.PHONE,
            article_kind="phone",
        )

    smtp_peer.wait_for(1)
    assert smtp_peer.to("ed@staff.example") == []
    assert len(smtp_peer.to("greta@staff.example")) == 1


def test_assignment_is_mailed_in_german_but_not_when_taking_a_ticket_oneself(
    committed, smtp_peer, support, german_agent, english_agent, english_customer
):
    set_preference(german_agent, NotificationKind.AGENT_NEW_TICKET, False)
    set_preference(english_agent, NotificationKind.AGENT_NEW_TICKET, False)
    with committed():
        ticket = portal_ticket(english_customer, support)
    smtp_peer.wait_for(1)  # the customer's receipt
    with committed():
        assign(actor=english_agent, ticket=ticket, owner=german_agent)

    [mail] = smtp_peer.wait_for(2)[1:]
    assert smtp_peer.envelopes[1]["to"] == ["greta@staff.example"]
    assert (
        mail["Subject"]
        == f"[{ticket.number}] Ticket {ticket.number} wurde Ihnen zugewiesen: VPN bricht ab"
    )
    assert f"Ed Agent hat Ihnen das Ticket {ticket.number} zugewiesen." in plain(mail)

    with committed():
        assign(actor=english_agent, ticket=ticket, owner=english_agent)
    assert len(smtp_peer.messages) == 2


def test_customer_answer_goes_to_the_owner_and_watchers(
    committed, smtp_peer, support, german_agent, english_agent, english_customer
):
    for agent in (german_agent, english_agent):
        set_preference(agent, NotificationKind.AGENT_NEW_TICKET, False)
    with committed():
        ticket = portal_ticket(english_customer, support)
        assign(actor=german_agent, ticket=ticket, owner=german_agent)
        add_watcher(actor=english_agent, ticket=ticket, agent=english_agent)
    smtp_peer.wait_for(1)

    with committed():
        post_article(actor=english_customer, ticket=ticket, body_text="Still broken today.")

    smtp_peer.wait_for(3)
    [to_owner] = smtp_peer.to("greta@staff.example")
    [to_watcher] = smtp_peer.to("ed@staff.example")
    assert to_owner["Subject"] == (
        f"[{ticket.number}] Eric Customer hat auf Ticket {ticket.number} geantwortet"
    )
    assert "Still broken today." in plain(to_owner)
    assert (
        to_watcher["Subject"]
        == f"[{ticket.number}] Update on ticket {ticket.number}: VPN bricht ab"
    )
    assert "Still broken today." in plain(to_watcher)


def test_watchers_hear_of_state_changes_in_german_and_never_of_their_own(
    committed, smtp_peer, support, german_agent, english_agent, english_customer
):
    for agent in (german_agent, english_agent):
        set_preference(agent, NotificationKind.AGENT_NEW_TICKET, False)
    with committed():
        ticket = portal_ticket(english_customer, support)
        add_watcher(actor=german_agent, ticket=ticket, agent=german_agent)
        add_watcher(actor=english_agent, ticket=ticket, agent=english_agent)
    smtp_peer.wait_for(1)

    with committed():
        change_state(actor=english_agent, ticket=ticket, state="resolved")

    smtp_peer.wait_for(3)  # receipt, resolved mail to the customer, one watcher
    assert smtp_peer.to("ed@staff.example") == []
    [mail] = smtp_peer.to("greta@staff.example")
    assert mail["Subject"] == f"[{ticket.number}] Änderung an Ticket {ticket.number}: VPN bricht ab"
    assert f"Ed Agent hat das Ticket {ticket.number} auf „" in plain(mail)
    assert "weil Sie das Ticket beobachten" in plain(mail)


def test_internal_notes_reach_watchers_but_not_the_customer(
    committed, smtp_peer, support, german_agent, english_agent, english_customer
):
    for agent in (german_agent, english_agent):
        set_preference(agent, NotificationKind.AGENT_NEW_TICKET, False)
    with committed():
        ticket = portal_ticket(english_customer, support)
        add_watcher(actor=german_agent, ticket=ticket, agent=german_agent)
    smtp_peer.wait_for(1)

    with committed():
        post_article(actor=english_agent, ticket=ticket, kind="note", body_text="Call back at 3")

    [mail] = smtp_peer.to("greta@staff.example")
    assert "eine interne Notiz hinzugefügt" in plain(mail)
    assert len(smtp_peer.to(english_customer.email)) == 1  # only the receipt


def test_agents_who_can_no_longer_see_the_ticket_get_nothing(
    committed, smtp_peer, support, german_agent, english_agent, english_customer
):
    for agent in (german_agent, english_agent):
        set_preference(agent, NotificationKind.AGENT_NEW_TICKET, False)
    with committed():
        ticket = portal_ticket(english_customer, support)
        add_watcher(actor=german_agent, ticket=ticket, agent=german_agent)
    GroupMembership.objects.filter(user=german_agent).delete()

    with committed():
        post_article(actor=english_agent, ticket=ticket, body_text="Fixed.")

    smtp_peer.wait_for(2)
    assert smtp_peer.to("greta@staff.example") == []


def test_agent_preferences_turn_kinds_off_one_by_one(
    committed, smtp_peer, support, german_agent, english_customer
):
    other = AgentFactory(email="otto@staff.example", language="de")
    set_preference(german_agent, NotificationKind.AGENT_NEW_TICKET, False)
    choices = {c.kind: c.enabled for c in preferences_for(german_agent)}
    assert choices == {
        "agent.new_ticket": False,
        "agent.assigned": True,
        "agent.customer_replied": True,
        "agent.watched_update": True,
    }

    with committed():
        portal_ticket(english_customer, support)

    smtp_peer.wait_for(1)
    assert smtp_peer.to("greta@staff.example") == []
    assert smtp_peer.to(other.email) == []  # not in the group


def test_customers_choose_among_customer_notifications_only(english_customer):
    kinds = [choice.kind for choice in preferences_for(english_customer)]
    assert kinds == ["customer.receipt", "customer.reply", "customer.resolved"]
    with pytest.raises(ValidationError):
        set_preference(english_customer, NotificationKind.AGENT_ASSIGNED, False)


def test_handover_to_a_named_agent_of_another_group_tells_them(
    committed, smtp_peer, support, english_agent, english_customer
):
    from tests.factories import GroupFactory, add_member
    from tresen.tickets.services import transfer

    second_level = GroupFactory(name="Second Level", email="second@helpdesk.example")
    specialist = AgentFactory(name="Sina Spezialistin", email="sina@staff.example", language="de")
    add_member(second_level, specialist)
    add_member(second_level, english_agent)
    set_preference(english_agent, NotificationKind.AGENT_NEW_TICKET, False)
    with committed():
        ticket = portal_ticket(english_customer, support)

    with committed():
        transfer(actor=english_agent, ticket=ticket, group=second_level, owner=specialist)

    [mail] = smtp_peer.to("sina@staff.example")
    assert "wurde Ihnen zugewiesen" in mail["Subject"]
    assert mail["From"].addresses[0].addr_spec == "second@helpdesk.example"

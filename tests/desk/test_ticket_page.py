import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import AgentFactory, CategoryFactory, GroupFactory, add_member, make_ticket
from tresen.desk.models import Draft, TextModule
from tresen.tickets import services
from tresen.tickets.models import Article, CustomField, Event, Ticket, TicketLink
from tresen.tickets.states import State


@pytest.fixture
def ticket(customer, group):
    return make_ticket(requester=customer, group=group, title="Printer jammed")


def url(name, ticket, *args):
    return reverse(f"desk:{name}", args=[ticket.number, *args])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_timeline_shows_articles_events_and_internal_notes_in_order(agent_client, agent, ticket):
    services.post_article(actor=agent, ticket=ticket, kind="note", body_text="Checked toner.")
    services.set_priority(actor=agent, ticket=ticket, priority=4)
    page = agent_client.get(url("ticket", ticket))
    text = page.text
    assert text.index("error E42") < text.index("Checked toner.") < text.index("priority")
    assert "internal note" in text


def test_quoted_history_is_collapsed_in_details(agent_client, agent, ticket):
    body = "Fixed?\n\nOn Mon, 3 Feb 2025, Carl wrote:\n> a\n> b\n> c\n> d"
    services.post_article(actor=None, ticket=ticket, body_text=body, sender=ticket.requester)
    page = agent_client.get(url("ticket", ticket))
    assert '<details class="quoted">' in page.text
    assert "Show quoted history" in page.text


def test_public_reply_with_signature_is_sent_and_draft_removed(agent_client, agent, ticket, group):
    group.signature = "Kind regards\n{agent_name}, First Level"
    group.save()
    agent_client.post(url("draft", ticket), {"body": "Half", "kind": "message"})
    response = agent_client.post(
        url("reply", ticket),
        {"kind": "message", "body": "We replaced it.", "signature": "1", "version": ticket.version},
        follow=True,
    )
    assert "The reply was sent." in messages_of(response)
    article = Article.objects.filter(ticket=ticket).latest("id")
    assert not article.is_internal
    assert article.body_text.endswith("Kind regards\nAnna Agent, First Level")
    assert not Draft.objects.filter(ticket=ticket).exists()
    ticket.refresh_from_db()
    assert ticket.state == State.OPEN


def test_internal_note_is_internal(agent_client, ticket):
    agent_client.post(
        url("reply", ticket), {"kind": "note", "body": "Only for us", "version": ticket.version}
    )
    article = Article.objects.filter(ticket=ticket).latest("id")
    assert article.is_internal and article.kind == "note"


def test_reply_with_attachment_can_be_downloaded(agent_client, ticket):
    upload = SimpleUploadedFile("notes.txt", b"plain notes", content_type="text/plain")
    agent_client.post(
        url("reply", ticket),
        {"kind": "note", "body": "See file", "version": ticket.version, "attachments": upload},
    )
    attachment = Article.objects.filter(ticket=ticket).latest("id").attachments.get()
    response = agent_client.get(reverse("desk:attachment", args=[attachment.pk]))
    assert b"".join(response.streaming_content) == b"plain notes"
    assert "attachment" in response["Content-Disposition"]


def test_draft_survives_a_reload(agent_client, ticket):
    response = agent_client.post(
        url("draft", ticket), {"body": "Dear Carl, about your printer", "kind": "note"}
    )
    assert "Draft saved" in response.text
    page = agent_client.get(url("ticket", ticket))
    assert "Dear Carl, about your printer</textarea>" in page.text
    assert 'value="note" checked' in page.text


def test_reply_on_an_outdated_page_is_refused_and_the_text_kept(agent_client, agent, ticket):
    old_version = ticket.version
    services.set_priority(
        actor=AgentFactory(is_superuser=True, role="admin"), ticket=ticket, priority=3
    )
    response = agent_client.post(
        url("reply", ticket),
        {"kind": "message", "body": "My late answer", "version": old_version},
        follow=True,
    )
    assert any("Someone else changed this ticket" in m for m in messages_of(response))
    assert not Article.objects.filter(body_text="My late answer").exists()
    assert "My late answer</textarea>" in response.text


def test_change_on_an_outdated_page_overwrites_nothing(agent_client, agent, ticket):
    old_version = ticket.version
    services.set_priority(actor=agent, ticket=ticket, priority=4)
    response = agent_client.post(
        url("change", ticket, "priority"), {"priority": "1", "version": old_version}, follow=True
    )
    ticket.refresh_from_db()
    assert ticket.priority == 4
    assert any("Someone else changed this ticket" in m for m in messages_of(response))


def test_state_with_pending_date_priority_owner_type_category_tags_fields(
    agent_client, agent, ticket, group
):
    category = CategoryFactory(group=group, name="Printer")
    CustomField.objects.create(key="asset", label_en="Asset", label_de="Inventar", kind="text")

    def change(what, data):
        ticket.refresh_from_db()
        response = agent_client.post(
            url("change", ticket, what), {**data, "version": ticket.version}, follow=True
        )
        assert "Saved." in messages_of(response), messages_of(response)

    change("state", {"state": "pending_reminder", "pending_until": "2030-01-02T09:30"})
    change("priority", {"priority": "3"})
    change("owner", {"owner": str(agent.pk)})
    change("type", {"type": "question"})
    change("category", {"category": str(category.pk)})
    change("tags", {"tags": "printer, floor 2"})
    change("fields", {"cf_asset": "PC-7"})
    ticket.refresh_from_db()
    assert ticket.state == State.PENDING_REMINDER
    assert ticket.pending_until == datetime.datetime(
        2030, 1, 2, 8, 30, tzinfo=datetime.UTC
    )  # 09:30 in Berlin, the agent's time zone
    assert (ticket.priority, ticket.owner, ticket.type) == (3, agent, "question")
    assert ticket.category == category
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["floor 2", "printer"]
    assert ticket.custom_fields == {"asset": "PC-7"}


def test_a_forbidden_transition_is_a_message_not_an_error(agent_client, agent, ticket):
    services.change_state(actor=agent, ticket=ticket, state=State.CLOSED)
    ticket.refresh_from_db()
    response = agent_client.post(
        url("change", ticket, "state"),
        {"state": "pending_close", "version": ticket.version},
        follow=True,
    )
    assert response.status_code == 200
    assert any("cannot go from" in m for m in messages_of(response))


def test_transfer_hands_over_with_a_note(agent_client, agent, ticket, second_level):
    add_member(second_level, agent)
    agent_client.post(
        url("transfer", ticket),
        {"group": second_level.pk, "note": "Needs a new fuser.", "version": ticket.version},
    )
    ticket.refresh_from_db()
    assert ticket.group == second_level
    assert Article.objects.filter(ticket=ticket, body_text="Needs a new fuser.").exists()


def test_merge_moves_the_conversation_into_the_target(agent_client, ticket, customer, group):
    target = make_ticket(requester=customer, group=group, title="The older one")
    response = agent_client.post(url("merge", ticket), {"target": target.number})
    assert response.url == target.get_absolute_url()
    ticket.refresh_from_db()
    assert ticket.state == State.MERGED and ticket.merged_into == target


def test_merge_into_an_invisible_ticket_is_refused(agent_client, ticket, customer):
    hidden = make_ticket(requester=customer, group=GroupFactory(name="HR"))
    response = agent_client.post(url("merge", ticket), {"target": hidden.number}, follow=True)
    assert any(f"There is no ticket {hidden.number}" in m for m in messages_of(response))
    ticket.refresh_from_db()
    assert ticket.state == State.NEW


def test_split_link_unlink_and_watch(agent_client, agent, ticket, customer, group):
    article = ticket.articles.get()
    response = agent_client.post(url("split", ticket), {"article": article.pk})
    new = Ticket.objects.exclude(pk=ticket.pk).get()
    assert response.url == new.get_absolute_url()
    other = make_ticket(requester=customer, group=group)
    agent_client.post(url("link", ticket), {"target": other.number, "kind": "parent"})
    link = TicketLink.objects.get(source=ticket, target=other)
    page = agent_client.get(url("ticket", other))
    assert ticket.number in page.text
    agent_client.post(url("unlink", ticket, link.pk))
    assert not TicketLink.objects.filter(pk=link.pk).exists()
    agent_client.post(url("watch", ticket), {"watch": "1"})
    assert list(ticket.watchers.all()) == [agent]


def test_log_a_call_records_a_phone_article(agent_client, ticket):
    agent_client.post(url("call", ticket), {"body": "Called back, fixed.", "internal": "1"})
    article = Article.objects.filter(ticket=ticket).latest("id")
    assert (article.kind, article.channel, article.is_internal) == ("phone", "phone", True)


def test_text_modules_are_offered_with_placeholders_filled(agent_client, ticket, group):
    TextModule.objects.create(
        name="Greeting", body="Hello {requester_name}, about {ticket_number}. {agent_name}"
    )
    TextModule.objects.create(name="Other group", body="x", group=GroupFactory(name="HR"))
    page = agent_client.get(url("ticket", ticket))
    assert f"Hello Carl Customer, about {ticket.number}. Anna Agent" in page.text
    assert "Other group" not in page.text


def test_side_panel_lists_the_requesters_other_tickets(agent_client, ticket, customer, group):
    other = make_ticket(requester=customer, group=group, title="Second matter")
    hidden = make_ticket(requester=customer, group=GroupFactory(name="HR"), title="Secret HR")
    page = agent_client.get(url("ticket", ticket))
    assert other.number in page.text
    assert hidden.number not in page.text


def test_presence_shows_the_other_agent_and_whether_they_type(client, agent, ticket, group):
    colleague = AgentFactory(name="Bernd Colleague")
    add_member(group, colleague)
    client.force_login(colleague)
    client.post(url("presence", ticket), {"typing": "1"})
    client.force_login(agent)
    response = client.post(url("presence", ticket), {"typing": "0"})
    assert "Bernd Colleague is writing on this ticket." in response.text
    page = client.get(url("ticket", ticket))
    assert "Bernd Colleague" in page.text


def test_presence_forgets_agents_who_left(client, agent, ticket, group):
    from tresen.desk.models import Presence

    colleague = AgentFactory(name="Gone Agent")
    add_member(group, colleague)
    Presence.objects.create(
        user=colleague, ticket=ticket, seen_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    client.force_login(agent)
    assert "Gone Agent" not in client.post(url("presence", ticket)).text


def test_heartbeats_of_pages_closed_long_ago_are_deleted(agent, ticket, group):
    from tresen.desk.models import Presence
    from tresen.desk.presence import forget_gone
    from tresen.desk.tasks import forget_gone_presence_task

    colleague = AgentFactory(name="Left Yesterday")
    add_member(group, colleague)
    now = timezone.now()
    Presence.objects.create(user=agent, ticket=ticket, seen_at=now)
    Presence.objects.create(user=colleague, ticket=ticket, seen_at=now - datetime.timedelta(days=1))

    assert forget_gone(now=now) == 1
    assert list(Presence.objects.values_list("user__name", flat=True)) == [agent.name]
    forget_gone_presence_task.call_local()
    assert Presence.objects.count() == 1, "a page open now keeps its heartbeat"


def test_invisible_ticket_is_404_on_every_view(agent_client, customer):
    hidden = make_ticket(requester=customer, group=GroupFactory(name="HR"))
    assert agent_client.get(url("ticket", hidden)).status_code == 404
    assert agent_client.post(url("reply", hidden), {"body": "x"}).status_code == 404
    assert agent_client.post(url("change", hidden, "priority"), {"priority": 1}).status_code == 404
    assert agent_client.post(url("presence", hidden)).status_code == 404


def test_read_only_agent_sees_the_ticket_but_may_not_write(client, reader, ticket):
    client.force_login(reader)
    page = client.get(url("ticket", ticket))
    assert page.status_code == 200
    assert 'id="composer"' not in page.text
    assert client.post(url("reply", ticket), {"body": "x"}).status_code == 403
    assert client.post(url("change", ticket, "priority"), {"priority": "1"}).status_code == 403
    assert client.post(url("draft", ticket), {"body": "x"}).status_code == 403
    assert not Event.objects.filter(ticket=ticket, kind="ticket.priority_changed").exists()

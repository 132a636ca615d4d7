import pytest
from django.urls import reverse

from tests.factories import AgentFactory, GroupFactory, add_member, make_ticket
from tresen.tickets import services
from tresen.tickets.models import Event, Ticket
from tresen.tickets.states import State


@pytest.fixture
def three(customer, group):
    return [make_ticket(requester=customer, group=group, title=f"Bulk {i}") for i in range(3)]


def bulk(client, tickets, **data):
    return client.post(
        reverse("desk:bulk"),
        {"ticket": [t.pk for t in tickets], "next": "/desk/?queue=all", **data},
        follow=True,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_bulk_assign_assigns_every_selected_ticket(agent_client, agent, three):
    response = bulk(agent_client, three, action="assign", owner="me")
    assert "3 tickets were changed." in messages_of(response)
    assert set(Ticket.objects.values_list("owner", flat=True)) == {agent.pk}


def test_one_refusal_rolls_back_the_whole_selection_and_names_the_ticket(
    agent_client, agent, three
):
    services.change_state(actor=agent, ticket=three[1], state=State.CLOSED)
    before = Event.objects.count()
    response = bulk(agent_client, three, action="state", state="resolved")
    [message] = messages_of(response)
    assert message.startswith(f"Nothing was changed: ticket {three[1].number} refused:")
    assert "cannot go from" in message
    assert list(Ticket.objects.order_by("pk").values_list("state", flat=True)) == [
        "new",
        "closed",
        "new",
    ]
    assert Event.objects.count() == before


def test_bulk_with_a_read_only_ticket_changes_nothing(agent_client, agent, three, customer):
    readonly = GroupFactory(name="Read only")
    add_member(readonly, agent, access="read")
    other = make_ticket(requester=customer, group=readonly)
    response = bulk(agent_client, [*three, other], action="priority", priority="4")
    assert any("Nothing was changed" in m for m in messages_of(response))
    assert not Ticket.objects.filter(priority=4).exists()


def test_bulk_priority_group_and_tags(agent_client, agent, three, second_level):
    bulk(agent_client, three, action="priority", priority="3")
    bulk(agent_client, three, action="tags", tags="printer, urgent")
    assert set(Ticket.objects.values_list("priority", flat=True)) == {3}
    assert all(
        sorted(t.tags.values_list("name", flat=True)) == ["printer", "urgent"]
        for t in Ticket.objects.all()
    )
    bulk(agent_client, three, action="group", group=second_level.pk, note="For you")
    assert set(Ticket.objects.values_list("group", flat=True)) == {second_level.pk}


def test_bulk_merge_merges_into_the_oldest_selected(agent_client, three):
    response = bulk(agent_client, three, action="merge")
    assert "3 tickets were changed." in messages_of(response)
    oldest = three[0]
    assert list(
        Ticket.objects.filter(state=State.MERGED).values_list("merged_into", flat=True)
    ) == [oldest.pk, oldest.pk]
    assert oldest.articles.count() == 3


def test_bulk_merge_into_a_named_ticket(agent_client, three, customer, group):
    target = make_ticket(requester=customer, group=group)
    bulk(agent_client, three[:2], action="merge", target=target.number)
    assert Ticket.objects.filter(merged_into=target).count() == 2


def test_bulk_without_selection_or_action_says_so(agent_client, three):
    assert "Select at least one ticket." in messages_of(bulk(agent_client, [], action="assign"))
    assert "Choose an action." in messages_of(bulk(agent_client, three, action="explode"))


def test_bulk_assign_to_someone_without_access_fails_with_the_reason(agent_client, three):
    outsider = AgentFactory(name="Outsider")
    response = bulk(agent_client, three, action="assign", owner=str(outsider.pk))
    assert any("has no full access" in m for m in messages_of(response))
    assert not Ticket.objects.filter(owner__isnull=False).exists()

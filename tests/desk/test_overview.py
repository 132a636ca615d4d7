import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    GroupFactory,
    OrganisationFactory,
    add_member,
    make_ticket,
)
from tresen.desk import ticket_list
from tresen.desk.models import SavedView
from tresen.tickets import services
from tresen.tickets.models import Channel, CustomField, Priority, Ticket, TicketType
from tresen.tickets.states import State


def numbers(response) -> list[str]:
    page = response.context["page"]
    return [t.number for t in page.tickets]


def test_my_open_tickets_hold_only_my_active_tickets(agent_client, agent, group, customer):
    mine = make_ticket(requester=customer, group=group, owner=agent)
    make_ticket(requester=customer, group=group)
    closed = make_ticket(requester=customer, group=group, owner=agent)
    services.change_state(actor=agent, ticket=closed, state=State.CLOSED)
    assert numbers(agent_client.get(reverse("desk:home"))) == [mine.number]


def test_unassigned_queue_lists_only_tickets_without_owner_in_my_groups(
    agent_client, agent, group, customer
):
    free = make_ticket(requester=customer, group=group)
    make_ticket(requester=customer, group=group, owner=agent)
    make_ticket(requester=customer, group=GroupFactory(name="Elsewhere"))
    response = agent_client.get(reverse("desk:home"), {"queue": "unassigned"})
    assert numbers(response) == [free.number]


def test_tickets_of_groups_i_am_not_in_never_appear(agent_client, group, customer):
    make_ticket(requester=customer, group=GroupFactory(name="HR"), title="Salary question")
    response = agent_client.get(reverse("desk:home"), {"queue": "all"})
    assert numbers(response) == []
    assert "Salary question" not in response.text


def test_reminders_queue_shows_only_reminders_that_are_due(agent_client, agent, group, customer):
    due = make_ticket(requester=customer, group=group)
    later = make_ticket(requester=customer, group=group)
    now = timezone.now()
    services.change_state(actor=agent, ticket=due, state=State.PENDING_REMINDER, pending_until=now)
    services.change_state(
        actor=agent,
        ticket=later,
        state=State.PENDING_REMINDER,
        pending_until=now + datetime.timedelta(days=2),
    )
    response = agent_client.get(reverse("desk:home"), {"queue": "reminders"})
    assert numbers(response) == [due.number]


def test_sla_queue_is_empty_with_a_note_until_slas_exist(agent_client, group, customer):
    make_ticket(requester=customer, group=group)
    response = agent_client.get(reverse("desk:home"), {"queue": "sla"})
    assert numbers(response) == []
    assert "No service level agreements are configured yet." in response.text


def test_counts_fragment_counts_each_queue(agent_client, agent, group, customer):
    make_ticket(requester=customer, group=group, owner=agent)
    make_ticket(requester=customer, group=group)
    make_ticket(requester=customer, group=group)
    response = agent_client.get(reverse("desk:counts"), HTTP_HX_REQUEST="true")
    assert response.context["counts"] == {
        "mine": 1,
        "unassigned": 2,
        "open": 3,
        "reminders": 0,
        "sla": 0,
    }


@pytest.fixture
def varied(agent, group, customer):
    """Tickets that differ in every filterable property."""
    org = OrganisationFactory(name="Acme GmbH")
    acme_person = CustomerFactory(name="Berta Acme", organisation=org)
    category = CategoryFactory(group=group, name="Printer")
    CustomField.objects.create(
        key="asset", label_en="Asset", label_de="Inventar", kind="text", group=group
    )
    other = AgentFactory(name="Otto Other")
    add_member(group, other)
    plain = make_ticket(requester=customer, group=group, title="Plain one")
    special = make_ticket(
        requester=acme_person,
        group=group,
        title="Special one",
        priority=Priority.URGENT,
        type=TicketType.QUESTION,
        category=category,
        channel=Channel.PHONE,
        owner=other,
        tags=["vip"],
        custom_fields={"asset": "PC-42"},
    )
    return {"plain": plain, "special": special, "category": category, "other": other}


@pytest.mark.parametrize(
    "query",
    [
        {"priority": "4"},
        {"type": "question"},
        {"channel": "phone"},
        {"tag": "vip"},
        {"requester": "Berta"},
        {"organisation": "Acme"},
        {"cf_asset": "PC-42"},
        {"state": "new", "priority": "4"},
    ],
)
def test_each_filter_narrows_the_list_to_the_matching_ticket(agent_client, varied, query):
    response = agent_client.get(reverse("desk:home"), query)
    assert numbers(response) == [varied["special"].number]


def test_owner_group_category_filters(agent_client, varied, group):
    home = reverse("desk:home")
    special = varied["special"].number
    assert numbers(agent_client.get(home, {"owner": str(varied["other"].pk)})) == [special]
    assert numbers(agent_client.get(home, {"owner": "none"})) == [varied["plain"].number]
    assert numbers(agent_client.get(home, {"category": str(varied["category"].pk)})) == [special]
    assert len(numbers(agent_client.get(home, {"group": str(group.pk)}))) == 2


def test_date_ranges_filter_on_created_and_updated(agent_client, varied):
    old = varied["plain"]
    Ticket.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30),
        updated_at=timezone.now() - datetime.timedelta(days=30),
    )
    today = timezone.localdate().isoformat()
    response = agent_client.get(reverse("desk:home"), {"created_from": today})
    assert numbers(response) == [varied["special"].number]
    response = agent_client.get(
        reverse("desk:home"), {"updated_to": (timezone.localdate() - datetime.timedelta(days=2))}
    )
    assert numbers(response) == [old.number]


def test_text_filter_finds_a_ticket_by_number_and_by_title(agent_client, varied):
    home = reverse("desk:home")
    special = varied["special"]
    assert numbers(agent_client.get(home, {"q": special.number})) == [special.number]


COLUMNS = [
    "number",
    "title",
    "requester",
    "group",
    "owner",
    "state",
    "priority",
    "created",
    "updated",
]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_walk_every_ticket_once_in_sort_order(
    agent_client, agent, group, monkeypatch, column, descending
):
    monkeypatch.setattr(ticket_list, "PAGE_SIZE", 3)
    second = GroupFactory(name="Another group")
    add_member(second, agent)
    for index in range(8):
        make_ticket(
            requester=CustomerFactory(name=f"Requester {index % 3}"),
            group=group if index % 2 else second,
            title=f"Title {index % 4}",
            priority=1 + index % 4,
            owner=agent if index % 3 == 0 else None,
        )
    sort = f"-{column}" if descending else column
    seen: list[str] = []
    query = {"queue": "all", "sort": sort}
    pages = 0
    while True:
        response = agent_client.get(reverse("desk:home"), query)
        page = response.context["page"]
        seen.extend(t.number for t in page.tickets)
        pages += 1
        if not page.next_cursor:
            break
        query = {"queue": "all", "sort": sort, "after": page.next_cursor}
    assert pages == 3
    assert sorted(seen) == sorted(Ticket.objects.values_list("number", flat=True))
    expression = ticket_list.COLUMNS[column].expression
    ordered = (
        Ticket.objects.alias(v=expression)
        .order_by("-v" if descending else "v", "-pk" if descending else "pk")
        .values_list("number", flat=True)
    )
    assert seen == list(ordered)
    # And back: the previous page of the last page is the middle page.
    back = agent_client.get(
        reverse("desk:home"), {"queue": "all", "sort": sort, "before": page.previous_cursor}
    )
    assert numbers(back) == seen[3:6]


def test_a_broken_cursor_shows_the_first_page(agent_client, agent, group, customer):
    ticket = make_ticket(requester=customer, group=group, owner=agent)
    response = agent_client.get(reverse("desk:home"), {"after": "not-a-cursor!"})
    assert response.status_code == 200
    assert numbers(response) == [ticket.number]


def test_saved_view_keeps_the_filters_and_opens_them_again(agent_client, agent, varied):
    response = agent_client.post(
        reverse("desk:save_view"), {"name": "VIP", "query": "tag=vip&queue=all&after=x"}
    )
    view = SavedView.objects.get(owner=agent)
    assert view.query == "tag=vip&queue=all"
    assert response.url.endswith(f"?tag=vip&queue=all&view={view.pk}")
    page = agent_client.get(response.url)
    assert numbers(page) == [varied["special"].number]
    assert "VIP" in page.text


def test_customers_find_no_desk(client, customer):
    client.force_login(customer)
    assert client.get(reverse("desk:home")).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert "/login/" in response.url

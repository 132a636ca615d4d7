"""Every list costs the same number of queries however many rows it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CategoryFactory, CustomerFactory, OrganisationFactory, make_ticket
from tresen.accounts.models import PhoneNumber
from tresen.search.index import reindex_ticket
from tresen.tickets import services

# Session, user, memberships and the few lookups of the page: a ceiling, not a target.
OVERVIEW_QUERIES = 14
TICKET_PAGE_QUERIES = 22


def fill(count, agent, group):
    org = OrganisationFactory(name="Org")
    customer = CustomerFactory(name="Many Tickets", organisation=org)
    PhoneNumber.objects.create(user=customer, number="+4930555000")
    # Categories are listed on both pages: their group and parents must not cost a query each.
    hardware = CategoryFactory(group=group, name=f"Hardware {count}")
    for index in range(3):
        CategoryFactory(group=group, parent=hardware, name=f"Printer {count}-{index}")
    tickets = []
    for index in range(count):
        ticket = make_ticket(
            requester=customer,
            group=group,
            title=f"Monitor flickers {index}",
            owner=agent if index % 2 else None,
            tags=["screen", f"t{index}"],
        )
        reindex_ticket(ticket.pk)
        tickets.append(ticket)
    return tickets


def count_queries(client, path, data=None, method="get"):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data or {})
    assert response.status_code == 200
    return len(captured)


LISTS = [
    (reverse("desk:home"), {"queue": "mine"}),
    (reverse("desk:home"), {"queue": "unassigned"}),
    (reverse("desk:home"), {"queue": "open", "sort": "owner"}),
    (reverse("desk:home"), {"queue": "recent", "tag": "screen", "priority": "2"}),
    (reverse("desk:home"), {"queue": "all", "q": "monitor"}),
    (reverse("desk:counts"), {}),
    (reverse("desk:search"), {"q": "monitor"}),
    (reverse("desk:callers"), {"caller": "030 555000"}),
]


@pytest.mark.parametrize(("path", "data"), LISTS)
@pytest.mark.parametrize("count", [5, 50])
def test_lists_stay_within_a_constant_number_of_queries(
    agent_client, agent, group, django_assert_max_num_queries, path, data, count
):
    fill(count, agent, group)
    with django_assert_max_num_queries(OVERVIEW_QUERIES):
        response = agent_client.get(path, data)
    assert response.status_code == 200


@pytest.mark.parametrize(("path", "data"), LISTS)
def test_lists_cost_the_same_with_5_and_50_tickets(agent_client, agent, group, path, data):
    fill(5, agent, group)
    few = count_queries(agent_client, path, data)
    fill(45, agent, group)
    many = count_queries(agent_client, path, data)
    assert few == many


def test_ticket_page_costs_the_same_with_5_and_50_articles(
    agent_client, agent, group, django_assert_max_num_queries
):
    ticket = fill(1, agent, group)[0]
    path = ticket.get_absolute_url()

    def add_articles(n):
        for index in range(n):
            services.post_article(
                actor=agent, ticket=ticket, kind="note", body_text=f"Note {index}"
            )

    add_articles(4)
    agent_client.get(path)  # the first visit also creates the presence row
    few = count_queries(agent_client, path)
    add_articles(45)
    with django_assert_max_num_queries(TICKET_PAGE_QUERIES):
        many = count_queries(agent_client, path)
    assert few == many

"""Query counts of the access selectors, lost-update protection and the pending-date task."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    OrganisationFactory,
    add_member,
    make_ticket,
)
from tresen.core.errors import PermissionDenied, StaleObject
from tresen.tickets import services
from tresen.tickets.access import access_ticket, visible_tickets
from tresen.tickets.models import Priority
from tresen.tickets.states import State
from tresen.tickets.tasks import act_on_pending_dates_task


def _people(group):
    organisation = OrganisationFactory(name="Shared KG", shared_tickets=True)
    customer = CustomerFactory(organisation=organisation)
    agent = AgentFactory()
    add_member(group, agent)
    return {"admin": AdminFactory(), "agent": agent, "customer": customer}


def _fresh(user):
    # A person as a request sees them: loaded anew, nothing cached on the object.
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("who", ["admin", "agent", "customer"])
@pytest.mark.parametrize("count", [2, 25])
def test_visible_ticket_list_takes_one_query_however_many_tickets(
    who, count, group, django_assert_num_queries
):
    people = _people(group)
    colleague = CustomerFactory(organisation=people["customer"].organisation)
    for i in range(count):
        make_ticket(requester=people["customer"] if i % 2 else colleague, group=group)
    user = _fresh(people[who])

    with django_assert_num_queries(1):
        rows = list(
            visible_tickets(user)
            .select_related("requester", "group", "owner", "organisation")
            .order_by("-updated_at", "-id")[:50]
        )
    assert len(rows) == count


@pytest.mark.parametrize("who", ["admin", "agent", "customer"])
@pytest.mark.parametrize("count", [1, 20])
def test_access_ticket_takes_constant_queries(who, count, group, django_assert_num_queries):
    people = _people(group)
    tickets = [make_ticket(requester=people["customer"], group=group) for _ in range(count)]
    user = _fresh(people[who])

    with django_assert_num_queries(1):
        found = access_ticket(user, number=tickets[-1].number)
    assert found.requester.pk == people["customer"].pk  # joined, no further query

    # Opening for a write asks the membership once more for agents; customers are refused.
    with django_assert_num_queries(2 if who == "agent" else 1):
        if who == "customer":
            with pytest.raises(PermissionDenied):
                access_ticket(user, pk=tickets[0].pk, write=True)
        else:
            assert access_ticket(user, pk=tickets[0].pk, write=True).pk == tickets[0].pk


# Concurrency -----------------------------------------------------------------------------------


def test_two_agents_editing_from_the_same_page_do_not_overwrite_each_other(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    page_version = ticket.version
    first = type(ticket).objects.get(pk=ticket.pk)
    second = type(ticket).objects.get(pk=ticket.pk)

    services.set_priority(
        actor=agent, ticket=first, priority=Priority.HIGH, expected_version=page_version
    )
    with pytest.raises(StaleObject):
        services.set_priority(
            actor=agent, ticket=second, priority=Priority.LOW, expected_version=page_version
        )
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH and ticket.version == page_version + 1


# Pending dates ---------------------------------------------------------------------------------


def _pending(agent, customer, group, state, hours):
    ticket = make_ticket(requester=customer, group=group)
    services.change_state(
        actor=agent,
        ticket=ticket,
        state=state,
        pending_until=timezone.now() + datetime.timedelta(hours=hours),
    )
    return ticket


def test_pending_close_closes_after_its_date_and_not_before(agent, customer, group):
    due = _pending(agent, customer, group, State.PENDING_CLOSE, hours=-1)
    later = _pending(agent, customer, group, State.PENDING_CLOSE, hours=5)

    act_on_pending_dates_task.call_local()

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.state == State.CLOSED and due.closed_at is not None and due.pending_until is None
    closing = due.events.get(kind="ticket.state_changed", data__to=State.CLOSED)
    assert (closing.actor_kind, closing.actor_label) == ("system", "scheduler")
    assert later.state == State.PENDING_CLOSE


def test_reminder_is_reached_once(agent, customer, group):
    ticket = _pending(agent, customer, group, State.PENDING_REMINDER, hours=-1)

    first = services.act_on_pending_dates()
    second = services.act_on_pending_dates(timezone.now() + datetime.timedelta(days=1))

    ticket.refresh_from_db()
    assert first == {"closed": 0, "reminded": 1} and second == {"closed": 0, "reminded": 0}
    assert ticket.state == State.PENDING_REMINDER and ticket.reminder_reached_at is not None
    assert ticket.events.filter(kind="ticket.reminder_reached").count() == 1


def test_new_pending_date_arms_the_reminder_again(agent, customer, group):
    ticket = _pending(agent, customer, group, State.PENDING_REMINDER, hours=-1)
    services.act_on_pending_dates()
    services.change_state(
        actor=agent,
        ticket=ticket,
        state=State.PENDING_REMINDER,
        pending_until=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert ticket.reminder_reached_at is None
    assert services.act_on_pending_dates()["reminded"] == 1

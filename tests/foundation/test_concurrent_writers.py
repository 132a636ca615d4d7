"""Real concurrent writers (threads with connections of their own): no lost updates."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connections

from tests.factories import AgentFactory, CustomerFactory, GroupFactory, add_member, make_ticket
from tresen.core.errors import StaleObject
from tresen.tickets import services
from tresen.tickets.models import Priority, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Start all jobs at once; return each one's result or exception."""
    results: list[object] = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def work(index: int, job: Callable[[], object]) -> None:
        try:
            start.wait()
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, j)) for i, j in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return results


@pytest.fixture
def desk_setup():
    group = GroupFactory(name="Concurrency")
    agents = [AgentFactory(), AgentFactory()]
    for agent in agents:
        add_member(group, agent)
    return group, agents, CustomerFactory()


def test_simultaneous_tickets_never_share_a_number(desk_setup):
    group, _agents, customer = desk_setup
    results = _run_together(
        [lambda: make_ticket(requester=customer, group=group).number for _ in range(4)]
    )
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 4


def test_two_agents_saving_the_same_version_at_once_one_wins(desk_setup):
    group, agents, customer = desk_setup
    ticket = make_ticket(requester=customer, group=group)
    seen = ticket.version

    def save(agent, priority):
        return lambda: services.set_priority(
            actor=agent,
            ticket=Ticket.objects.get(pk=ticket.pk),
            priority=priority,
            expected_version=seen,
        )

    results = _run_together([save(agents[0], Priority.HIGH), save(agents[1], Priority.LOW)])

    stale = [r for r in results if isinstance(r, StaleObject)]
    saved = [r for r in results if isinstance(r, Ticket)]
    assert len(stale) == 1 and len(saved) == 1, results
    ticket.refresh_from_db()
    assert ticket.version == seen + 1 and ticket.priority == saved[0].priority
    assert ticket.events.filter(kind="ticket.priority_changed").count() == 1


def test_concurrent_replies_are_all_kept(desk_setup):
    group, agents, customer = desk_setup
    ticket = make_ticket(requester=customer, group=group)
    results = _run_together(
        [
            lambda a=agent, n=n: services.post_article(
                actor=a, ticket=Ticket.objects.get(pk=ticket.pk), body_text=f"Reply {n}"
            )
            for n, agent in enumerate(agents * 2)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    ticket.refresh_from_db()
    assert ticket.articles.count() == 5 and ticket.version == 1 + 4

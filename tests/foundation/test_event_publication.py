"""Committed events reach every listener at least once, even when a task is lost or fails."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import make_ticket
from tresen.tickets.events import event_committed
from tresen.tickets.models import Event
from tresen.tickets.tasks import publish_lost_events_task


@pytest.fixture
def seen():
    calls: list[tuple[int, str]] = []

    def listener(sender, event, **kwargs):
        calls.append((event.pk, event.kind))

    event_committed.connect(listener, dispatch_uid="test-listener")
    yield calls
    event_committed.disconnect(dispatch_uid="test-listener")


def test_event_is_published_after_commit_and_marked_done(
    django_capture_on_commit_callbacks, group, customer, seen
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(requester=customer, group=group)
    created = Event.objects.get(ticket=ticket, kind="ticket.created")
    assert (created.pk, "ticket.created") in seen
    created.refresh_from_db()
    assert created.awaiting_publication is False


def test_event_whose_task_was_lost_is_published_by_the_sweep(group, customer, seen):
    ticket = make_ticket(requester=customer, group=group)  # on_commit never ran: task "lost"
    events = list(Event.objects.filter(ticket=ticket))
    assert events and all(e.awaiting_publication for e in events)
    Event.objects.filter(ticket=ticket).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    publish_lost_events_task.call_local()
    assert {e.pk for e in events} <= {pk for pk, _ in seen}
    assert not Event.objects.filter(ticket=ticket, awaiting_publication=True).exists()


def test_a_failing_listener_leaves_the_event_for_the_next_sweep(group, customer, seen):
    ticket = make_ticket(requester=customer, group=group)
    Event.objects.filter(ticket=ticket).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    def broken(sender, event, **kwargs):
        raise RuntimeError("peer down")

    event_committed.connect(broken, dispatch_uid="test-broken")
    try:
        publish_lost_events_task.call_local()
    finally:
        event_committed.disconnect(dispatch_uid="test-broken")
    assert Event.objects.filter(ticket=ticket, awaiting_publication=True).exists()
    publish_lost_events_task.call_local()
    assert not Event.objects.filter(ticket=ticket, awaiting_publication=True).exists()


def test_recent_events_are_left_to_their_own_task(group, customer, seen):
    ticket = make_ticket(requester=customer, group=group)
    publish_lost_events_task.call_local()
    assert Event.objects.filter(ticket=ticket, awaiting_publication=True).exists()
    assert seen == []


def test_a_failing_listener_never_breaks_the_write_that_published(
    django_capture_on_commit_callbacks, group, customer
):
    def broken(sender, event, **kwargs):
        raise RuntimeError("peer down")

    event_committed.connect(broken, dispatch_uid="test-broken-write")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(requester=customer, group=group)
    finally:
        event_committed.disconnect(dispatch_uid="test-broken-write")
    assert ticket.pk is not None
    assert Event.objects.filter(ticket=ticket, awaiting_publication=True).exists()


def test_one_task_carries_all_events_of_a_transaction(
    django_capture_on_commit_callbacks, group, customer, monkeypatch
):
    batches: list[list[int]] = []
    monkeypatch.setattr("tresen.tickets.tasks.dispatch_events_task", batches.append)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(requester=customer, group=group, tags=["printer", "floor-2"])
    ids = list(Event.objects.filter(ticket=ticket).order_by("pk").values_list("pk", flat=True))
    assert len(ids) >= 3
    assert batches == [ids]


def test_a_rolled_back_write_leaves_no_stale_batch_behind(
    django_capture_on_commit_callbacks, group, customer, monkeypatch
):
    from django.db import transaction

    batches: list[list[int]] = []
    monkeypatch.setattr("tresen.tickets.tasks.dispatch_events_task", batches.append)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                make_ticket(requester=customer, group=group)
                raise RuntimeError("abort")
        except RuntimeError:
            pass
        ticket = make_ticket(requester=customer, group=group)
    ids = list(Event.objects.filter(ticket=ticket).order_by("pk").values_list("pk", flat=True))
    assert batches == [ids]

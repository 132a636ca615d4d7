"""Background work of tickets: publish committed events, act on pending dates."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)


class ListenerFailed(Exception):
    """A listener of event_committed failed; the task is retried (listeners are idempotent)."""


@db_task(retries=5, retry_delay=30)
def dispatch_events_task(event_ids: list[int]) -> None:
    """Publish the events of one committed transaction, in order."""
    failures = 0
    for event_id in event_ids:
        try:
            publish_event(event_id)
        except ListenerFailed:
            failures += 1
    if failures:
        raise ListenerFailed(f"{failures} of {len(event_ids)} event(s) failed")


def dispatch_event_task(event_id: int) -> None:
    dispatch_events_task([event_id])


def publish_event(event_id: int) -> None:
    """Run every listener for the event; mark it published only when all of them succeeded."""
    from tresen.tickets.events import event_committed
    from tresen.tickets.models import Event

    event = (
        Event.objects.select_related("ticket", "actor", "article")
        .filter(pk=event_id, awaiting_publication=True)
        .first()
    )
    if event is None:  # rolled back, or published already by an earlier try
        return
    failed = []
    for receiver, result in event_committed.send_robust(sender=Event, event=event):
        if isinstance(result, Exception):
            logger.error("event %s: %s failed: %r", event_id, receiver, result)
            failed.append(receiver)
    if failed:
        raise ListenerFailed(f"event {event_id}: {len(failed)} listener(s) failed")
    Event.objects.filter(pk=event_id).update(awaiting_publication=False)


@db_periodic_task(crontab(minute="*"))
def publish_lost_events_task() -> None:
    """Publish events whose task was lost (worker killed, queue flushed) or gave up."""
    from tresen.tickets.models import Event

    cutoff = timezone.now() - datetime.timedelta(minutes=2)
    ids = list(
        Event.objects.filter(awaiting_publication=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    for event_id in ids:
        try:
            publish_event(event_id)
        except ListenerFailed:
            continue


@db_periodic_task(crontab(minute="*"))
def act_on_pending_dates_task() -> None:
    from tresen.tickets.services import act_on_pending_dates

    result = act_on_pending_dates()
    if any(result.values()):
        logger.info("pending dates: %s", result)

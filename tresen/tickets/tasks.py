"""Background work of tickets: publish committed events, act on pending dates."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=10)
def dispatch_event_task(event_id: int) -> None:
    from tresen.tickets.events import event_committed
    from tresen.tickets.models import Event

    event = Event.objects.select_related("ticket", "actor", "article").filter(pk=event_id).first()
    if event is None:
        return
    for receiver, result in event_committed.send_robust(sender=Event, event=event):
        if isinstance(result, Exception):
            logger.error("event %s: %s failed: %r", event_id, receiver, result)


@db_periodic_task(crontab(minute="*"))
def act_on_pending_dates_task() -> None:
    from tresen.tickets.services import act_on_pending_dates

    result = act_on_pending_dates()
    if any(result.values()):
        logger.info("pending dates: %s", result)

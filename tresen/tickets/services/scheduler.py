"""What the periodic task does with pending dates."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tresen.tickets.events import Actor, record_event
from tresen.tickets.models import (
    Ticket,
)
from tresen.tickets.services._core import _writing
from tresen.tickets.services.state import _change_state
from tresen.tickets.states import State


def act_on_pending_dates(now: datetime.datetime | None = None) -> dict[str, int]:
    """Close tickets whose pending-close date passed; mark reached reminders once."""
    now = now or timezone.now()
    scheduler = Actor.system("scheduler")
    closed = reminded = 0
    # Ids first: each ticket is then changed in a transaction of its own, and one that a person
    # changed in the meantime (reopened, say) is skipped rather than closed.
    due_close = list(
        Ticket.objects.filter(state=State.PENDING_CLOSE, pending_until__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in due_close:
        with _writing(Ticket(pk=pk), scheduler, expected_version=None) as locked:
            if (
                locked.state == State.PENDING_CLOSE
                and locked.pending_until
                and (locked.pending_until <= now)
            ):
                _change_state(locked, scheduler, State.CLOSED, None)
                closed += 1
    due_reminder = list(
        Ticket.objects.filter(
            state=State.PENDING_REMINDER, pending_until__lte=now, reminder_reached_at__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in due_reminder:
        with _writing(Ticket(pk=pk), scheduler, expected_version=None) as locked:
            if locked.state == State.PENDING_REMINDER and locked.reminder_reached_at is None:
                locked.reminder_reached_at = now
                record_event(
                    locked,
                    "ticket.reminder_reached",
                    scheduler,
                    {
                        "pending_until": locked.pending_until.isoformat()
                        if locked.pending_until
                        else None
                    },
                )
                reminded += 1
    return {"closed": closed, "reminded": reminded}

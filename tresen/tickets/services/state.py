"""State changes, enforced by the state machine in tresen.tickets.states."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tresen.accounts.models import User
from tresen.core.errors import (
    InvalidTransition,
    PermissionDenied,
    ValidationError,
)
from tresen.tickets import states
from tresen.tickets.events import Actor, as_actor, record_event
from tresen.tickets.models import (
    Ticket,
)
from tresen.tickets.services._core import _writing
from tresen.tickets.states import State


def change_state(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    state: str,
    pending_until: datetime.datetime | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Move a ticket to another state (pending states need a date)."""
    who = as_actor(actor)
    customer = who.user is not None and who.user.is_customer
    with _writing(ticket, who, expected_version=expected_version, customer_ok=True) as locked:
        if customer and state not in (State.RESOLVED, State.OPEN):
            raise PermissionDenied(
                _("Customers can only mark their requests solved or reopen them.")
            )
        _change_state(locked, who, state, pending_until)
    return ticket


def _change_state(
    ticket: Ticket, actor: Actor, state: str, pending_until: datetime.datetime | None
) -> None:
    if state == State.MERGED:
        raise InvalidTransition(_("Use merge to merge tickets."))
    pending_changed = states.needs_pending_date(state) and pending_until != ticket.pending_until
    if ticket.state == state and not pending_changed:
        return
    if ticket.state != state and not states.can_transition(ticket.state, state):
        raise InvalidTransition(
            _("A ticket cannot go from “%(old)s” to “%(new)s”.")
            % {"old": State(ticket.state).label, "new": State(state).label}
        )
    if states.needs_pending_date(state):
        if pending_until is None:
            raise ValidationError(_("Choose the date until which the ticket waits."))
        ticket.pending_until = pending_until
        ticket.reminder_reached_at = None
    else:
        ticket.pending_until = None
        ticket.reminder_reached_at = None
    now = timezone.now()
    if state == State.RESOLVED:
        ticket.resolved_at = now
    if state == State.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    if state == State.OPEN:
        ticket.closed_at = None
        ticket.resolved_at = None
    data: dict[str, Any] = {"from": ticket.state, "to": state}
    if pending_until is not None:
        data["pending_until"] = pending_until.isoformat()
    ticket.state = state
    record_event(ticket, "ticket.state_changed", actor, data)

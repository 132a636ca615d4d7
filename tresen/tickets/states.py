"""The ticket state machine: the only place that says which state may follow which."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    NEW = "new", _("new")
    OPEN = "open", _("open")
    PENDING_REMINDER = "pending_reminder", _("pending reminder")
    PENDING_CLOSE = "pending_close", _("pending close")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    MERGED = "merged", _("merged")


PENDING_STATES = frozenset({State.PENDING_REMINDER, State.PENDING_CLOSE})
# States in which a ticket still waits for work (queues, "open" counts).
ACTIVE_STATES = frozenset({State.NEW, State.OPEN, State.PENDING_REMINDER, State.PENDING_CLOSE})
DONE_STATES = frozenset({State.RESOLVED, State.CLOSED, State.MERGED})

_WORKING = {State.OPEN, State.PENDING_REMINDER, State.PENDING_CLOSE, State.RESOLVED, State.CLOSED}

# `merged` is reached only through the merge service, never by a plain state change.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.NEW: frozenset(_WORKING),
    State.OPEN: frozenset(_WORKING - {State.OPEN}),
    State.PENDING_REMINDER: frozenset(_WORKING - {State.PENDING_REMINDER}),
    State.PENDING_CLOSE: frozenset(_WORKING - {State.PENDING_CLOSE}),
    State.RESOLVED: frozenset({State.OPEN, State.CLOSED}),
    State.CLOSED: frozenset({State.OPEN}),
    State.MERGED: frozenset(),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def allowed_targets(current: str) -> list[str]:
    """The states a person may choose next, in display order."""
    return [s.value for s in State if s.value in TRANSITIONS.get(current, frozenset())]


def needs_pending_date(state: str) -> bool:
    return state in PENDING_STATES

"""Timeline events: who did what, recorded with every write and published after commit."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import django.dispatch
from django.db import transaction

from tresen.core.rows import insert_row
from tresen.tickets.models import ActorKind, Article, Event, Ticket

if TYPE_CHECKING:
    from tresen.accounts.models import User

# Sent by the background task for every committed event (argument: event). Notifications,
# automation, webhooks and SLA recomputation listen here; none of them runs inside the write.
# Delivery is at least once (a failing listener makes the task retry, and the periodic sweep
# republishes events whose task was lost), so every listener must be idempotent.
event_committed = django.dispatch.Signal()


@dataclass(frozen=True)
class Actor:
    """Who acts: a person, the system (mail intake, scheduler) or an automation rule."""

    user: User | None = None
    kind: str = ActorKind.PERSON
    label: str = ""

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(None, ActorKind.SYSTEM, label)

    @classmethod
    def automation(cls, rule_name: str) -> Actor:
        return cls(None, ActorKind.AUTOMATION, rule_name)


SYSTEM = Actor.system("system")


def as_actor(actor: User | Actor | None) -> Actor:
    """The actor for a service call; a visitor who is not signed in acts on nothing."""
    if actor is None:
        return SYSTEM
    if isinstance(actor, Actor):
        return actor
    if not actor.is_authenticated:
        # Same answer as for a ticket that does not exist: anonymous callers learn nothing.
        from tresen.core.errors import NotFound

        raise NotFound()
    return Actor(actor, ActorKind.PERSON, "")


def record_event(
    ticket: Ticket,
    kind: str,
    actor: Actor,
    data: dict[str, Any] | None = None,
    *,
    article: Article | None = None,
) -> Event:
    """Write one timeline event and publish it once the transaction commits."""
    event = insert_row(
        Event(
            ticket=ticket,
            kind=kind,
            actor=actor.user,
            actor_kind=actor.kind,
            actor_label=actor.label,
            article=article,
            data=data or {},
            awaiting_publication=not _suspended.get(),
        )
    )
    # Counted on the instance, so that the row lock around a write knows something happened.
    ticket.events_recorded = getattr(ticket, "events_recorded", 0) + 1  # type: ignore[attr-defined]
    if event.awaiting_publication:
        _publish_after_commit(event.pk)
    return event


_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "tresen_publication_suspended", default=False
)


@contextmanager
def publication_suspended() -> Iterator[None]:
    """Record events without publishing them.

    For history written in bulk (the demo, imports from another helpdesk): it must not mail
    anyone or run automation as if it happened now. Whoever uses this rebuilds what listeners
    would have derived (the search index) afterwards.
    """
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


class _CommitBatch:
    """The events of one transaction, handed to the worker as one task after commit."""

    def __init__(self) -> None:
        self.event_ids: list[int] = []
        self.flushed = False

    def flush(self) -> None:
        from tresen.tickets.tasks import dispatch_events_task

        self.flushed = True
        if self.event_ids:
            dispatch_events_task(self.event_ids)


def _publish_after_commit(event_id: int) -> None:
    # One queued task per transaction rather than per event: a write that records four
    # events costs one enqueue. A batch whose callback was discarded by a rollback is
    # abandoned (its events were rolled back with it) and a new one is started.
    connection = transaction.get_connection()
    batch: _CommitBatch | None = getattr(connection, "tresen_event_batch", None)
    pending = [entry[1] for entry in connection.run_on_commit]
    reusable = batch is not None and not batch.flushed and batch.flush in pending
    if batch is None or not reusable or not connection.in_atomic_block:
        batch = _CommitBatch()
        connection.tresen_event_batch = batch  # type: ignore[attr-defined]
        batch.event_ids.append(event_id)
        transaction.on_commit(batch.flush)
        return
    batch.event_ids.append(event_id)

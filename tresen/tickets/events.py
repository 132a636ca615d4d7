"""Timeline events: who did what, recorded with every write and published after commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import django.dispatch
from django.db import transaction

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
    event = Event.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor.user,
        actor_kind=actor.kind,
        actor_label=actor.label,
        article=article,
        data=data or {},
        awaiting_publication=True,
    )
    transaction.on_commit(lambda: _publish(event.pk))
    return event


def _publish(event_id: int) -> None:
    from tresen.tickets.tasks import dispatch_event_task

    dispatch_event_task(event_id)

"""Who else has a ticket open or is writing on it, from heartbeats the page sends."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from tresen.desk.models import Presence

if TYPE_CHECKING:
    from tresen.accounts.models import User
    from tresen.tickets.models import Ticket

HEARTBEAT_SECONDS = 5
# Three missed heartbeats and an agent counts as gone (closed tab, lost network).
GONE_AFTER = datetime.timedelta(seconds=HEARTBEAT_SECONDS * 3)
TYPING_FOR = datetime.timedelta(seconds=HEARTBEAT_SECONDS * 2)


@dataclass(frozen=True)
class Colleague:
    name: str
    typing: bool


def beat(*, user: User, ticket: Ticket, typing: bool) -> None:
    """Record that `user` has the ticket open (and is typing, if so)."""
    now = timezone.now()
    defaults: dict[str, object] = {"seen_at": now}
    if typing:
        defaults["typing_at"] = now
    # One UPDATE on every beat but the first; heartbeats come every few seconds.
    if not Presence.objects.filter(user=user, ticket=ticket).update(**defaults):
        try:
            with transaction.atomic():
                Presence.objects.create(user=user, ticket=ticket, **defaults)
        except IntegrityError:  # the agent's other tab was quicker
            Presence.objects.filter(user=user, ticket=ticket).update(**defaults)


def others_on(ticket: Ticket, user: User) -> list[Colleague]:
    """The other agents whose page on this ticket is alive, and whether they are writing."""
    now = timezone.now()
    rows = (
        Presence.objects.filter(ticket=ticket, seen_at__gte=now - GONE_AFTER)
        .exclude(user=user)
        .select_related("user")
        .order_by("user__name")
    )
    return [
        Colleague(
            name=row.user.display_name,
            typing=row.typing_at is not None and row.typing_at >= now - TYPING_FOR,
        )
        for row in rows
    ]


def leave(*, user: User, ticket: Ticket) -> None:
    Presence.objects.filter(user=user, ticket=ticket).delete()


# A row older than this belongs to a page nobody has open any more.
FORGET_AFTER = datetime.timedelta(hours=1)


def forget_gone(*, now: datetime.datetime | None = None) -> int:
    """Delete the heartbeats of pages closed long ago (a tab that never said goodbye)."""
    cutoff = (now or timezone.now()) - FORGET_AFTER
    deleted, _by_model = Presence.objects.filter(seen_at__lt=cutoff).delete()
    return deleted

"""Reindex a ticket when a committed event changed what it is found by."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tresen.tickets.events import event_committed

# A merge and a split record their event on both tickets, so each side is reindexed.
REINDEXING_EVENTS = frozenset(
    {
        "ticket.created",
        "article.created",
        "ticket.title_changed",
        "ticket.merged",
        "ticket.split",
        "ticket.transferred",  # the documents carry the ticket's group
    }
)


@receiver(event_committed, dispatch_uid="search.reindex_on_event")
def reindex_on_event(sender: Any, event: Any, **kwargs: Any) -> None:
    if event.kind in REINDEXING_EVENTS:
        from tresen.search.tasks import reindex_ticket_task

        reindex_ticket_task(event.ticket_id)

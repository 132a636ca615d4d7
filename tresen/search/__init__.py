"""Full-text search of tickets (and, later, knowledge-base articles).

`search_tickets(user, query, limit=25, after=None)` is the one entry point for pages and the
API; `search_ticket_ids` and `filter_tickets` combine full text with other filters. They are
imported lazily, so that importing this package loads no models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tresen.search.selectors import (
        SearchPage,
        TicketHit,
        filter_tickets,
        search_ticket_ids,
        search_tickets,
    )

__all__ = ["SearchPage", "TicketHit", "filter_tickets", "search_ticket_ids", "search_tickets"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tresen.search import selectors

        return getattr(selectors, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

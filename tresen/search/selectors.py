"""Full-text search of tickets, for agents and customers alike.

Results are tickets the person may see (tresen.tickets.access decides), each with a snippet
of its best matching document. Customers match only public documents (the title and public
articles), so an internal note can neither find a ticket for them nor appear in a snippet.

Order: relevance within windows of the most recent matching tickets (see backends.py); the
first page holds the best of the newest WINDOW matches, later pages continue down the window
and then into the next, older one.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString

from tresen.search.backends import Ranked, Scope, current_backend
from tresen.search.snippets import snippet_html
from tresen.tickets import access
from tresen.tickets.models import Ticket

if TYPE_CHECKING:
    from tresen.accounts.models import User

WINDOW = 200
MAX_LIMIT = 100


@dataclass(frozen=True)
class TicketHit:
    ticket: Ticket
    snippet: SafeString  # escaped text, matches in <mark>
    rank: float
    cursor: str  # `after` for the page that continues behind this hit


class SearchPage(list[TicketHit]):
    """The hits of one page; `next_after` is the cursor of the next page, None at the end."""

    next_after: str | None = None


@dataclass(frozen=True)
class _Position:
    below: int | None  # the window holds matching tickets with ids below this
    offset: int  # hits of the window already shown

    def encode(self) -> str:
        raw = f"{'' if self.below is None else self.below}:{self.offset}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str | None) -> _Position:
        """The position a cursor names; the start for none, or for one that is not ours."""
        if not cursor:
            return cls(None, 0)
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            below, offset = raw.split(":")
            position = cls(int(below) if below else None, int(offset))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return cls(None, 0)
        if position.offset < 0 or (position.below is not None and position.below < 1):
            return cls(None, 0)
        return position


def _scope(user: User) -> Scope | None:
    """Which documents `user` may search; None if no ticket at all."""
    visible = access.visible_tickets(user)
    if visible.query.is_empty():
        return None
    public_only = not user.is_agent
    if not visible.query.has_filters():
        return Scope(None, (), public_only)
    group_ids = None
    if user.is_agent:
        group_ids = tuple(sorted(access.agent_group_ids(user)))
        if not group_ids:
            return None
    sql, params = visible.values("pk").query.sql_with_params()
    return Scope(sql, tuple(params), public_only, group_ids)


def search_tickets(
    user: User, query: str, *, limit: int = 25, after: str | None = None
) -> SearchPage:
    """The tickets `user` may see that match `query`, best first, one page of `limit`."""
    page = SearchPage()
    backend = current_backend()
    scope = _scope(user)
    query = (query or "").strip()
    prepared = backend.prepare(query) if scope is not None else ""
    if scope is None or not prepared:
        return page
    limit = max(1, min(limit, MAX_LIMIT))
    position = _Position.decode(after)
    ranked = backend.ranked(prepared, scope, below=position.below, size=WINDOW)
    chosen = ranked[position.offset : position.offset + limit]
    if not chosen:
        return page
    snippets = backend.snippets(prepared, [r.document_id for r in chosen])
    tickets = Ticket.objects.select_related("group", "requester").in_bulk(
        [r.ticket_id for r in chosen]
    )
    for index, hit in enumerate(chosen, start=position.offset + 1):
        ticket = tickets.get(hit.ticket_id)
        if ticket is None:  # deleted between the two queries
            continue
        cursor = _next_position(position, index, ranked).encode()
        snippet = snippet_html(snippets.get(hit.document_id, ""))
        page.append(TicketHit(ticket, snippet, hit.rank, cursor))
    last = position.offset + len(chosen)
    if last < len(ranked) or len(ranked) == WINDOW:
        page.next_after = _next_position(position, last, ranked).encode()
    return page


def _next_position(position: _Position, shown: int, ranked: list[Ranked]) -> _Position:
    if shown < len(ranked) or len(ranked) < WINDOW:
        return _Position(position.below, shown)
    # A full window is done: the next one holds the matches older than its oldest ticket.
    return _Position(min(r.ticket_id for r in ranked), 0)


def search_ticket_ids(user: User, query: str, *, limit: int = 1000) -> list[int]:
    """Ids of the most recent tickets `user` may see that match `query` (newest first)."""
    backend = current_backend()
    scope = _scope(user)
    query = (query or "").strip()
    prepared = backend.prepare(query) if scope is not None else ""
    if scope is None or not prepared:
        return []
    return backend.window_ids(prepared, scope, below=None, size=limit)


def filter_tickets(
    user: User, query: str, queryset: QuerySet[Ticket] | None = None
) -> QuerySet[Ticket]:
    """`queryset` (all tickets by default) narrowed to what `user` may see and `query` matches.

    For combining full text with other filters and orderings. Unbounded: on a large database
    a common word matches many tickets, so order and slice the result.
    """
    backend = current_backend()
    visible = access.visible_tickets(user, queryset)
    query = (query or "").strip()
    prepared = backend.prepare(query)
    if not prepared:
        return visible.none()
    sql, params = backend.matching(prepared, public_only=not user.is_agent)
    return visible.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - constant SQL

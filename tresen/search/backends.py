"""The SQL of full-text search, once for PostgreSQL and once for SQLite, behind one interface.

Both answer the same three questions, always restricted to the tickets the caller may see
(`scope`, a subquery from tresen.tickets.access) and, for customers, to public documents:

- window: the most recent matching tickets (by id, newest first) below a bound;
- ranked: for a window, each ticket's best matching document and its rank, best first;
- snippets: highlighted passages of some documents, matches between snippets.START and STOP.

Ranking happens only inside a window. Ranking every match of a common word in a million
tickets would read every one of them; a window of recent matches is found through an index
from whichever end is cheaper (the GIN index for rare words, the ticket-id index for common
ones) and stays fast however broad the query is.

All SQL here is assembled from constants; what people type reaches the database only as a
parameter (hence the noqa: S608 markers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection

from tresen.search.fts5_query import to_fts5
from tresen.search.snippets import START, STOP, has_match

HEADLINE_CHARS = 20_000


@dataclass(frozen=True)
class Scope:
    """Which documents a search may touch."""

    ticket_sql: str | None  # SELECT of visible ticket ids; None: every ticket
    ticket_params: tuple[Any, ...]
    public_only: bool

    def where(self, alias: str) -> tuple[str, list[Any]]:
        clauses = [f"{alias}.ticket_id IS NOT NULL"]
        params: list[Any] = []
        if self.public_only:
            clauses.append(f"{alias}.is_public")
        if self.ticket_sql is not None:
            clauses.append(f"{alias}.ticket_id IN ({self.ticket_sql})")
            params.extend(self.ticket_params)
        return " AND ".join(clauses), params


@dataclass(frozen=True)
class Ranked:
    ticket_id: int
    document_id: int
    rank: float


class Backend(Protocol):
    def usable(self, query: str) -> bool: ...

    def window(
        self, query: str, scope: Scope, *, below: int | None, size: int
    ) -> tuple[str, list[Any]]: ...

    def ranked(self, query: str, scope: Scope, *, below: int | None, size: int) -> list[Ranked]: ...

    def snippets(self, query: str, document_ids: list[int]) -> dict[int, str]: ...

    def matching(self, query: str, *, public_only: bool) -> tuple[str, list[Any]]: ...


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _below(alias: str, below: int | None) -> tuple[str, list[Any]]:
    if below is None:
        return "", []
    return f" AND {alias}.ticket_id < %s", [below]


class PostgresBackend:
    # Both configurations, so that German and English words are each stemmed by their rules;
    # immutable, so the planner folds it into a constant and can use the statistics.
    TSQUERY = "(websearch_to_tsquery('german', %s) || websearch_to_tsquery('english', %s))"
    HEADLINE_OPTIONS = (
        f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=10, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def usable(self, query: str) -> bool:
        return any(ch.isalnum() for ch in query)

    def window(
        self, query: str, scope: Scope, *, below: int | None, size: int
    ) -> tuple[str, list[Any]]:
        where, params = scope.where("d")
        bound, bound_params = _below("d", below)
        sql = (
            "SELECT DISTINCT d.ticket_id FROM search_document d "  # noqa: S608
            f"WHERE d.vector @@ {self.TSQUERY} AND {where}{bound} "
            "ORDER BY d.ticket_id DESC LIMIT %s"
        )
        return sql, [query, query, *params, *bound_params, size]

    def ranked(self, query: str, scope: Scope, *, below: int | None, size: int) -> list[Ranked]:
        window_sql, window_params = self.window(query, scope, below=below, size=size)
        public = " AND d.is_public" if scope.public_only else ""
        sql = (
            f"WITH candidate AS MATERIALIZED ({window_sql}), "  # noqa: S608
            f"q AS (SELECT {self.TSQUERY} AS query), "
            "best AS (SELECT DISTINCT ON (d.ticket_id) d.ticket_id, d.id, "
            "ts_rank(d.vector, q.query) AS rank FROM search_document d, q "
            "WHERE d.ticket_id IN (SELECT ticket_id FROM candidate) "
            f"AND d.vector @@ q.query{public} "
            "ORDER BY d.ticket_id, rank DESC, d.id) "
            "SELECT ticket_id, id, rank FROM best ORDER BY rank DESC, ticket_id DESC"
        )
        rows = _fetch(sql, [*window_params, query, query])
        return [Ranked(int(t), int(d), float(r)) for t, d, r in rows]

    def snippets(self, query: str, document_ids: list[int]) -> dict[int, str]:
        if not document_ids:
            return {}
        sql = (
            "SELECT id, ts_headline('english', text, websearch_to_tsquery('english', %s), %s), "  # noqa: S608
            "ts_headline('german', text, websearch_to_tsquery('german', %s), %s) "
            "FROM (SELECT id, concat_ws(' — ', nullif(title, ''), "
            f"nullif(left(body, {HEADLINE_CHARS}), '')) AS text "
            "FROM search_document WHERE id = ANY(%s)) doc"
        )
        options = self.HEADLINE_OPTIONS
        rows = _fetch(sql, [query, options, query, options, list(document_ids)])
        return {int(pk): (en if has_match(en) or not has_match(de) else de) for pk, en, de in rows}

    def matching(self, query: str, *, public_only: bool) -> tuple[str, list[Any]]:
        public = " AND d.is_public" if public_only else ""
        sql = (
            "SELECT d.ticket_id FROM search_document d "  # noqa: S608
            f"WHERE d.vector @@ {self.TSQUERY} AND d.ticket_id IS NOT NULL{public}"
        )
        return sql, [query, query]


class SqliteBackend:
    # Title matches count four times as much as body matches.
    BM25 = "bm25(search_document_fts, 4.0, 1.0)"
    FROM = "search_document_fts JOIN search_document d ON d.id = search_document_fts.rowid"

    def usable(self, query: str) -> bool:
        return bool(to_fts5(query))

    def window(
        self, query: str, scope: Scope, *, below: int | None, size: int
    ) -> tuple[str, list[Any]]:
        where, params = scope.where("d")
        bound, bound_params = _below("d", below)
        sql = (
            f"SELECT DISTINCT d.ticket_id FROM {self.FROM} "  # noqa: S608
            f"WHERE search_document_fts MATCH %s AND {where}{bound} "
            "ORDER BY d.ticket_id DESC LIMIT %s"
        )
        return sql, [to_fts5(query), *params, *bound_params, size]

    def ranked(self, query: str, scope: Scope, *, below: int | None, size: int) -> list[Ranked]:
        window_sql, window_params = self.window(query, scope, below=below, size=size)
        public = " AND d.is_public" if scope.public_only else ""
        sql = (
            f"WITH candidate AS ({window_sql}), "  # noqa: S608
            f"scored AS (SELECT d.ticket_id, d.id, -{self.BM25} AS rank FROM {self.FROM} "
            "WHERE search_document_fts MATCH %s "
            f"AND d.ticket_id IN (SELECT ticket_id FROM candidate){public}), "
            "best AS (SELECT ticket_id, id, rank, row_number() OVER "
            "(PARTITION BY ticket_id ORDER BY rank DESC, id) AS n FROM scored) "
            "SELECT ticket_id, id, rank FROM best WHERE n = 1 ORDER BY rank DESC, ticket_id DESC"
        )
        rows = _fetch(sql, [*window_params, to_fts5(query)])
        return [Ranked(int(t), int(d), float(r)) for t, d, r in rows]

    def snippets(self, query: str, document_ids: list[int]) -> dict[int, str]:
        if not document_ids:
            return {}
        marks = ", ".join(["%s"] * len(document_ids))
        sql = (
            "SELECT rowid, snippet(search_document_fts, -1, %s, %s, '…', 24) "  # noqa: S608
            "FROM search_document_fts WHERE search_document_fts MATCH %s "
            f"AND rowid IN ({marks})"
        )
        rows = _fetch(sql, [START, STOP, to_fts5(query), *document_ids])
        return {int(pk): text for pk, text in rows}

    def matching(self, query: str, *, public_only: bool) -> tuple[str, list[Any]]:
        public = " AND d.is_public" if public_only else ""
        sql = (
            f"SELECT d.ticket_id FROM {self.FROM} "  # noqa: S608
            f"WHERE search_document_fts MATCH %s AND d.ticket_id IS NOT NULL{public}"
        )
        return sql, [to_fts5(query)]


def current_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()

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
# How many of the newest documents a search reads before it turns to the GIN index.
RECENT_DOCUMENTS = 30_000


@dataclass(frozen=True)
class Scope:
    """Which documents a search may touch."""

    ticket_sql: str | None  # SELECT of visible ticket ids; None: every ticket
    ticket_params: tuple[Any, ...]
    public_only: bool
    # An agent's groups: lets the database skip other groups' documents before it reads their
    # text. Not a permission (ticket_sql is, applied to the window): the copy may be stale.
    group_ids: tuple[int, ...] | None = None

    def prefilter(self, alias: str, *, bigint_array: bool = False) -> tuple[str, list[Any]]:
        """Conditions on documents while the window is searched for.

        `bigint_array`: the groups as one bigint[] (PostgreSQL), which the GIN index on
        (group_id, vector) can use; a list of integer literals it cannot.
        """
        clauses = [f"{alias}.ticket_id IS NOT NULL"]
        params: list[Any] = []
        if self.public_only:
            clauses.append(f"{alias}.is_public")
        if self.group_ids is not None and bigint_array:
            clauses.append(f"{alias}.group_id = ANY(%s::bigint[])")
            params.append(list(self.group_ids))
        elif self.group_ids is not None:
            marks = ", ".join(["%s"] * len(self.group_ids))
            clauses.append(f"{alias}.group_id IN ({marks})")
            params.extend(self.group_ids)
        elif self.ticket_sql is not None:
            clauses.append(f"{alias}.ticket_id IN ({self.ticket_sql})")
            params.extend(self.ticket_params)
        return " AND ".join(clauses), params

    def authoritative(self, column: str) -> tuple[str, list[Any]]:
        """The access rule on the (few) tickets of a window, where the prefilter was a hint."""
        if self.group_ids is None or self.ticket_sql is None:
            return "", []
        return f" AND {column} IN ({self.ticket_sql})", list(self.ticket_params)


def _window_sql(inner: str, scope: Scope) -> tuple[str, list[Any]]:
    auth, auth_params = scope.authoritative("c.ticket_id")
    sql = f"SELECT c.ticket_id FROM ({inner}) c WHERE TRUE{auth} ORDER BY c.ticket_id DESC"  # noqa: S608
    return sql, auth_params


@dataclass(frozen=True)
class Ranked:
    ticket_id: int
    document_id: int
    rank: float


class Backend(Protocol):
    def prepare(self, query: str) -> str:
        """The query in the database's own syntax; empty when nothing in it can match."""
        ...

    def window_ids(
        self, prepared: str, scope: Scope, *, below: int | None, size: int
    ) -> list[int]: ...

    def ranked(
        self, prepared: str, scope: Scope, *, below: int | None, size: int
    ) -> list[Ranked]: ...

    def snippets(self, prepared: str, document_ids: list[int]) -> dict[int, str]: ...

    def matching(self, prepared: str, *, public_only: bool) -> tuple[str, list[Any]]: ...


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _below(alias: str, below: int | None) -> tuple[str, list[Any]]:
    if below is None:
        return "", []
    return f" AND {alias}.ticket_id < %s", [below]


class PostgresBackend:
    # A constant in the statement, so that the planner uses the index statistics for it.
    TSQUERY = "%s::tsquery"
    HEADLINE_OPTIONS = (
        f"StartSel={START}, StopSel={STOP}, MaxWords=24, MinWords=10, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def prepare(self, query: str) -> str:
        """Both configurations' reading of the query, OR-ed: German and English words are
        each stemmed by their own rules. Once when they agree, which is often."""
        if not any(ch.isalnum() for ch in query):
            return ""
        rows = _fetch(
            "SELECT de::text, en::text, (de || en)::text FROM (SELECT "
            "websearch_to_tsquery('german', %s) AS de, "
            "websearch_to_tsquery('english', %s) AS en) q",
            [query, query],
        )
        german, english, both = rows[0]
        if german == english or not english:
            return str(german)
        return str(both) if german else str(english)

    def window_ids(self, prepared: str, scope: Scope, *, below: int | None, size: int) -> list[int]:
        where, params = scope.prefilter("d", bigint_array=True)
        bound, bound_params = _below("d", below)
        # First only the newest documents, read backwards along an index: a common word fills
        # the window from them at once, and the bound keeps the cost fixed when the word is
        # common elsewhere but absent here (the planner cannot know that a group never
        # mentions printers, and would otherwise walk all of its documents).
        recent = (
            "SELECT DISTINCT r.ticket_id FROM (SELECT d.ticket_id, d.vector "  # noqa: S608
            f"FROM search_document d WHERE {where}{bound} "
            "ORDER BY d.ticket_id DESC LIMIT %s) r "
            f"WHERE r.vector @@ {self.TSQUERY} ORDER BY r.ticket_id DESC LIMIT %s"
        )
        sql, auth_params = _window_sql(recent, scope)
        head = [*params, *bound_params, RECENT_DOCUMENTS, prepared, size, *auth_params]
        ids = [int(row[0]) for row in _fetch(sql, head)]
        if len(ids) >= size:
            return ids
        if ids:
            # A word of middling frequency: its density among the newest documents says how
            # far back the window reaches; the GIN index then reads only that stretch.
            span = max(1, ids[0] - ids[-1]) * size / len(ids)
            floor = int(ids[0] - 2 * span)
            nearer = self._every_match(
                prepared, scope, where, params, bound, bound_params, size, floor=floor
            )
            if len(nearer) >= size:
                return nearer
        return self._every_match(prepared, scope, where, params, bound, bound_params, size)

    def _every_match(
        self,
        prepared: str,
        scope: Scope,
        where: str,
        params: list[Any],
        bound: str,
        bound_params: list[Any],
        size: int,
        *,
        floor: int | None = None,
    ) -> list[int]:
        """The newest `size` matching tickets through the GIN index (above `floor`). The
        fence (MATERIALIZED) keeps the planner from choosing the backward walk again."""
        above = " AND d.ticket_id >= %s" if floor is not None else ""
        every = (
            "WITH m AS MATERIALIZED (SELECT d.ticket_id FROM search_document d "  # noqa: S608
            f"WHERE d.vector @@ {self.TSQUERY} AND {where}{bound}{above}) "
            "SELECT DISTINCT ticket_id FROM m ORDER BY ticket_id DESC LIMIT %s"
        )
        sql, auth_params = _window_sql(every, scope)
        floor_params = [floor] if floor is not None else []
        rest = [prepared, *params, *bound_params, *floor_params, size, *auth_params]
        return [int(row[0]) for row in _fetch(sql, rest)]

    def ranked(self, prepared: str, scope: Scope, *, below: int | None, size: int) -> list[Ranked]:
        ids = self.window_ids(prepared, scope, below=below, size=size)
        if not ids:
            return []
        public = " AND d.is_public" if scope.public_only else ""
        sql = (
            "SELECT ticket_id, id, rank FROM (SELECT DISTINCT ON (d.ticket_id) "  # noqa: S608
            f"d.ticket_id, d.id, ts_rank(d.vector, {self.TSQUERY}) AS rank "
            f"FROM search_document d WHERE d.ticket_id = ANY(%s) AND d.vector @@ {self.TSQUERY}"
            f"{public} ORDER BY d.ticket_id, rank DESC, d.id) best "
            "ORDER BY rank DESC, ticket_id DESC"
        )
        rows = _fetch(sql, [prepared, ids, prepared])
        return [Ranked(int(t), int(d), float(r)) for t, d, r in rows]

    def snippets(self, prepared: str, document_ids: list[int]) -> dict[int, str]:
        if not document_ids:
            return {}
        sql = (
            "SELECT id, ts_headline('english', text, %s::tsquery, %s), "  # noqa: S608
            "ts_headline('german', text, %s::tsquery, %s) "
            "FROM (SELECT id, concat_ws(' — ', nullif(title, ''), "
            f"nullif(left(body, {HEADLINE_CHARS}), '')) AS text "
            "FROM search_document WHERE id = ANY(%s)) doc"
        )
        options = self.HEADLINE_OPTIONS
        rows = _fetch(sql, [prepared, options, prepared, options, list(document_ids)])
        return {int(pk): (en if has_match(en) or not has_match(de) else de) for pk, en, de in rows}

    def matching(self, prepared: str, *, public_only: bool) -> tuple[str, list[Any]]:
        public = " AND d.is_public" if public_only else ""
        sql = (
            "SELECT d.ticket_id FROM search_document d "  # noqa: S608
            f"WHERE d.vector @@ {self.TSQUERY} AND d.ticket_id IS NOT NULL{public}"
        )
        return sql, [prepared]


class SqliteBackend:
    # Title matches count four times as much as body matches.
    BM25 = "bm25(search_document_fts, 4.0, 1.0)"
    FROM = "search_document_fts JOIN search_document d ON d.id = search_document_fts.rowid"

    def prepare(self, query: str) -> str:
        return to_fts5(query)

    def window(
        self, prepared: str, scope: Scope, *, below: int | None, size: int
    ) -> tuple[str, list[Any]]:
        where, params = scope.prefilter("d")
        bound, bound_params = _below("d", below)
        inner = (
            f"SELECT DISTINCT d.ticket_id FROM {self.FROM} "  # noqa: S608
            f"WHERE search_document_fts MATCH %s AND {where}{bound} "
            "ORDER BY d.ticket_id DESC LIMIT %s"
        )
        sql, auth_params = _window_sql(inner, scope)
        return sql, [prepared, *params, *bound_params, size, *auth_params]

    def window_ids(self, prepared: str, scope: Scope, *, below: int | None, size: int) -> list[int]:
        sql, params = self.window(prepared, scope, below=below, size=size)
        return [int(row[0]) for row in _fetch(sql, params)]

    def ranked(self, prepared: str, scope: Scope, *, below: int | None, size: int) -> list[Ranked]:
        window_sql, window_params = self.window(prepared, scope, below=below, size=size)
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
        rows = _fetch(sql, [*window_params, prepared])
        return [Ranked(int(t), int(d), float(r)) for t, d, r in rows]

    def snippets(self, prepared: str, document_ids: list[int]) -> dict[int, str]:
        if not document_ids:
            return {}
        marks = ", ".join(["%s"] * len(document_ids))
        sql = (
            "SELECT rowid, snippet(search_document_fts, -1, %s, %s, '…', 24) "  # noqa: S608
            "FROM search_document_fts WHERE search_document_fts MATCH %s "
            f"AND rowid IN ({marks})"
        )
        rows = _fetch(sql, [START, STOP, prepared, *document_ids])
        return {int(pk): text for pk, text in rows}

    def matching(self, prepared: str, *, public_only: bool) -> tuple[str, list[Any]]:
        public = " AND d.is_public" if public_only else ""
        sql = (
            f"SELECT d.ticket_id FROM {self.FROM} "  # noqa: S608
            f"WHERE search_document_fts MATCH %s AND d.ticket_id IS NOT NULL{public}"
        )
        return sql, [prepared]


def current_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()

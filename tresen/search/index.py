"""Keeping the search index current: one ticket after each change, or everything at once."""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.db.models import Max, Min, Model, Q

from tresen.search.models import MAX_INDEXED_CHARS, DocumentKind, SearchDocument
from tresen.search.snippets import START, STOP
from tresen.tickets.models import Article, Ticket

logger = logging.getLogger(__name__)

VECTOR_INDEX = "search_document_vector"

# The snippet markers must never come from the text itself, or mail could open a <mark>.
_UNINDEXABLE = {ord(START): None, ord(STOP): None, 0: None}


def clean_text(text: str) -> str:
    return (text or "").translate(_UNINDEXABLE)[:MAX_INDEXED_CHARS]


def ticket_documents(ticket: Ticket) -> list[SearchDocument]:
    """The documents a ticket is found by: its title, and each of its articles."""
    documents = [
        SearchDocument(
            kind=DocumentKind.TICKET,
            object_id=ticket.pk,
            ticket_id=ticket.pk,
            group_id=ticket.group_id,
            is_public=True,
            title=clean_text(ticket.title),
        )
    ]
    articles = Article.objects.filter(ticket_id=ticket.pk).values_list(
        "pk", "is_internal", "subject", "body_text"
    )
    for pk, is_internal, subject, body_text in articles:
        documents.append(
            SearchDocument(
                kind=DocumentKind.ARTICLE,
                object_id=pk,
                ticket_id=ticket.pk,
                group_id=ticket.group_id,
                is_public=not is_internal,
                title=clean_text(subject),
                body=clean_text(body_text),
            )
        )
    return documents


def reindex_ticket(ticket_id: int) -> int:
    """Replace the ticket's documents with ones made from its current title and articles.

    Idempotent. Articles that moved here from another ticket (a merge) take their documents
    with them, whichever of the two tickets is reindexed first.
    """
    with transaction.atomic():
        # The row lock serialises two reindexes of one ticket (PostgreSQL; SQLite has one writer).
        ticket = (
            Ticket.objects.select_for_update()
            .only("pk", "title", "group_id")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None:
            SearchDocument.objects.filter(ticket_id=ticket_id).delete()
            return 0
        documents = ticket_documents(ticket)
        article_ids = [d.object_id for d in documents if d.kind == DocumentKind.ARTICLE]
        SearchDocument.objects.filter(
            Q(ticket_id=ticket_id) | Q(kind=DocumentKind.ARTICLE, object_id__in=article_ids)
        ).delete()
        SearchDocument.objects.bulk_create(documents, batch_size=500)
    return len(documents)


def rebuild_index(*, workers: int | None = None) -> int:
    """Rebuild the whole index from the tickets and articles, set-based; return its size.

    In one transaction where it can (searches wait until it commits). On PostgreSQL outside
    a transaction, `workers` connections (one per core by default) fill it side by side in
    slices, since turning text into vectors is what takes the time; searches then find fewer
    tickets until it is done, and an interrupted rebuild must be run again.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        _rebuild_postgres_in_slices(workers or os.cpu_count() or 1)
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _rebuild_postgres(cursor)
            else:
                _rebuild_sqlite(cursor)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {SearchDocument._meta.db_table}")  # noqa: S608
        row = cursor.fetchone()
    count = int(row[0]) if row else 0
    logger.info("search index rebuilt: %s documents", count)
    return count


def _copy_statements(clean: str, *, sliced: bool = False) -> list[tuple[type[Model], str]]:
    """INSERT ... SELECT of every ticket title and article (of an id slice, with `sliced`);
    `clean` wraps a text column. Each with the model whose ids it reads."""
    docs, tickets, articles = (
        SearchDocument._meta.db_table,
        Ticket._meta.db_table,
        Article._meta.db_table,
    )
    columns = "kind, object_id, ticket_id, group_id, is_public, title, body"
    ticket_slice = " WHERE t.id >= %s AND t.id < %s" if sliced else ""
    article_slice = " WHERE a.id >= %s AND a.id < %s" if sliced else ""
    return [
        (
            Ticket,
            f"INSERT INTO {docs} ({columns}) "  # noqa: S608 - table names from the models
            f"SELECT '{DocumentKind.TICKET.value}', t.id, t.id, t.group_id, TRUE, "
            f"{clean.format('t.title')}, '' FROM {tickets} t{ticket_slice}",
        ),
        (
            Article,
            f"INSERT INTO {docs} ({columns}) "  # noqa: S608
            f"SELECT '{DocumentKind.ARTICLE.value}', a.id, a.ticket_id, t.group_id, "
            f"NOT a.is_internal, {clean.format('a.subject')}, {clean.format('a.body_text')} "
            f"FROM {articles} a JOIN {tickets} t ON t.id = a.ticket_id{article_slice}",
        ),
    ]


_POSTGRES_CLEAN = f"translate(left({{}}, {MAX_INDEXED_CHARS}), chr(2) || chr(3), '')"


def _empty_postgres(cursor) -> None:  # type: ignore[no-untyped-def]
    # Checks deferred foreign keys now: TRUNCATE refuses a table with pending trigger events.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f"TRUNCATE {SearchDocument._meta.db_table}")
    # Filling the GIN index row by row is several times slower than building it afterwards.
    cursor.execute(f"DROP INDEX IF EXISTS {VECTOR_INDEX}")


def vector_index_sql(cursor) -> str:  # type: ignore[no-untyped-def]
    """CREATE INDEX of the GIN index: on (group_id, vector) where btree_gin is installed, so
    that an agent's groups are narrowed inside the index; on the vector alone otherwise."""
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gin')")
    row = cursor.fetchone()
    columns = "group_id, vector" if row and row[0] else "vector"
    docs = SearchDocument._meta.db_table
    return f"CREATE INDEX {VECTOR_INDEX} ON {docs} USING gin ({columns})"


def _index_postgres(cursor) -> None:  # type: ignore[no-untyped-def]
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute(vector_index_sql(cursor))
    cursor.execute(f"ANALYZE {SearchDocument._meta.db_table}")


def _rebuild_postgres(cursor) -> None:  # type: ignore[no-untyped-def]
    _empty_postgres(cursor)
    for _model, statement in _copy_statements(_POSTGRES_CLEAN):
        cursor.execute(statement)
    _index_postgres(cursor)


def _rebuild_postgres_in_slices(workers: int) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        _empty_postgres(cursor)
    slices: list[tuple[str, int, int]] = []
    for model, statement in _copy_statements(_POSTGRES_CLEAN, sliced=True):
        bounds = model._default_manager.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is None:
            continue
        low, high = bounds["low"], bounds["high"] + 1
        step = max(1, -(-(high - low) // (workers * 8)))
        slices += [(statement, start, min(start + step, high)) for start in range(low, high, step)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _done in pool.map(_copy_slice, slices):
            pass
    with transaction.atomic(), connection.cursor() as cursor:
        _index_postgres(cursor)


def _copy_slice(work: tuple[str, int, int]) -> None:
    """One slice, in a thread of the pool, over that thread's own connection."""
    statement, low, high = work
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [low, high])
    finally:
        connection.close()


def _rebuild_sqlite(cursor) -> None:  # type: ignore[no-untyped-def]
    docs = SearchDocument._meta.db_table
    cursor.execute(f"DELETE FROM {docs}")  # noqa: S608
    clean = f"replace(replace(substr({{}}, 1, {MAX_INDEXED_CHARS}), char(2), ''), char(3), '')"
    for _model, statement in _copy_statements(clean):
        cursor.execute(statement)
    cursor.execute("INSERT INTO search_document_fts (search_document_fts) VALUES ('optimize')")

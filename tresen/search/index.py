"""Keeping the search index current: one ticket after each change, or everything at once."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.db.models import Q

from tresen.search.models import MAX_INDEXED_CHARS, DocumentKind, SearchDocument
from tresen.search.snippets import START, STOP
from tresen.tickets.models import Article, Ticket

logger = logging.getLogger(__name__)

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


def rebuild_index() -> int:
    """Rebuild the whole index from the tickets and articles, set-based; return its size.

    Searches wait while it runs (the table is locked until the rebuild commits).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _rebuild_postgres(cursor)
        else:
            _rebuild_sqlite(cursor)
        cursor.execute(f"SELECT count(*) FROM {SearchDocument._meta.db_table}")  # noqa: S608
        row = cursor.fetchone()
    count = int(row[0]) if row else 0
    logger.info("search index rebuilt: %s documents", count)
    return count


def _copy_statements(clean: str) -> list[str]:
    """INSERT ... SELECT of every ticket title and article; `clean` wraps a text column."""
    docs, tickets, articles = (
        SearchDocument._meta.db_table,
        Ticket._meta.db_table,
        Article._meta.db_table,
    )
    columns = "kind, object_id, ticket_id, group_id, is_public, title, body"
    return [
        f"INSERT INTO {docs} ({columns}) "  # noqa: S608 - table names from the models
        f"SELECT '{DocumentKind.TICKET.value}', t.id, t.id, t.group_id, TRUE, "
        f"{clean.format('t.title')}, '' FROM {tickets} t",
        f"INSERT INTO {docs} ({columns}) "  # noqa: S608
        f"SELECT '{DocumentKind.ARTICLE.value}', a.id, a.ticket_id, t.group_id, "
        f"NOT a.is_internal, {clean.format('a.subject')}, {clean.format('a.body_text')} "
        f"FROM {articles} a JOIN {tickets} t ON t.id = a.ticket_id",
    ]


def _rebuild_postgres(cursor) -> None:  # type: ignore[no-untyped-def]
    docs = SearchDocument._meta.db_table
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    # Checks deferred foreign keys now: TRUNCATE refuses a table with pending trigger events.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f"TRUNCATE {docs}")
    # Filling the GIN index row by row is several times slower than building it afterwards.
    cursor.execute("DROP INDEX IF EXISTS search_document_vector")
    clean = f"translate(left({{}}, {MAX_INDEXED_CHARS}), chr(2) || chr(3), '')"
    for statement in _copy_statements(clean):
        cursor.execute(statement)
    cursor.execute(f"CREATE INDEX search_document_vector ON {docs} USING gin (vector)")
    cursor.execute(f"ANALYZE {docs}")


def _rebuild_sqlite(cursor) -> None:  # type: ignore[no-untyped-def]
    docs = SearchDocument._meta.db_table
    cursor.execute(f"DELETE FROM {docs}")  # noqa: S608
    clean = f"replace(replace(substr({{}}, 1, {MAX_INDEXED_CHARS}), char(2), ''), char(3), '')"
    for statement in _copy_statements(clean):
        cursor.execute(statement)
    cursor.execute("INSERT INTO search_document_fts (search_document_fts) VALUES ('optimize')")

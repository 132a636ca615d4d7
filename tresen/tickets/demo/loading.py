"""Writing many generated rows fast: PostgreSQL COPY, or batched INSERTs on SQLite.

On PostgreSQL the secondary indexes of the loaded tables are dropped for the load and built
again at the end (sorting once beats millions of random index insertions), and foreign-key
triggers are skipped where the role may do so: the generator writes only keys it has just
read or reserved. Ticket queries are slow until the indexes are back.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from psycopg.types.json import set_json_dumps

from tresen.tickets.models import Ticket

logger = logging.getLogger(__name__)

Row = tuple[object, ...]


class Indexes:
    """The secondary indexes dropped for a load, built again by `restore` (once)."""

    def __init__(self, definitions: list[str], saved: Path | None = None) -> None:
        self.definitions = definitions
        self.saved = saved

    def restore(self) -> None:
        with connection.cursor() as cursor:
            for definition in self.definitions:
                cursor.execute(
                    definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                )
        self.definitions = []
        if self.saved is not None:
            self.saved.unlink(missing_ok=True)


@contextmanager
def bulk_load(tables: Sequence[type[models.Model]], *, parallel: bool) -> Iterator[Indexes]:
    """Prepare the tables for a load; the caller calls `restore()` on what this yields.

    Without `parallel`, the load is one transaction: indexes are dropped inside it, so a
    failure leaves everything as it was. With `parallel` (PostgreSQL, several sessions that
    commit batch by batch), the drop is committed first and its statements are kept in a
    file until the indexes are back, so that an interrupted load is repaired by the next.
    """
    if connection.vendor != "postgresql":
        with transaction.atomic():
            yield Indexes([])
        return
    if not parallel:
        with transaction.atomic():
            prepare_session(local=True)
            indexes = Indexes(_drop_indexes(tables))
            yield indexes
            indexes.restore()
        return
    saved = Path(settings.VAR_DIR) / "demo-load-indexes.sql"
    if saved.exists():
        Indexes([d for d in saved.read_text().split(";\n") if d.strip()], saved).restore()
    with transaction.atomic():
        definitions = _drop_indexes(tables)
        saved.write_text(";\n".join(definitions))
    indexes = Indexes(definitions, saved)
    try:
        yield indexes
    finally:
        indexes.restore()


def _drop_indexes(tables: Sequence[type[models.Model]]) -> list[str]:
    with connection.cursor() as cursor:
        indexes = _secondary_indexes(cursor, [t._meta.db_table for t in tables])
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _name, definition in indexes]


def prepare_session(*, local: bool = False) -> None:
    """Skip per-row foreign-key checks (replica mode; superusers only) and commit waits."""
    if connection.vendor != "postgresql":
        return
    scope = "LOCAL " if local else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SET {scope}synchronous_commit = off")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET {scope}session_replication_role = replica")
    except DatabaseError:
        logger.info("not allowed to skip foreign-key checks; the load will be slower")


def _secondary_indexes(cursor: Any, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the tables' indexes that back no constraint."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s)
          AND t.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY t.relname, i.relname
        """,
        [tables],
    )
    return [(name, definition) for name, definition in cursor.fetchall()]


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Ids for rows written with explicit keys, so that other rows can point at them."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the load's transaction holds the write lock, so max(id) stays ours.
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608 - model table
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def write_rows(model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
    """Append `rows` (values in the order of `columns`) to the model's table."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY: no text to format here nor to parse in the server.
            types = _column_types(cursor, model._meta.db_table, tuple(columns))
            # JSON values arrive as JSON text already: pass them through, do not quote them.
            set_json_dumps(_json_text, context=cursor.cursor)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        values: list[Any] = [
            [adapt(v) if isinstance(v, datetime.datetime) else v for v in row] for row in rows
        ]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # noqa: S608


def _json_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


_types: dict[tuple[str, tuple[str, ...]], list[int]] = {}


def _column_types(cursor: Any, table: str, columns: tuple[str, ...]) -> list[int]:
    """The type oids of `columns`, which binary COPY needs to encode each value."""
    key = (table, columns)
    if key not in _types:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass",
            [connection.ops.quote_name(table)],
        )
        oids = dict(cursor.fetchall())
        _types[key] = [int(oids[c]) for c in columns]
    return _types[key]


def analyze() -> None:
    """Fresh planner statistics for every table, so the first queries on the new rows choose
    good plans (memberships and groups too: their joins decide the queue plans).

    On PostgreSQL the ticket table is also vacuumed: that marks its pages all-visible, without
    which the queue counts cannot be answered from the index alone (measured on a million
    tickets: 130 ms instead of 20 ms until autovacuum gets round to it).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(Ticket._meta.db_table)}")
        cursor.execute("ANALYZE")

"""Column compression for large values on PostgreSQL.

PostgreSQL compresses values over about 2 KB before storing them out of line (TOAST). Its
default method, pglz, costs the server about 1.5 ms per typical 36 KB mail; lz4 (PostgreSQL
14 and newer, when built with it) does the same work in a fraction of that at a similar
ratio. See docs/decisions/0005-lz4-for-large-columns.md.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _lz4_available(connection: Any) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _set(table: str, columns: list[str], method: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        if not _lz4_available(connection):
            return  # SQLite, or a PostgreSQL without lz4: the default method stays
        quote = connection.ops.quote_name
        changes = ", ".join(f"ALTER COLUMN {quote(c)} SET COMPRESSION {method}" for c in columns)
        schema_editor.execute(f"ALTER TABLE {quote(table)} {changes}")

    return run


def use_lz4(table: str, columns: list[str]) -> migrations.RunPython:
    """A migration step: compress these columns with lz4 from now on (old rows stay as they
    are until rewritten). Reversible; does nothing where lz4 is not available."""
    return migrations.RunPython(_set(table, columns, "lz4"), _set(table, columns, "default"))

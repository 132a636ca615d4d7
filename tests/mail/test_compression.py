"""Large columns are compressed with lz4 on PostgreSQL (docs/decisions/0005)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

COLUMNS = [
    ("mail_inboundmessage", "raw"),
    ("tickets_article", "body_text"),
    ("tickets_article", "body_html"),
    ("search_document", "body"),
]


def _lz4_offered() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        return bool(cursor.fetchone()[0])


def test_large_columns_use_lz4_where_the_server_offers_it():
    if not _lz4_offered():
        pytest.skip("this PostgreSQL was built without lz4")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a"
            " JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = ANY(%s)",
            [sorted({table for table, _column in COLUMNS})],
        )
        found = {(table, column): method for table, column, method in cursor.fetchall()}
    found = {pair: found.get(pair) for pair in COLUMNS}
    assert found == {pair: "l" for pair in COLUMNS}


def test_a_stored_mail_is_compressed_with_lz4(mailbox):
    if not _lz4_offered():
        pytest.skip("this PostgreSQL was built without lz4")
    from tests.mail.conftest import build_mail
    from tresen.mail.intake import ingest

    result = ingest(raw=build_mail(body="Der Drucker druckt nicht. " * 400), mailbox=mailbox)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(raw), pg_column_size(raw) < size"
            " FROM mail_inboundmessage WHERE sha256 = %s",
            [result.sha256],
        )
        assert cursor.fetchone() == ("lz4", True)

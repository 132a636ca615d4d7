from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection

from tests.factories import make_ticket


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], AbstractContextManager[Any]]:  # type: ignore[no-untyped-def]
    """Writes inside `with committed():` publish their events, so the index follows them."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def indexed_ticket(committed, customer, group):  # type: ignore[no-untyped-def]
    """make_ticket, with the search index brought up to date as after a real commit."""

    def build(**kwargs: Any):  # type: ignore[no-untyped-def]
        kwargs.setdefault("requester", customer)
        kwargs.setdefault("group", group)
        with committed():
            return make_ticket(**kwargs)

    return build


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full text (run with a PostgreSQL URL)"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 only")

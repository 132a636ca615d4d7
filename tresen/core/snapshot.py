"""Configuration read once per batch of work instead of once per item.

Mail intake asks the same questions for every message of a fetch run: which addresses are
Tresen's own, which postmaster filters apply, which custom fields a group has. Inside
`configuration_snapshot()` the answers are read once and reused until the block ends; outside
it every call reads the database, as before. A change made by an admin while a run is going
on applies from the next run (a fetch run takes seconds).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

_store: contextvars.ContextVar[dict[Hashable, Any] | None] = contextvars.ContextVar(
    "tresen_configuration_snapshot", default=None
)


@contextmanager
def configuration_snapshot() -> Iterator[None]:
    """Reuse configuration read inside this block (nested blocks share the outer one)."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def in_snapshot() -> bool:
    return _store.get() is not None


def remembered[T](key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, read once per snapshot (every time outside one)."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[no-any-return]

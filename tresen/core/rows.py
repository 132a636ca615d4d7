"""Inserting one model row in one statement, for the write paths that run for every mail.

`Model.objects.create()` spends most of its time building the query: about 0.4 ms of CPU per
small row on the reference machine, several times what the database needs for it. Here the
INSERT statement is built once per model and only the values are prepared per row, with the
fields' own conversion (`pre_save`, `get_db_prep_save`), so that what is stored is exactly
what the ORM would store. Model signals are not sent (Tresen uses none for these models;
listeners subscribe to timeline events instead).
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection, models


@functools.cache
def _statement(model: type[models.Model], vendor: str, skip_conflicts: bool) -> tuple[str, list]:
    meta = model._meta
    fields = [
        f
        for f in meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}){conflict}"  # noqa: S608
        f" RETURNING {quote(str(meta.pk.column))}"
    )
    return sql, fields


def insert_row[M: models.Model](instance: M) -> M:
    """INSERT `instance` and set its primary key."""
    inserted = _insert(instance, skip_conflicts=False)
    assert inserted is not None  # without ON CONFLICT, a conflict raises IntegrityError
    return inserted


def insert_row_unless_conflict[M: models.Model](instance: M) -> M | None:
    """INSERT `instance`, or nothing when that would violate a unique constraint (None)."""
    return _insert(instance, skip_conflicts=True)


def _insert[M: models.Model](instance: M, *, skip_conflicts: bool) -> M | None:
    sql, fields = _statement(type(instance), connection.vendor, skip_conflicts)
    with connection.cursor() as cursor:
        cursor.execute(sql, db_values(instance, fields, adding=True))
        row = cursor.fetchone()
    if row is None:
        return None
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


@functools.cache
def _update_statement(model: type[models.Model], names: tuple[str, ...]) -> tuple[str, list]:
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608
    return sql, fields


def update_row(instance: models.Model, names: tuple[str, ...]) -> None:
    """UPDATE these fields of `instance`, as `save(update_fields=names)` would write them."""
    sql, fields = _update_statement(type(instance), names)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*db_values(instance, fields, adding=False), instance.pk])


def db_values(instance: models.Model, fields: list[Any], *, adding: bool) -> list[Any]:
    """The values of these fields as the ORM would write them (`pre_save`, then the field's
    conversion for this database)."""
    return [f.get_db_prep_save(f.pre_save(instance, adding), connection) for f in fields]

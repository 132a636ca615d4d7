"""What every ticket service shares: numbering, the row lock with version check, checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tresen.accounts.models import Group, User
from tresen.core.errors import (
    NotFound,
    PermissionDenied,
    StaleObject,
    ValidationError,
)
from tresen.tickets import access
from tresen.tickets.events import Actor, record_event
from tresen.tickets.models import (
    Ticket,
    TicketNumbering,
)
from tresen.tickets.states import State


@dataclass(frozen=True)
class NewFile:
    """An attachment on its way in: name, claimed type and content."""

    filename: str
    data: bytes
    content_type: str = ""
    content_id: str = ""
    inline: bool = False


def next_ticket_number() -> str:
    """Take the next number of the sequence (row-locked, so never twice)."""
    # No savepoint: nothing in here is caught, and a ticket opened by mail pays two round
    # trips for one. The row exists after the first ticket, so try the update first.
    with transaction.atomic(savepoint=False):
        while True:
            row = _advance_numbering()
            if row is None:
                TicketNumbering.objects.get_or_create(pk=1)
                continue
            prefix, next_value, digits = row
            number = f"{prefix}{next_value - 1:0{digits}d}"
            if not _number_taken(number):
                return number


def _advance_numbering() -> tuple[str, int, int] | None:
    """Add one to the sequence and read it back in one statement (None: no row yet).

    UPDATE ... RETURNING (PostgreSQL, SQLite 3.35+) holds the row lock like the ORM's update.
    """
    table = connection.ops.quote_name(TicketNumbering._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_value = next_value + 1 WHERE id = 1"  # noqa: S608
            " RETURNING prefix, next_value, digits"
        )
        found = cursor.fetchone()
    return (str(found[0]), int(found[1]), int(found[2])) if found else None


def _number_taken(number: str) -> bool:
    """A ticket with this number exists already (imported, or the sequence was set back)."""
    table = connection.ops.quote_name(Ticket._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE number = %s", [number])  # noqa: S608
        return cursor.fetchone() is not None


def reserve_ticket_numbers(count: int) -> list[str]:
    """Take `count` consecutive numbers at once, for bulk imports."""
    with transaction.atomic():
        TicketNumbering.objects.get_or_create(pk=1)
        TicketNumbering.objects.filter(pk=1).update(next_value=F("next_value") + count)
        row = TicketNumbering.objects.get(pk=1)
        first = row.next_value - count
        return [f"{row.prefix}{n:0{row.digits}d}" for n in range(first, row.next_value)]


def _check_choice(value: object, allowed: list[Any]) -> None:
    if value not in allowed:
        raise ValidationError(_("“%(value)s” is not an allowed value.") % {"value": value})


def _check_owner(owner: User, group: Group | int) -> None:
    group_id = group if isinstance(group, int) else group.pk
    if not owner.is_active or not owner.is_agent:
        raise ValidationError(_("Only active agents can own tickets."))
    if not access.can_own_ticket_of_group(owner, group_id):
        raise ValidationError(
            _("%(person)s has no full access to this ticket's group.")
            % {"person": owner.display_name}
        )


def _values(ticket: Ticket) -> dict[str, Any]:
    return {f.name: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields}


@contextmanager
def _writing(
    ticket: Ticket, actor: Actor, *, expected_version: int | None, customer_ok: bool = False
) -> Iterator[Ticket]:
    """Lock the ticket row, check access and version, and bump the version afterwards.

    The caller's `ticket` object is refreshed with the committed values.
    """
    with transaction.atomic():
        try:
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        except Ticket.DoesNotExist:
            raise NotFound() from None
        user = actor.user
        if user is not None:
            if user.is_customer:
                if not (customer_ok and access.can_reply_as_customer(user, locked)):
                    if access.can_see_ticket(user, locked):
                        raise PermissionDenied()
                    raise NotFound()
            elif not access.can_edit_ticket(user, locked):
                if access.can_see_ticket(user, locked):
                    raise PermissionDenied()
                raise NotFound()
        if expected_version is not None and locked.version != expected_version:
            raise StaleObject()
        if locked.state == State.MERGED:
            raise ValidationError(_("This ticket was merged into another; change that one."))
        before = _values(locked)
        recorded = getattr(locked, "events_recorded", 0)
        yield locked
        changed = [f for f, value in _values(locked).items() if value != before[f]]
        # A write that changed nothing and recorded nothing leaves the version alone, so that
        # another agent's open page is not told "changed meanwhile" for nothing.
        if changed or getattr(locked, "events_recorded", 0) != recorded:
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save(update_fields=[*changed, "version", "updated_at"])
    for f in Ticket._meta.concrete_fields:
        setattr(ticket, f.attname, getattr(locked, f.attname))


@contextmanager
def _writing_both(first: Ticket, second: Ticket, actor: Actor) -> Iterator[tuple[Ticket, Ticket]]:
    """Lock two tickets in id order, so that two writers of the same pair cannot deadlock."""
    low, high = sorted([first, second], key=lambda t: t.pk)
    with (
        _writing(low, actor, expected_version=None) as locked_low,
        _writing(high, actor, expected_version=None) as locked_high,
    ):
        if locked_low.pk == first.pk:
            yield locked_low, locked_high
        else:
            yield locked_high, locked_low


def _set(
    ticket: Ticket, actor: Actor, field: str, value: Any, kind: str, data: dict[str, Any]
) -> bool:
    old = getattr(ticket, field)
    if old == value:
        return False
    setattr(ticket, field, value)
    record_event(ticket, kind, actor, data)
    return True


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.display_name} if user else None

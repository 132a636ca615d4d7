"""Owner, group, priority, type, title, category, tags and custom fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from tresen.accounts.models import Group, User
from tresen.core.errors import (
    ValidationError,
)
from tresen.tickets import fields
from tresen.tickets.events import Actor, as_actor, record_event
from tresen.tickets.models import (
    ArticleKind,
    Category,
    Channel,
    Priority,
    Tag,
    Ticket,
    TicketType,
)
from tresen.tickets.services._core import _check_choice, _check_owner, _person, _set, _writing
from tresen.tickets.services.articles import _add_article


def assign(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    owner: User | None,
    expected_version: int | None = None,
) -> Ticket:
    """Make `owner` (an agent with full access to the group) the ticket's owner, or nobody."""
    who = as_actor(actor)
    with _writing(ticket, who, expected_version=expected_version) as locked:
        if owner is not None:
            _check_owner(owner, locked.group_id)
        old = locked.owner
        _set(
            locked,
            who,
            "owner_id",
            owner.pk if owner else None,
            "ticket.assigned",
            {"from": _person(old), "to": _person(owner)},
        )
    return ticket


def transfer(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    group: Group,
    note: str = "",
    owner: User | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Hand the ticket to another group with a handover note (escalation to specialists)."""
    who = as_actor(actor)
    if not group.is_active:
        raise ValidationError(_("The group “%(group)s” is not active.") % {"group": group})
    if owner is not None:
        _check_owner(owner, group)
    with _writing(ticket, who, expected_version=expected_version) as locked:
        if locked.group_id == group.pk:
            raise ValidationError(_("The ticket is already in this group."))
        old_group = locked.group
        locked.group = group
        if locked.category_id and locked.category and locked.category.group_id != group.pk:
            locked.category = None
        previous_owner = locked.owner
        locked.owner = owner
        record_event(
            locked,
            "ticket.transferred",
            who,
            {
                "from": old_group.name,
                "to": group.name,
                "note": note,
                "previous_owner": _person(previous_owner),
                "owner": _person(owner),
            },
        )
        if note.strip():
            _add_article(
                locked,
                who,
                kind=ArticleKind.NOTE,
                is_internal=True,
                channel=Channel.WEB,
                body_text=note.strip(),
                body_html="",
                attachments=(),
                sender=who.user,
                reopen=False,
                meta={"handover": {"from": old_group.name, "to": group.name}},
            )
    return ticket


def set_priority(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    priority: int,
    expected_version: int | None = None,
) -> Ticket:
    """Set the ticket's priority."""
    who = as_actor(actor)
    _check_choice(priority, Priority.values)
    with _writing(ticket, who, expected_version=expected_version) as locked:
        _set(
            locked,
            who,
            "priority",
            priority,
            "ticket.priority_changed",
            {"from": locked.priority, "to": priority},
        )
    return ticket


def set_type(
    *, actor: User | Actor | None, ticket: Ticket, type: str, expected_version: int | None = None
) -> Ticket:
    """Set the ticket's type (incident, service request ...)."""
    who = as_actor(actor)
    _check_choice(type, TicketType.values)
    with _writing(ticket, who, expected_version=expected_version) as locked:
        _set(locked, who, "type", type, "ticket.type_changed", {"from": locked.type, "to": type})
    return ticket


def set_title(
    *, actor: User | Actor | None, ticket: Ticket, title: str, expected_version: int | None = None
) -> Ticket:
    """Rename the ticket."""
    who = as_actor(actor)
    title = " ".join((title or "").split())[:250]
    if not title:
        raise ValidationError(_("A ticket needs a title."))
    with _writing(ticket, who, expected_version=expected_version) as locked:
        _set(
            locked, who, "title", title, "ticket.title_changed", {"from": locked.title, "to": title}
        )
    return ticket


def set_category(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    category: Category | None,
    expected_version: int | None = None,
) -> Ticket:
    """Set the ticket's category (one of its group's)."""
    who = as_actor(actor)
    with _writing(ticket, who, expected_version=expected_version) as locked:
        if category is not None and category.group_id != locked.group_id:
            raise ValidationError(_("The category belongs to another group."))
        old = locked.category
        _set(
            locked,
            who,
            "category_id",
            category.pk if category else None,
            "ticket.category_changed",
            {"from": old.path if old else None, "to": category.path if category else None},
        )
    return ticket


def set_tags(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    expected_version: int | None = None,
) -> Ticket:
    """Add and remove tags."""
    who = as_actor(actor)
    with _writing(ticket, who, expected_version=expected_version) as locked:
        _apply_tags(locked, who, add=add, remove=remove)
    return ticket


def normalise_tag(name: str) -> str:
    tag = " ".join((name or "").strip().lower().split())[:64]
    if not tag or "," in tag:
        raise ValidationError(_("“%(tag)s” is not a valid tag.") % {"tag": name})
    return tag


def _apply_tags(ticket: Ticket, actor: Actor, *, add: Iterable[str], remove: Iterable[str]) -> None:
    to_add = {normalise_tag(t) for t in add}
    to_remove = {normalise_tag(t) for t in remove} - to_add
    current = set(ticket.tags.values_list("name", flat=True))
    added = sorted(to_add - current)
    removed = sorted(to_remove & current)
    if added:
        existing = {t.name: t for t in Tag.objects.filter(name__in=added)}
        missing = [Tag(name=n) for n in added if n not in existing]
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        ticket.tags.add(*Tag.objects.filter(name__in=added))
    if removed:
        ticket.tags.remove(*Tag.objects.filter(name__in=removed))
    if added or removed:
        record_event(ticket, "ticket.tags_changed", actor, {"added": added, "removed": removed})


def set_custom_fields(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> Ticket:
    """Set some of the ticket's custom fields (the others keep their values)."""
    who = as_actor(actor)
    with _writing(ticket, who, expected_version=expected_version) as locked:
        cleaned = fields.clean_values(locked.group_id, values, partial=True)
        current = dict(locked.custom_fields or {})
        changes = {}
        for key, value in cleaned.items():
            if current.get(key) != value:
                changes[key] = {"from": current.get(key), "to": value}
                if value is None:
                    current.pop(key, None)
                else:
                    current[key] = value
        if changes:
            locked.custom_fields = current
            record_event(locked, "ticket.fields_changed", who, {"changes": changes})
    return ticket

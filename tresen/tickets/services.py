"""Every write on tickets. Channels, pages, the API and automation all call these.

Each service takes the acting person (or an Actor for the system and automation), checks
access, changes the ticket inside one transaction holding the ticket's row lock, bumps its
version, and records a timeline event. Side effects run after commit (see events.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tresen.accounts.models import Group, Role, User
from tresen.core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleObject,
    ValidationError,
)
from tresen.core.html import html_to_text, sanitise_html
from tresen.tickets import access, fields, states
from tresen.tickets.attachments import check_sizes, checked_content_type, store_blob
from tresen.tickets.events import Actor, as_actor, record_event
from tresen.tickets.models import (
    Article,
    ArticleKind,
    Attachment,
    Category,
    Channel,
    LinkKind,
    Priority,
    SenderRole,
    Tag,
    Ticket,
    TicketLink,
    TicketNumbering,
    TicketType,
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


# Tickets -------------------------------------------------------------------------------------


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
            if not Ticket.objects.filter(number=number).exists():
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


def reserve_ticket_numbers(count: int) -> list[str]:
    """Take `count` consecutive numbers at once, for bulk imports."""
    with transaction.atomic():
        TicketNumbering.objects.get_or_create(pk=1)
        TicketNumbering.objects.filter(pk=1).update(next_value=F("next_value") + count)
        row = TicketNumbering.objects.get(pk=1)
        first = row.next_value - count
        return [f"{row.prefix}{n:0{row.digits}d}" for n in range(first, row.next_value)]


def _check_may_create(actor: Actor, requester: User, group: Group) -> None:
    user = actor.user
    if user is None:
        return
    if not user.is_active:
        raise PermissionDenied()
    if user.is_customer:
        if requester.pk != user.pk:
            raise PermissionDenied(_("Customers open tickets only for themselves."))
        return
    if not access.can_work_in_group(user, group.pk):
        raise PermissionDenied(
            _("You cannot create tickets in the group “%(group)s”.") % {"group": group}
        )


def create_ticket(
    *,
    actor: User | Actor | None,
    requester: User,
    title: str,
    group: Group,
    channel: str,
    body_text: str = "",
    body_html: str = "",
    article_kind: str = ArticleKind.MESSAGE,
    article_internal: bool = False,
    priority: int = Priority.NORMAL,
    type: str = TicketType.INCIDENT,
    category: Category | None = None,
    owner: User | None = None,
    tags: Iterable[str] = (),
    custom_fields: dict[str, Any] | None = None,
    cc: Iterable[User] = (),
    attachments: Sequence[NewFile] = (),
    article_fields: dict[str, Any] | None = None,
) -> Ticket:
    """Open a ticket with its first article."""
    return open_ticket(**locals())[0]


def open_ticket(
    *,
    actor: User | Actor | None,
    requester: User,
    title: str,
    group: Group,
    channel: str,
    body_text: str = "",
    body_html: str = "",
    article_kind: str = ArticleKind.MESSAGE,
    article_internal: bool = False,
    priority: int = Priority.NORMAL,
    type: str = TicketType.INCIDENT,
    category: Category | None = None,
    owner: User | None = None,
    tags: Iterable[str] = (),
    custom_fields: dict[str, Any] | None = None,
    cc: Iterable[User] = (),
    attachments: Sequence[NewFile] = (),
    article_fields: dict[str, Any] | None = None,
) -> tuple[Ticket, Article | None]:
    """`create_ticket`, also returning the first article (None without body and files).

    Mail intake records the article on the stored message; this saves reading it back.
    """
    who = as_actor(actor)
    _check_may_create(who, requester, group)
    title = " ".join((title or "").split())[:250]
    if not title:
        raise ValidationError(_("A ticket needs a title."))
    if not group.is_active:
        raise ValidationError(_("The group “%(group)s” is not active.") % {"group": group})
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    _check_choice(priority, Priority.values)
    _check_choice(type, TicketType.values)
    if category is not None and category.group_id != group.pk:
        raise ValidationError(_("The category belongs to another group."))
    if owner is not None:
        _check_owner(owner, group)
    cleaned = fields.clean_values(group.pk, custom_fields or {}, partial=False)
    with transaction.atomic():
        now = timezone.now()
        ticket = Ticket.objects.create(
            number=next_ticket_number(),
            title=title,
            requester=requester,
            organisation=requester.organisation,
            group=group,
            owner=owner,
            priority=priority,
            type=type,
            category=category,
            channel=channel,
            custom_fields={k: v for k, v in cleaned.items() if v is not None},
            created_at=now,
            updated_at=now,
        )
        record_event(
            ticket,
            "ticket.created",
            who,
            {
                "channel": channel,
                "group": group.name,
                "requester": _person(requester),
                "owner": _person(owner),
                "priority": priority,
                "type": type,
            },
        )
        if tags:
            _apply_tags(ticket, who, add=tags, remove=())
        for person in cc:
            # Same rule as add_cc: only customers are CC participants.
            if person.pk != requester.pk and person.role == Role.CUSTOMER:
                ticket.cc_participants.add(person)
                record_event(ticket, "ticket.cc_added", who, {"person": _person(person)})
        article = None
        if body_text or body_html or attachments:
            fields_for_article = dict(article_fields or {})
            fields_for_article.setdefault("subject", title)
            article = _add_article(
                ticket,
                who,
                kind=article_kind,
                is_internal=article_internal or article_kind == ArticleKind.NOTE,
                channel=channel,
                body_text=body_text,
                body_html=body_html,
                attachments=attachments,
                sender=requester if (who.user is None or who.user.is_customer) else who.user,
                reopen=False,
                **fields_for_article,
            )
    return ticket, article


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
        yield locked
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
    for f in Ticket._meta.concrete_fields:
        setattr(ticket, f.attname, getattr(locked, f.attname))


def _set(
    ticket: Ticket, actor: Actor, field: str, value: Any, kind: str, data: dict[str, Any]
) -> bool:
    old = getattr(ticket, field)
    if old == value:
        return False
    setattr(ticket, field, value)
    record_event(ticket, kind, actor, data)
    return True


# Articles ------------------------------------------------------------------------------------


def post_article(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    kind: str = ArticleKind.MESSAGE,
    body_text: str = "",
    body_html: str = "",
    is_internal: bool = False,
    channel: str = Channel.WEB,
    attachments: Sequence[NewFile] = (),
    sender: User | None = None,
    reopen: bool = True,
    expected_version: int | None = None,
    **article_fields: Any,
) -> Article:
    """Add a public message, an internal note or a phone note to a ticket.

    `sender` is who the article is from when the system posts it (a customer's mail);
    otherwise the acting person. A customer's message reopens a waiting or solved ticket
    unless `reopen` is False (an out-of-office reply, say).
    """
    who = as_actor(actor)
    customer = who.user is not None and who.user.is_customer
    with _writing(ticket, who, expected_version=expected_version, customer_ok=True) as locked:
        # Checked after access, so that a ticket the customer cannot see still answers 404.
        if customer and (kind != ArticleKind.MESSAGE or is_internal):
            raise PermissionDenied(_("Customers write public messages only."))
        if customer and sender is not None and sender.pk != who.user.pk:  # type: ignore[union-attr]
            raise PermissionDenied(_("Customers write in their own name only."))
        article = _add_article(
            locked,
            who,
            kind=kind,
            is_internal=is_internal or kind == ArticleKind.NOTE,
            channel=channel,
            body_text=body_text,
            body_html=body_html,
            attachments=attachments,
            sender=sender or who.user,
            reopen=reopen,
            **article_fields,
        )
    return article


def _add_article(
    ticket: Ticket,
    actor: Actor,
    *,
    kind: str,
    is_internal: bool,
    channel: str,
    body_text: str,
    body_html: str,
    attachments: Sequence[NewFile],
    sender: User | None,
    reopen: bool,
    **article_fields: Any,
) -> Article:
    _check_choice(kind, ArticleKind.values)
    clean_html = sanitise_html(body_html) if body_html else ""
    text = body_text or html_to_text(clean_html)
    if not text.strip() and not attachments:
        raise ValidationError(_("The message is empty."))
    check_sizes([len(f.data) for f in attachments])
    files = [(f, checked_content_type(f.filename, f.content_type, f.data)) for f in attachments]
    if sender is None:
        role = SenderRole.SYSTEM
    elif sender.is_agent:
        role = SenderRole.AGENT
    else:
        role = SenderRole.CUSTOMER
    now = timezone.now()
    article = Article.objects.create(
        ticket=ticket,
        kind=kind,
        is_internal=is_internal,
        channel=channel,
        sender_role=role,
        author=sender,
        from_address=article_fields.pop("from_address", sender.email if sender else ""),
        body_text=text,
        body_html=clean_html,
        created_at=now,
        **article_fields,
    )
    for new_file, content_type in files:
        Attachment.objects.create(
            article=article,
            blob=store_blob(new_file.data, content_type),
            filename=_safe_filename(new_file.filename),
            content_type=content_type,
            content_id=new_file.content_id.strip("<>")[:255],
            is_inline=new_file.inline,
        )
    record_event(
        ticket,
        "article.created",
        actor,
        {"kind": kind, "internal": is_internal, "sender_role": role},
        article=article,
    )
    _after_article(ticket, actor, role=role, public=not is_internal, reopen=reopen, now=now)
    return article


def _after_article(
    ticket: Ticket, actor: Actor, *, role: str, public: bool, reopen: bool, now: datetime.datetime
) -> None:
    if role == SenderRole.AGENT and public:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        ticket.last_agent_contact_at = now
        if ticket.state == State.NEW:
            _change_state(ticket, actor, State.OPEN, None)
    elif role == SenderRole.CUSTOMER:
        ticket.last_customer_contact_at = now
        if reopen and ticket.state in (
            State.PENDING_REMINDER,
            State.PENDING_CLOSE,
            State.RESOLVED,
            State.CLOSED,
        ):
            _change_state(ticket, actor, State.OPEN, None)


def _safe_filename(name: str) -> str:
    cleaned = "".join(ch for ch in (name or "") if ch.isprintable() and ch not in '/\\:*?"<>|')
    cleaned = cleaned.strip(" .") or "attachment"
    return cleaned[-255:]


# State, people and properties ----------------------------------------------------------------


def change_state(
    *,
    actor: User | Actor | None,
    ticket: Ticket,
    state: str,
    pending_until: datetime.datetime | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Move a ticket to another state (pending states need a date)."""
    who = as_actor(actor)
    customer = who.user is not None and who.user.is_customer
    with _writing(ticket, who, expected_version=expected_version, customer_ok=True) as locked:
        if customer and state not in (State.RESOLVED, State.OPEN):
            raise PermissionDenied(
                _("Customers can only mark their requests solved or reopen them.")
            )
        _change_state(locked, who, state, pending_until)
    return ticket


def _change_state(
    ticket: Ticket, actor: Actor, state: str, pending_until: datetime.datetime | None
) -> None:
    if state == State.MERGED:
        raise InvalidTransition(_("Use merge to merge tickets."))
    pending_changed = states.needs_pending_date(state) and pending_until != ticket.pending_until
    if ticket.state == state and not pending_changed:
        return
    if ticket.state != state and not states.can_transition(ticket.state, state):
        raise InvalidTransition(
            _("A ticket cannot go from “%(old)s” to “%(new)s”.")
            % {"old": State(ticket.state).label, "new": State(state).label}
        )
    if states.needs_pending_date(state):
        if pending_until is None:
            raise ValidationError(_("Choose the date until which the ticket waits."))
        ticket.pending_until = pending_until
        ticket.reminder_reached_at = None
    else:
        ticket.pending_until = None
        ticket.reminder_reached_at = None
    now = timezone.now()
    if state == State.RESOLVED:
        ticket.resolved_at = now
    if state == State.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    if state == State.OPEN:
        ticket.closed_at = None
        ticket.resolved_at = None
    data: dict[str, Any] = {"from": ticket.state, "to": state}
    if pending_until is not None:
        data["pending_until"] = pending_until.isoformat()
    ticket.state = state
    record_event(ticket, "ticket.state_changed", actor, data)


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


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.display_name} if user else None


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


# People on the ticket ------------------------------------------------------------------------


def add_watcher(*, actor: User | Actor | None, ticket: Ticket, agent: User) -> Ticket:
    """Let an agent follow the ticket."""
    who = as_actor(actor)
    if not agent.is_agent or not access.can_see_ticket(agent, ticket):
        raise ValidationError(_("Only agents who can see the ticket can watch it."))
    with _writing(ticket, who, expected_version=None) as locked:
        if not locked.watchers.filter(pk=agent.pk).exists():
            locked.watchers.add(agent)
            record_event(locked, "ticket.watcher_added", who, {"person": _person(agent)})
    return ticket


def remove_watcher(*, actor: User | Actor | None, ticket: Ticket, agent: User) -> Ticket:
    """Stop an agent following the ticket."""
    who = as_actor(actor)
    with _writing(ticket, who, expected_version=None) as locked:
        if locked.watchers.filter(pk=agent.pk).exists():
            locked.watchers.remove(agent)
            record_event(locked, "ticket.watcher_removed", who, {"person": _person(agent)})
    return ticket


def add_cc(*, actor: User | Actor | None, ticket: Ticket, person: User) -> Ticket:
    """Add a customer who receives the public conversation in copy."""
    who = as_actor(actor)
    if person.role != Role.CUSTOMER:
        raise ValidationError(_("Only customers can be CC participants."))
    with _writing(ticket, who, expected_version=None) as locked:
        if (
            person.pk != locked.requester_id
            and not locked.cc_participants.filter(pk=person.pk).exists()
        ):
            locked.cc_participants.add(person)
            record_event(locked, "ticket.cc_added", who, {"person": _person(person)})
    return ticket


def remove_cc(*, actor: User | Actor | None, ticket: Ticket, person: User) -> Ticket:
    """Remove a CC participant."""
    who = as_actor(actor)
    with _writing(ticket, who, expected_version=None) as locked:
        if locked.cc_participants.filter(pk=person.pk).exists():
            locked.cc_participants.remove(person)
            record_event(locked, "ticket.cc_removed", who, {"person": _person(person)})
    return ticket


# Links, merge, split -------------------------------------------------------------------------


def link_tickets(
    *, actor: User | Actor | None, source: Ticket, target: Ticket, kind: str
) -> TicketLink:
    """Link two tickets: source is parent of / related to / duplicate of target."""
    who = as_actor(actor)
    _check_choice(kind, LinkKind.values)
    if source.pk == target.pk:
        raise ValidationError(_("A ticket cannot be linked to itself."))
    with transaction.atomic(), _writing_both(source, target, who) as (locked_source, locked_target):
        link, created = TicketLink.objects.get_or_create(
            source=locked_source, target=locked_target, kind=kind
        )
        if created:
            data = {"kind": kind, "source": source.number, "target": target.number}
            record_event(locked_source, "ticket.linked", who, data)
            record_event(locked_target, "ticket.linked", who, data)
    return link


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


def unlink_tickets(*, actor: User | Actor | None, link: TicketLink) -> None:
    """Remove a link between two tickets."""
    who = as_actor(actor)
    source, target = link.source, link.target
    with transaction.atomic(), _writing_both(source, target, who) as (locked_source, locked_target):
        data = {"kind": link.kind, "source": source.number, "target": target.number}
        link.delete()
        record_event(locked_source, "ticket.unlinked", who, data)
        record_event(locked_target, "ticket.unlinked", who, data)


def merge_tickets(*, actor: User | Actor | None, source: Ticket, target: Ticket) -> Ticket:
    """Merge `source` into `target`: its articles move, it points at the target. All or nothing."""
    who = as_actor(actor)
    if source.pk == target.pk:
        raise ValidationError(_("A ticket cannot be merged into itself."))
    with transaction.atomic(), _writing_both(source, target, who) as (src, dst):
        moved = Article.objects.filter(ticket=src).update(ticket=dst)
        dst.tags.add(*src.tags.all())
        dst.watchers.add(*src.watchers.all())
        # The source's requester and CC participants follow their messages only when both
        # tickets belong to the same requester or organisation: a merge by mistake must not
        # show one customer another customer's conversation.
        same_party = src.requester_id == dst.requester_id or (
            src.organisation_id is not None and src.organisation_id == dst.organisation_id
        )
        if same_party:
            cc = list(src.cc_participants.exclude(pk=dst.requester_id))
            if src.requester_id != dst.requester_id:
                cc.append(src.requester)
            dst.cc_participants.add(*[p for p in cc if p.role == Role.CUSTOMER])
        data = {"source": src.number, "target": dst.number, "articles": moved}
        record_event(src, "ticket.merged", who, data)
        record_event(dst, "ticket.merged", who, data)
        src.state = State.MERGED
        src.merged_into = dst
        src.pending_until = None
        src.reminder_reached_at = None
    return target


def split_article(*, actor: User | Actor | None, article: Article, title: str = "") -> Ticket:
    """Make a new ticket from an article (copied with its attachments), linked to the old one."""
    who = as_actor(actor)
    origin = article.ticket
    with transaction.atomic(), _writing(origin, who, expected_version=None) as locked:
        new = Ticket.objects.create(
            number=next_ticket_number(),
            title=" ".join((title or article.subject or locked.title).split())[:250],
            requester=locked.requester,
            organisation=locked.organisation,
            group=locked.group,
            priority=locked.priority,
            type=locked.type,
            category=locked.category,
            channel=article.channel,
        )
        copy = Article.objects.create(
            ticket=new,
            kind=article.kind,
            is_internal=article.is_internal,
            channel=article.channel,
            sender_role=article.sender_role,
            author=article.author,
            from_address=article.from_address,
            to_addresses=article.to_addresses,
            cc_addresses=article.cc_addresses,
            subject=article.subject,
            body_text=article.body_text,
            body_html=article.body_html,
            meta={
                **article.meta,
                "split_from": {"ticket": locked.number, "article": article.pk},
            },
            created_at=article.created_at,
        )
        Attachment.objects.bulk_create(
            Attachment(
                article=copy,
                blob_id=a.blob_id,
                filename=a.filename,
                content_type=a.content_type,
                content_id=a.content_id,
                is_inline=a.is_inline,
            )
            for a in article.attachments.all()
        )
        TicketLink.objects.create(source=locked, target=new, kind=LinkKind.RELATED)
        data = {"source": locked.number, "target": new.number, "article": article.pk}
        record_event(
            new, "ticket.created", who, {"channel": new.channel, "split_from": locked.number}
        )
        record_event(locked, "ticket.split", who, data)
        record_event(new, "ticket.split", who, data)
    return new


# Scheduler -----------------------------------------------------------------------------------


def act_on_pending_dates(now: datetime.datetime | None = None) -> dict[str, int]:
    """Close tickets whose pending-close date passed; mark reached reminders once."""
    now = now or timezone.now()
    scheduler = Actor.system("scheduler")
    closed = reminded = 0
    # Ids first: each ticket is then changed in a transaction of its own, and one that a person
    # changed in the meantime (reopened, say) is skipped rather than closed.
    due_close = list(
        Ticket.objects.filter(state=State.PENDING_CLOSE, pending_until__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in due_close:
        with _writing(Ticket(pk=pk), scheduler, expected_version=None) as locked:
            if (
                locked.state == State.PENDING_CLOSE
                and locked.pending_until
                and (locked.pending_until <= now)
            ):
                _change_state(locked, scheduler, State.CLOSED, None)
                closed += 1
    due_reminder = list(
        Ticket.objects.filter(
            state=State.PENDING_REMINDER, pending_until__lte=now, reminder_reached_at__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in due_reminder:
        with _writing(Ticket(pk=pk), scheduler, expected_version=None) as locked:
            if locked.state == State.PENDING_REMINDER and locked.reminder_reached_at is None:
                locked.reminder_reached_at = now
                record_event(
                    locked,
                    "ticket.reminder_reached",
                    scheduler,
                    {
                        "pending_until": locked.pending_until.isoformat()
                        if locked.pending_until
                        else None
                    },
                )
                reminded += 1
    return {"closed": closed, "reminded": reminded}

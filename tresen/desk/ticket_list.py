"""The overview's ticket lists: queues, filters, sorting and keyset pagination.

Pages are found by seeking past the last row shown, on (sort column, id), never by OFFSET: the
tenth page costs what the first does, and rows changing meanwhile do not shift pages.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from tresen.accounts.models import Group, User, normalise_email
from tresen.desk.list_rows import load_rows
from tresen.tickets.access import agent_group_ids, visible_tickets
from tresen.tickets.models import Ticket
from tresen.tickets.states import ACTIVE_STATES, State

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

PAGE_SIZE = 50


@dataclass(frozen=True)
class Queue:
    key: str
    label: _StrPromise
    note: _StrPromise | str = ""


QUEUES = [
    Queue("mine", _("My open tickets")),
    Queue("unassigned", _("Unassigned in my groups")),
    Queue("open", _("Open in my groups")),
    Queue("reminders", _("Reminders due")),
    Queue("sla", _("At risk of SLA breach"), _("No service level agreements are configured yet.")),
    Queue("recent", _("Recently updated")),
    Queue("all", _("All tickets")),
]
QUEUE_KEYS = {q.key: q for q in QUEUES}


def my_group_ids(user: User) -> list[int] | None:
    """The groups an agent works in; None for an admin in no group (every group is theirs)."""
    ids = agent_group_ids(user)
    if not ids and user.is_admin:
        return None
    return ids


def _in_groups(groups: list[int] | None) -> Q:
    return Q() if groups is None else Q(group_id__in=groups)


def queue_filter(key: str, user: User, groups: list[int] | None) -> Q | None:
    """The condition of a queue; None for a queue that is empty by definition."""
    active = Q(state__in=ACTIVE_STATES)
    if key == "mine":
        return active & Q(owner=user)
    if key == "unassigned":
        return active & Q(owner__isnull=True) & _in_groups(groups)
    if key == "open":
        return active & _in_groups(groups)
    if key == "reminders":
        return Q(state=State.PENDING_REMINDER, pending_until__lte=timezone.now())
    if key == "sla":
        return None
    return Q()


def queue_counts(user: User) -> dict[str, int]:
    """Live counts of the fixed queues, in one query."""
    groups = my_group_ids(user)
    now = timezone.now()
    # Counting the (never null) group column rather than the id keeps every column the query
    # reads inside the ticket_active_counts index, so PostgreSQL need not visit the table.
    counts = (
        visible_tickets(user)
        .filter(state__in=ACTIVE_STATES)
        .aggregate(
            mine=Count("group", filter=Q(owner=user)),
            unassigned=Count("group", filter=Q(owner__isnull=True) & _in_groups(groups)),
            open=Count("group", filter=_in_groups(groups)),
            reminders=Count(
                "group", filter=Q(state=State.PENDING_REMINDER, pending_until__lte=now)
            ),
        )
    )
    counts["sla"] = 0
    return counts


# Filters -------------------------------------------------------------------------------------

MULTI = ("state", "priority", "group", "type", "category", "channel", "tag")
RANGES = ("created_from", "created_to", "updated_from", "updated_to")


@dataclass
class Filters:
    """The overview's filters, read from the query string."""

    values: dict[str, list[str]] = field(default_factory=dict)
    owner: str = ""
    requester: str = ""
    organisation: str = ""
    dates: dict[str, datetime.date] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        found = cls()
        for name in MULTI:
            chosen = [
                part.strip() for v in query.getlist(name) for part in v.split(",") if part.strip()
            ]
            if chosen:
                found.values[name] = chosen
        found.owner = query.get("owner", "").strip()
        found.requester = query.get("requester", "").strip()
        found.organisation = query.get("organisation", "").strip()
        found.text = query.get("q", "").strip()
        for name in RANGES:
            day = parse_date(query.get(name, "") or "")
            if day is not None:
                found.dates[name] = day
        for key in query:
            value = str(query.get(key, "")).strip()
            if key.startswith("cf_") and value:
                found.custom[key[3:]] = value
        return found

    def ints(self, name: str) -> list[int]:
        return [int(v) for v in self.values.get(name, []) if v.isdigit()]

    def is_empty(self) -> bool:
        return not (
            self.values or self.owner or self.requester or self.organisation or self.dates
        ) and not (self.custom or self.text)


def apply_filters(qs: QuerySet[Ticket], filters: Filters, user: User) -> QuerySet[Ticket]:
    """Narrow `qs` by every filter that is set."""
    v = filters.values
    if "state" in v:
        qs = qs.filter(state__in=v["state"])
    for name, column in (("priority", "priority"), ("group", "group_id")):
        if name in v:
            qs = qs.filter(**{f"{column}__in": filters.ints(name)})
    if "category" in v:
        qs = qs.filter(category_id__in=filters.ints("category"))
    for name in ("type", "channel"):
        if name in v:
            qs = qs.filter(**{f"{name}__in": v[name]})
    for tag in v.get("tag", []):
        tagged = Ticket.tags.through.objects.filter(ticket=OuterRef("pk"), tag__name=tag.lower())
        qs = qs.filter(Exists(tagged))
    qs = _filter_people(qs, filters, user)
    for name, day in filters.dates.items():
        column, _sep, end = name.partition("_")
        lookup = "gte" if end == "from" else "lt"
        bound = datetime.datetime.combine(day, datetime.time.min, timezone.get_current_timezone())
        if end == "to":
            bound += datetime.timedelta(days=1)
        qs = qs.filter(**{f"{column}_at__{lookup}": bound})
    for key, value in filters.custom.items():
        if key.replace("_", "").replace("-", "").isalnum():
            qs = qs.filter(**{f"custom_fields__{key}": value})
    if filters.text:
        qs = _filter_text(qs, filters.text, user)
    return qs


def _filter_people(qs: QuerySet[Ticket], filters: Filters, user: User) -> QuerySet[Ticket]:
    if filters.owner == "me":
        qs = qs.filter(owner=user)
    elif filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        qs = qs.filter(owner_id=int(filters.owner))
    if filters.requester:
        if filters.requester.isdigit():
            qs = qs.filter(requester_id=int(filters.requester))
        elif "@" in filters.requester:
            qs = qs.filter(requester__email=normalise_email(filters.requester))
        else:
            qs = qs.filter(requester__name__icontains=filters.requester)
    if filters.organisation:
        if filters.organisation.isdigit():
            qs = qs.filter(organisation_id=int(filters.organisation))
        else:
            qs = qs.filter(organisation__name__icontains=filters.organisation)
    return qs


def _filter_text(qs: QuerySet[Ticket], text: str, user: User) -> QuerySet[Ticket]:
    from tresen.search import filter_tickets

    matching = filter_tickets(user, text).values("pk")
    # Exact numbers only: a case-insensitive lookup could not use the unique index.
    return qs.filter(Q(number__in=[text, text.upper()]) | Q(pk__in=matching))


# Sorting and keyset pagination ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    expression: Any
    kind: str  # how a cursor value is read back: str, int or time


COLUMNS: dict[str, Column] = {
    "number": Column(F("number"), "str"),
    "title": Column(F("title"), "str"),
    "requester": Column(F("requester__name"), "str"),
    "group": Column(F("group__name"), "str"),
    "owner": Column(Coalesce(F("owner__name"), Value("")), "str"),
    "state": Column(F("state"), "str"),
    "priority": Column(F("priority"), "int"),
    "created": Column(F("created_at"), "time"),
    "updated": Column(F("updated_at"), "time"),
}
DEFAULT_SORT = "-updated"


def parse_sort(raw: str) -> tuple[str, bool]:
    """(column, descending) from "priority" or "-priority"; unknown columns sort by update."""
    descending = raw.startswith("-")
    name = raw.lstrip("-")
    if name not in COLUMNS:
        return "updated", True
    return name, descending


def encode_cursor(value: Any, pk: int) -> str:
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if kind == "time":
            value = datetime.datetime.fromisoformat(value)
        elif kind == "int":
            value = int(value)
        elif not isinstance(value, str):
            return None
        return value, int(pk)
    except (ValueError, TypeError):
        return None


@dataclass
class Page:
    tickets: list[Ticket]
    next_cursor: str = ""
    previous_cursor: str = ""


def paginate(
    qs: QuerySet[Ticket], sort: str, *, after: str = "", before: str = "", size: int = 0
) -> Page:
    """One page of `qs` sorted by `sort`, seeking past the cursor (after or before)."""
    size = size or PAGE_SIZE
    name, descending = parse_sort(sort)
    column = COLUMNS[name]
    qs = qs.alias(sort_value=column.expression)
    backwards = bool(before) and not after
    cursor = (
        decode_cursor(before if backwards else after, column.kind) if (after or before) else None
    )
    # Walking backwards is walking forwards in the opposite order, then turning the rows round.
    forward_desc = descending != backwards
    if cursor is not None:
        value, pk = cursor
        op = "lt" if forward_desc else "gt"
        qs = qs.filter(Q(**{f"sort_value__{op}": value}) | Q(sort_value=value, **{f"pk__{op}": pk}))
    order = ["-sort_value", "-pk"] if forward_desc else ["sort_value", "pk"]
    rows: list[Ticket] = list(
        qs.annotate(cursor_value=column.expression).order_by(*order)[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    page = Page(tickets=rows)
    if rows:
        first, last = rows[0], rows[-1]
        if more or backwards:
            page.next_cursor = encode_cursor(last.cursor_value, last.pk)  # type: ignore[attr-defined]
        if cursor is not None and (more or not backwards):
            page.previous_cursor = encode_cursor(first.cursor_value, first.pk)  # type: ignore[attr-defined]
    return page


def list_tickets_for_agent(
    user: User,
    *,
    queue: str,
    filters: Filters,
    sort: str,
    after: str = "",
    before: str = "",
    groups: list[int] | Literal[False] | None = False,
    known_groups: Iterable[Group] = (),
) -> Page:
    """One page of a queue, narrowed by the filters, with what each row shows loaded
    (`list_rows.load_rows`).

    `groups` is `my_group_ids(user)` when the caller has it already; `known_groups` are group
    rows it has loaded already.
    """
    condition = queue_filter(queue, user, my_group_ids(user) if groups is False else groups)
    if condition is None:
        return Page(tickets=[])
    qs = apply_filters(visible_tickets(user).filter(condition), filters, user)
    page = paginate(qs, sort, after=after, before=before)
    load_rows(page.tickets, known_groups=known_groups)
    return page

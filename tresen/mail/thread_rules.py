"""Which ticket a mail belongs to. Precedence, first match wins:

1. `reply_address`: a signed reply address (To, Cc, Delivered-To, X-Original-To);
2. `in_reply_to` / `references`: a Message-ID Tresen sent or received;
3. `subject_tag`: the ticket number in brackets in the subject, e.g. "[T10023]".

No match: a new ticket. Rules 2 and 3 are hints anyone can forge, which is why intake checks
that the sender takes part in the ticket before treating the mail as a reply.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

from tresen.core.snapshot import remembered
from tresen.mail.parsing import ParsedMail
from tresen.mail.reply_tokens import parse_reply_address
from tresen.tickets.models import Article, Ticket, TicketNumbering
from tresen.tickets.states import State


@dataclass(frozen=True)
class ThreadMatch:
    ticket: Ticket
    rule: str


def find_ticket(mail: ParsedMail) -> ThreadMatch | None:
    """The ticket this mail replies to, with the rule that matched, or None."""
    for finder in (_by_reply_address, _by_message_ids, _by_subject_tag):
        found = finder(mail)
        if found is not None:
            return ThreadMatch(_follow_merges(found[0]), found[1])
    return None


def _follow_merges(ticket: Ticket) -> Ticket:
    seen = {ticket.pk}
    while (
        ticket.state == State.MERGED and ticket.merged_into_id and ticket.merged_into_id not in seen
    ):
        seen.add(ticket.merged_into_id)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def _by_reply_address(mail: ParsedMail) -> tuple[Ticket, str] | None:
    for address in [*mail.to, *mail.cc, *mail.delivered_to]:
        ticket_id = parse_reply_address(address)
        if ticket_id is not None:
            ticket = Ticket.objects.filter(pk=ticket_id).first()
            if ticket is not None:
                return ticket, "reply_address"
    return None


def _by_message_ids(mail: ParsedMail) -> tuple[Ticket, str] | None:
    rules: dict[str, str] = {}  # in the order asked, each Message-ID with its first rule
    for message_id in mail.in_reply_to:
        rules.setdefault(message_id, "in_reply_to")
    for message_id in reversed(mail.references):
        rules.setdefault(message_id, "references")
    rules.pop(mail.message_id, None)
    found = _first_ticket(list(rules))
    return (found[0], rules[found[1]]) if found else None


def find_ticket_by_message_ids(ids: list[str]) -> Ticket | None:
    """The ticket of the first of these Message-IDs that Tresen sent or received."""
    found = _first_ticket(ids)
    return _follow_merges(found[0]) if found else None


def _first_ticket(ids: list[str]) -> tuple[Ticket, str] | None:
    """The ticket of the first Message-ID Tresen knows, with that Message-ID."""
    known = _tickets_of_message_ids(ids)
    for message_id in ids:
        ticket = _ticket(known[message_id]) if message_id in known else None
        if ticket is not None:
            return ticket, message_id
    return None


def _tickets_of_message_ids(ids: list[str]) -> dict[str, int]:
    """Ticket ids by Message-ID, of mail received (articles) and sent (the outbox).

    One statement of two index lookups, reading ids only: joining the tickets in costs the
    database more to plan than a second lookup by primary key costs to run, and this runs for
    nearly every reply, so it is written out rather than built by the ORM each time. Where a
    Message-ID occurs more than once, the newest mail wins.
    """
    if not ids:
        return {}
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT message_id, ticket_id, created_at FROM {quote(Article._meta.db_table)}"  # noqa: S608
        f" WHERE message_id IN ({marks})"
    )
    params = list(ids)
    outbound = _outbox()
    if outbound is not None:
        sql += (
            f" UNION ALL SELECT message_id, ticket_id, created_at FROM"  # noqa: S608
            f" {quote(outbound._meta.db_table)}"
            f" WHERE message_id IN ({marks}) AND ticket_id IS NOT NULL"
        )
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {message_id: ticket_id for message_id, ticket_id, _at in sorted(rows, key=_time)}


def _time(row: tuple[str, int, Any]) -> Any:
    # SQLite returns the time as text in one sortable format, PostgreSQL as datetime.
    return row[2]


def _ticket(pk: int) -> Ticket | None:
    try:
        return Ticket.objects.get(pk=pk)
    except Ticket.DoesNotExist:
        return None


@functools.cache
def _outbox() -> Any:
    """The outbox model, if outgoing mail keeps one with Message-IDs and tickets."""
    try:
        outbound = apps.get_model("notifications", "OutboundMail")
    except LookupError:
        return None
    names = {f.name for f in outbound._meta.get_fields()}
    return outbound if {"message_id", "ticket", "created_at"} <= names else None


def subject_tag_pattern() -> re.Pattern[str]:
    """`[T10023]`, or `[<TRESEN_MAIL_TAG_PREFIX>T10023]` as outgoing mail writes it."""
    prefix = re.escape(remembered("tickets.number_prefix", _number_prefix))
    tag = re.escape(getattr(settings, "TRESEN_MAIL_TAG_PREFIX", "") or "")
    return re.compile(
        rf"\[\s*(?:{tag}|Ticket#?)?\s*({prefix}\d{{3,}})\s*\]"
        if tag
        else rf"\[\s*(?:Ticket#?)?\s*({prefix}\d{{3,}})\s*\]",
        re.IGNORECASE,
    )


def _number_prefix() -> str:
    row = TicketNumbering.objects.filter(pk=1).first()
    return row.prefix if row else "T"


def _by_subject_tag(mail: ParsedMail) -> tuple[Ticket, str] | None:
    if "[" not in (mail.subject or ""):
        return None
    for number in subject_tag_pattern().findall(mail.subject or ""):
        # Numbers are written in capitals; an exact match keeps to the unique index.
        ticket = Ticket.objects.filter(number__in={number, number.upper()}).first()
        if ticket is not None:
            return ticket, "subject_tag"
    return None

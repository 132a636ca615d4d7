"""Mail intake: store the raw bytes first, then turn them into exactly one final state.

`store_raw` commits the bytes (or raises: the caller answers "try again later"). `process`
is idempotent: it works on a message only while it is pending, under the row lock, and a
failure that is not the database's quarantines the message with its reason.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import F, QuerySet
from django.utils import timezone

from tresen.accounts.models import Group
from tresen.core.errors import DomainError
from tresen.core.rows import db_values, update_row
from tresen.core.snapshot import configuration_snapshot
from tresen.mail.models import InboundMessage, InboundState, Mailbox
from tresen.mail.parsing import (
    MailLimitExceeded,
    MailLimits,
    ParsedMail,
    Unparseable,
    parse_message,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntakeResult:
    sha256: str
    state: str
    ticket: str | None
    rule: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "sha256": self.sha256,
            "state": self.state,
            "ticket": self.ticket,
            "rule": self.rule,
        }


class Quarantine(Exception):
    """Processing cannot go on; the message is kept in quarantine with this reason."""


def limits() -> MailLimits:
    """The configured limits (settings are read at call time)."""
    defaults = MailLimits()
    return MailLimits(
        max_bytes=getattr(settings, "TRESEN_MAIL_MAX_BYTES", defaults.max_bytes),
        max_parts=getattr(settings, "TRESEN_MAIL_MAX_PARTS", defaults.max_parts),
        max_depth=getattr(settings, "TRESEN_MAIL_MAX_DEPTH", defaults.max_depth),
        max_header_chars=getattr(
            settings, "TRESEN_MAIL_MAX_HEADER_CHARS", defaults.max_header_chars
        ),
        max_recipients=getattr(settings, "TRESEN_MAIL_MAX_RECIPIENTS", defaults.max_recipients),
    )


def store_raw(*, raw: bytes, mailbox: Mailbox | None) -> tuple[InboundMessage, bool]:
    """Store the raw message durably; return it and whether it is new to this channel.

    Raises DatabaseError when the bytes could not be committed: nothing is acknowledged then.
    """
    digest = hashlib.sha256(raw).hexdigest()
    # The unique constraint is caught outside the transaction, so that the common case (new
    # bytes) needs no savepoint: BEGIN, INSERT, the bytes, COMMIT.
    try:
        with transaction.atomic():
            message = _insert(mailbox=mailbox, digest=digest, raw=raw)
    except IntegrityError:  # stored before (or concurrently by another fetcher)
        with transaction.atomic():
            existing = (
                _same_channel(mailbox).select_related("ticket").defer("raw").get(sha256=digest)
            )
            _count_delivery(existing)
            return existing, False
    return message, True


def _insert(*, mailbox: Mailbox | None, digest: str, raw: bytes) -> InboundMessage:
    if connection.vendor == "postgresql":
        return _insert_binary(mailbox=mailbox, digest=digest, raw=raw)
    return InboundMessage.objects.create(mailbox=mailbox, sha256=digest, size=len(raw), raw=raw)


_RAW_CHUNK = 4 * 1024 * 1024


def _insert_binary(*, mailbox: Mailbox | None, digest: str, raw: bytes) -> InboundMessage:
    """Insert the row with its bytes as binary parameters, in the caller's transaction.

    Django's client-side parameter binding would spell them out in hex inside the SQL text,
    several times the message's size in memory. The first 4 MiB go with the INSERT (one round
    trip for a typical mail); larger messages follow in slices of 4 MiB, so the client library
    never buffers more than one slice.
    """
    import psycopg

    message = InboundMessage(mailbox=mailbox, sha256=digest, size=len(raw), raw=b"")
    meta = InboundMessage._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and f.name != "raw"]
    values = db_values(message, fields, adding=True)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    view = memoryview(raw)
    connection.ensure_connection()
    # Errors as Django's (IntegrityError for a second delivery, OperationalError for an outage).
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f'INSERT INTO "{meta.db_table}" ({columns}, "raw")'  # noqa: S608
            f' VALUES ({", ".join(["%s"] * len(fields))}, %b) RETURNING "id"',
            [*values, view[:_RAW_CHUNK]],
        )
        row = cursor.fetchone()
        assert row is not None
        message.pk = row[0]
        for start in range(_RAW_CHUNK, len(raw), _RAW_CHUNK):
            cursor.execute(
                f'UPDATE "{meta.db_table}" SET "raw" = "raw" || %b WHERE "id" = %s',  # noqa: S608
                [view[start : start + _RAW_CHUNK], message.pk],
            )
    message._state.adding = False
    message._state.db = connection.alias
    return message


def ingest(*, raw: bytes, mailbox: Mailbox | None) -> IntakeResult:
    """Store and process one message; a second delivery of the same bytes is a duplicate."""
    return process_stored([store_raw(raw=raw, mailbox=mailbox)], [raw])[0]


def ingest_many(raws: Sequence[bytes], *, mailbox: Mailbox | None) -> list[IntakeResult]:
    """Store a batch of messages durably (one commit), then process them.

    Raises DatabaseError when the batch could not be committed: nothing is acknowledged then.
    """
    return process_stored(store_many(raws=raws, mailbox=mailbox), raws)


def store_many(
    *, raws: Sequence[bytes], mailbox: Mailbox | None
) -> list[tuple[InboundMessage, bool]]:
    """`store_raw` for a batch, in one transaction: one commit (one disk flush) for all.

    Bytes stored before, or twice in this batch, come back as not new.
    """
    digests = [hashlib.sha256(raw).hexdigest() for raw in raws]
    try:
        with transaction.atomic():
            known = {
                m.sha256: m
                for m in _same_channel(mailbox)
                .filter(sha256__in=set(digests))
                .select_related("ticket")
                .defer("raw")
            }
            stored: list[tuple[InboundMessage, bool]] = []
            for raw, digest in zip(raws, digests, strict=True):
                if digest in known:
                    _count_delivery(known[digest])
                    stored.append((known[digest], False))
                    continue
                known[digest] = _insert(mailbox=mailbox, digest=digest, raw=raw)
                stored.append((known[digest], True))
            return stored
    except IntegrityError:  # another fetcher stored one of them meanwhile: one by one
        return [store_raw(raw=raw, mailbox=mailbox) for raw in raws]


def _same_channel(mailbox: Mailbox | None) -> QuerySet[InboundMessage]:
    if mailbox is None:
        return InboundMessage.objects.filter(mailbox__isnull=True)
    return InboundMessage.objects.filter(mailbox=mailbox)


def _count_delivery(message: InboundMessage) -> None:
    InboundMessage.objects.filter(pk=message.pk).update(deliveries=F("deliveries") + 1)


def process_stored(
    stored: Sequence[tuple[InboundMessage, bool]], raws: Sequence[bytes]
) -> list[IntakeResult]:
    """Process what `store_raw`/`store_many` returned; a repeat of bytes that are already
    through (or earlier in this batch) answers `duplicate`."""
    todo: dict[int, bytes] = {}
    repeats: set[int] = set()
    for index, (message, new) in enumerate(stored):
        if new or (message.state == InboundState.PENDING and message.pk not in todo):
            todo[message.pk] = raws[index]
        else:
            repeats.add(index)
    done = {r_id: r for r_id, r in zip(todo, _process_in_chunks(list(todo.items())), strict=True)}
    results = []
    for index, (message, _new) in enumerate(stored):
        if index in repeats:
            result = done.get(message.pk) or result_of(message)
            results.append(
                IntakeResult(
                    message.sha256, str(InboundState.DUPLICATE), result.ticket, result.rule
                )
            )
        else:
            results.append(done[message.pk])
    return results


def _process_in_chunks(items: list[tuple[int, bytes | None]]) -> list[IntakeResult]:
    results: list[IntakeResult] = []
    # One message alone asks each configuration question once anyway.
    with configuration_snapshot() if len(items) > 1 else contextlib.nullcontext():
        size = batch_size()
        for start in range(0, len(items), size):
            results.extend(process_many(items[start : start + size]))
    return results


def batch_size() -> int:
    """Messages stored per commit, acknowledged per IMAP command and processed per
    transaction (TRESEN_MAIL_FETCH_BATCH): one commit and one queued event task per batch."""
    return max(1, int(getattr(settings, "TRESEN_MAIL_FETCH_BATCH", 20)))


_PROCESSED_FIELDS = (
    "state",
    "reason",
    "rule",
    "ticket",
    "article",
    "message_id",
    "from_address",
    "subject",
    "processed_at",
    "attempts",
)


def process(*, message_id: int, raw: bytes | None = None) -> IntakeResult:
    """Bring a stored message to its final state (no-op if it has one already).

    `raw` saves reading the stored bytes back when the caller still holds them.
    """
    return process_many([(message_id, raw)])[0]


def process_many(items: Sequence[tuple[int, bytes | None]]) -> list[IntakeResult]:
    """Process stored messages in one transaction, each in a savepoint of its own.

    A message that fails is quarantined with its reason and the others go on; when the
    database goes away, the whole batch stays pending and the next run tries again.
    """
    finished: dict[int, InboundMessage] = {}
    failed: dict[int, str] = {}
    # A batch of one needs no savepoint: its failure rolls back the whole transaction.
    savepoints = len(items) > 1
    with transaction.atomic():
        locked = {
            m.pk: m
            for m in InboundMessage.objects.select_for_update(of=("self",))
            .select_related("mailbox__group")
            .defer("raw")
            .filter(pk__in=[pk for pk, _raw in items])
        }
        for pk, raw in items:
            message = locked.get(pk)
            if message is None or message.state != InboundState.PENDING:
                continue
            reason = _process_one(message, raw, savepoint=savepoints)
            if reason is None:
                finished[pk] = message
            else:
                failed[pk] = reason
    for pk, reason in failed.items():
        _quarantine(pk, reason)
    rest = [pk for pk, _raw in items if pk not in finished]
    reread = InboundMessage.objects.select_related("ticket").defer("raw").in_bulk(rest)
    return [result_of(finished.get(pk) or reread[pk]) for pk, _raw in items]


def _process_one(message: InboundMessage, raw: bytes | None, *, savepoint: bool) -> str | None:
    """Route one locked, pending message; return why it must be quarantined, or None."""
    from tresen.mail.routing import route_message

    try:
        with transaction.atomic(savepoint=savepoint):
            message.attempts += 1
            if raw is None:
                raw = _stored_bytes(message.pk)
            route_message(message, _parse(message, raw))
            message.processed_at = timezone.now()
            update_row(message, _PROCESSED_FIELDS)
            return None
    except (Quarantine, DomainError) as exc:
        return str(exc)
    except (OperationalError, InterfaceError):
        raise  # the database went away: stays pending, the next run tries again
    except DatabaseError as exc:  # the database refused this message's data: keep it apart
        return f"database refused: {exc.__class__.__name__}: {exc}"[:2000]
    except Exception as exc:  # a bug must not lose the mail: keep it, say why, go on
        logger.exception("mail %s could not be processed", message.pk)
        return f"processing failed: {exc.__class__.__name__}: {exc}"[:2000]


def _stored_bytes(message_id: int) -> bytes:
    value = InboundMessage.objects.values_list("raw", flat=True).get(pk=message_id)
    return value if isinstance(value, bytes) else bytes(value)


def result_of(message: InboundMessage) -> IntakeResult:
    ticket = message.ticket.number if message.ticket_id and message.ticket else None
    return IntakeResult(message.sha256, str(message.state), ticket, message.rule or None)


def _parse(message: InboundMessage, raw: bytes) -> ParsedMail:
    try:
        parsed = parse_message(raw, limits())
    except MailLimitExceeded as exc:
        raise Quarantine(exc.reason) from exc
    except Unparseable as exc:
        raise Quarantine(str(exc)) from exc
    message.message_id = parsed.message_id[:500]
    message.from_address = parsed.from_address[:320]
    message.subject = parsed.subject[:500]
    return parsed


def _quarantine(message_id: int, reason: str) -> None:
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().defer("raw").get(pk=message_id)
        if message.state != InboundState.PENDING:
            return
        # Keep what could be read, so the admin list shows who sent it.
        try:
            head = _stored_bytes(message_id)[: 256 * 1024]
            parsed = parse_message(head, MailLimits(max_parts=50))
            message.from_address = parsed.from_address[:320]
            message.subject = parsed.subject[:500]
            message.message_id = parsed.message_id[:500]
        except Exception:  # noqa: S110 (a quarantined mail may be unreadable: fine)
            pass
        message.state = InboundState.QUARANTINED
        message.reason = reason or "unknown"
        message.processed_at = timezone.now()
        message.attempts = F("attempts") + 1
        message.save(update_fields=_PROCESSED_FIELDS)


def requeue(*, message_ids: list[int]) -> int:
    """Put quarantined messages back to pending (the admin's "process again")."""
    return InboundMessage.objects.filter(pk__in=message_ids, state=InboundState.QUARANTINED).update(
        state=InboundState.PENDING, reason="", ticket=None, article=None, rule=""
    )


def process_pending(*, limit: int = 500, mailbox: Mailbox | None = None) -> int:
    """Process messages left pending by a crash or an outage (of one mailbox, if given)."""
    pending = InboundMessage.objects.filter(state=InboundState.PENDING)
    if mailbox is not None:
        pending = pending.filter(mailbox=mailbox)
    ids = list(pending.order_by("received_at", "id").values_list("pk", flat=True)[:limit])
    _process_in_chunks([(pk, None) for pk in ids])
    return len(ids)


def default_group(mailbox: Mailbox | None) -> Group:
    if mailbox is not None:
        return mailbox.group
    name = getattr(settings, "TRESEN_MAIL_DEFAULT_GROUP", "")
    group = Group.objects.filter(name=name, is_active=True).first() if name else None
    group = group or Group.objects.filter(is_active=True).order_by("pk").first()
    if group is None:
        raise Quarantine("no active group to open the ticket in")
    return group


def reopen_window() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "TRESEN_MAIL_REOPEN_DAYS", 14))

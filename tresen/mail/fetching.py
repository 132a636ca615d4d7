"""Fetch mail from IMAP and POP3 mailboxes; acknowledge each message only after it is stored.

IMAP: messages are read with BODY.PEEK (so nothing is marked read early), stored, committed,
and only then flagged `\\Seen` plus the keyword `$TresenStored` (or moved to the archive
folder). POP3: a message is marked for deletion after it is stored; the server deletes it at
QUIT. A fetcher killed in between leaves the message on the server; the next run stores the
same bytes again, which intake recognises as a duplicate, and acknowledges it then.
"""

from __future__ import annotations

import contextlib
import logging
import os
import poplib
import ssl
import time
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.utils import timezone

from tresen.mail.intake import (
    IntakeResult,
    batch_size,
    process_pending,
    process_stored,
    store_many,
)
from tresen.mail.models import Mailbox, Protocol

logger = logging.getLogger(__name__)

STORED_KEYWORD = "$TresenStored"
TIMEOUT = 30


class FetchError(Exception):
    """The mailbox could not be reached or read; nothing was lost, try again later."""


@dataclass
class FetchReport:
    mailbox: str
    results: list[IntakeResult] = field(default_factory=list)
    error: str = ""


def _pause() -> None:
    # Lets tests stop a fetcher between two messages; unset in production.
    pause = float(os.environ.get("TRESEN_MAIL_FETCH_PAUSE", "0") or 0)
    if pause:
        time.sleep(pause)


def fetch_mailbox(mailbox: Mailbox) -> FetchReport:
    """Fetch everything new in one mailbox once; record when and how it went."""
    report = FetchReport(mailbox.name)
    try:
        if mailbox.protocol in (Protocol.IMAP, Protocol.IMAPS):
            _fetch_imap(mailbox, report)
        else:
            _fetch_pop3(mailbox, report)
    except DatabaseError:
        raise
    except (OSError, ssl.SSLError, poplib.error_proto, FetchError) as exc:
        report.error = f"{exc.__class__.__name__}: {exc}"[:1000]
    except Exception as exc:  # imapclient raises its own error classes
        report.error = f"{exc.__class__.__name__}: {exc}"[:1000]
    # Stored and acknowledged by a run that was stopped before it processed them.
    process_pending(mailbox=mailbox)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_error=report.error
    )
    return report


def fetch_due_mailboxes(*, only: str | None = None, force: bool = False) -> list[FetchReport]:
    """Poll every active mailbox whose interval has passed (or the one named)."""
    mailboxes = Mailbox.objects.filter(is_active=True).select_related("group")
    if only:
        mailboxes = mailboxes.filter(name=only)
    now = timezone.now()
    return [fetch_mailbox(m) for m in mailboxes if force or only or m.is_due(now)]


def _imap_client(mailbox: Mailbox):  # type: ignore[no-untyped-def]
    from imapclient import IMAPClient

    client = IMAPClient(
        mailbox.host,
        port=mailbox.effective_port,
        ssl=mailbox.protocol == Protocol.IMAPS,
        timeout=TIMEOUT,
    )
    client.login(mailbox.username, mailbox.password)
    return client


def _fetch_imap(mailbox: Mailbox, report: FetchReport) -> None:
    client = _imap_client(mailbox)
    try:
        client.select_folder(mailbox.folder)
        uids = client.search(["NOT", "KEYWORD", STORED_KEYWORD])
        can_move = b"MOVE" in client.capabilities()
        size = batch_size()
        for start in range(0, len(uids), size):
            batch = uids[start : start + size]
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            # In the mailbox's order, so that a reply comes after what it answers; a message
            # expunged by someone else meanwhile has no body.
            present = [
                (uid, bytes(fetched[uid][b"BODY[]"]))
                for uid in sorted(batch)
                if b"BODY[]" in fetched.get(uid, {})
            ]
            raws = [raw for _uid, raw in present]
            stored = store_many(raws=raws, mailbox=mailbox)  # committed, or it raises
            _acknowledge_imap(client, mailbox, [uid for uid, _raw in present], can_move)
            report.results.extend(process_stored(stored, raws))
            _pause()
    finally:
        with contextlib.suppress(Exception):  # the connection may already be gone
            client.logout()


def _acknowledge_imap(client, mailbox: Mailbox, uids: list[int], can_move: bool) -> None:  # type: ignore[no-untyped-def]
    if not uids:
        return
    client.add_flags(uids, [b"\\Seen", STORED_KEYWORD.encode()])
    if not mailbox.archive_folder:
        return
    if can_move:
        client.move(uids, mailbox.archive_folder)
    else:
        client.copy(uids, mailbox.archive_folder)
        client.delete_messages(uids)
        client.uid_expunge(uids) if b"UIDPLUS" in client.capabilities() else client.expunge()


def _fetch_pop3(mailbox: Mailbox, report: FetchReport) -> None:
    port = mailbox.effective_port
    if mailbox.protocol == Protocol.POP3S:
        conn: poplib.POP3 = poplib.POP3_SSL(mailbox.host, port, timeout=TIMEOUT)
    else:
        conn = poplib.POP3(mailbox.host, port, timeout=TIMEOUT)
    try:
        conn.user(mailbox.username)
        conn.pass_(mailbox.password)
        count = len(conn.list()[1])
        size = batch_size()
        for start in range(1, count + 1, size):
            numbers = range(start, min(start + size, count + 1))
            raws = [b"\r\n".join(conn.retr(n)[1]) + b"\r\n" for n in numbers]
            stored = store_many(raws=raws, mailbox=mailbox)  # committed, or it raises
            for number in numbers:
                conn.dele(number)
            report.results.extend(process_stored(stored, raws))
            _pause()
        conn.quit()  # deletions take effect here, after every message was stored
    except BaseException:
        # Without QUIT the server keeps every message: nothing stored is deleted early.
        with contextlib.suppress(Exception):
            conn.close()
        raise


def test_connection(mailbox: Mailbox) -> str:
    """Log in and open the folder; return a short description or raise FetchError."""
    try:
        if mailbox.protocol in (Protocol.IMAP, Protocol.IMAPS):
            client = _imap_client(mailbox)
            try:
                info = client.select_folder(mailbox.folder, readonly=True)
                return f"{int(info.get(b'EXISTS', 0))} messages in {mailbox.folder}"
            finally:
                client.logout()
        port = mailbox.effective_port
        conn = (
            poplib.POP3_SSL(mailbox.host, port, timeout=TIMEOUT)
            if mailbox.protocol == Protocol.POP3S
            else poplib.POP3(mailbox.host, port, timeout=TIMEOUT)
        )
        conn.user(mailbox.username)
        conn.pass_(mailbox.password)
        count = conn.stat()[0]
        conn.quit()
        return f"{count} messages"
    except (OSError, ssl.SSLError, poplib.error_proto) as exc:
        raise FetchError(str(exc)) from exc
    except Exception as exc:
        raise FetchError(f"{exc.__class__.__name__}: {exc}") from exc

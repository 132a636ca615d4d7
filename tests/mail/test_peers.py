"""Intake against real servers: Dovecot over IMAP, and a PostgreSQL that goes away."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import GroupFactory
from tests.mail.conftest import build_mail
from tresen.mail.audit import audit_inbound
from tresen.mail.fetching import STORED_KEYWORD, fetch_mailbox
from tresen.mail.models import InboundMessage, Mailbox
from tresen.tickets.models import Article, Ticket

pytestmark = pytest.mark.peer


def _mailbox(peer, **fields) -> Mailbox:
    return Mailbox.objects.create(
        name="imap",
        address="support@helpdesk.example",
        protocol="imap",
        host=peer.host,
        port=peer.port,
        username=peer.user,
        password=peer.password,
        group=GroupFactory(name="Support"),
        **fields,
    )


def _database_url() -> str:
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    return f"postgres://{user}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _subprocess_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    from django.conf import settings

    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": database_url,
        "TRESEN_VAR_DIR": str(tmp_path),
        "TRESEN_TASKS_IMMEDIATE": "1",
        "SECRET_KEY": settings.SECRET_KEY,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def test_fetch_turns_imap_messages_into_tickets_and_flags_them(imap_peer, db):
    mailbox = _mailbox(imap_peer)
    imap_peer.append(*(build_mail(subject=f"Frage {n}", body=f"Text {n}") for n in range(3)))
    report = fetch_mailbox(mailbox)
    assert report.error == ""
    assert [r.state for r in report.results] == ["created"] * 3
    assert Ticket.objects.count() == 3
    client = imap_peer.client()
    client.select_folder("INBOX")
    flags = client.get_flags(client.search("ALL"))
    client.logout()
    assert all(STORED_KEYWORD.encode() in f and b"\\Seen" in f for f in flags.values())
    assert fetch_mailbox(mailbox).results == []


def test_a_reply_fetched_in_the_same_batch_as_its_question_joins_its_ticket(imap_peer, db):
    mailbox = _mailbox(imap_peer)
    question = build_mail(subject="Drucker", message_id="<frage-1@kunde.example>")
    reply = build_mail(subject="AW: Drucker", headers={"In-Reply-To": "<frage-1@kunde.example>"})
    imap_peer.append(question, reply)

    first, second = fetch_mailbox(mailbox).results

    assert (first.state, second.state, second.rule) == ("created", "appended", "in_reply_to")
    assert second.ticket == first.ticket and Ticket.objects.count() == 1


def test_fetch_moves_to_archive_folder_when_configured(imap_peer, db):
    client = imap_peer.client()
    client.create_folder("Archive")
    client.logout()
    mailbox = _mailbox(imap_peer, archive_folder="Archive")
    imap_peer.append(build_mail())
    assert [r.state for r in fetch_mailbox(mailbox).results] == ["created"]
    client = imap_peer.client()
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("Archive")[b"EXISTS"] == 1
    client.logout()


def test_wrong_password_is_reported_and_loses_nothing(imap_peer, db):
    mailbox = _mailbox(imap_peer)
    Mailbox.objects.filter(pk=mailbox.pk).update(password="wrong")
    mailbox.refresh_from_db()
    imap_peer.append(build_mail())
    report = fetch_mailbox(mailbox)
    assert report.error and report.results == []
    mailbox.refresh_from_db()
    assert mailbox.last_error
    Mailbox.objects.filter(pk=mailbox.pk).update(password=imap_peer.password)
    mailbox.refresh_from_db()
    assert [r.state for r in fetch_mailbox(mailbox).results] == ["created"]


def test_fetcher_killed_mid_batch_loses_and_doubles_nothing(imap_peer, transactional_db, tmp_path):
    mailbox = _mailbox(imap_peer)
    count = 6
    imap_peer.append(*(build_mail(subject=f"Nr {n}", body=f"Inhalt {n}") for n in range(count)))
    fetcher = subprocess.Popen(
        [sys.executable, "-m", "tresen", "fetch-mail", "--mailbox", mailbox.name],
        env=_subprocess_env(
            tmp_path, _database_url(), TRESEN_MAIL_FETCH_PAUSE="0.4", TRESEN_MAIL_FETCH_BATCH="2"
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while InboundMessage.objects.count() < 2 and time.monotonic() < deadline:
            assert fetcher.poll() is None, fetcher.stderr.read() if fetcher.stderr else ""
            time.sleep(0.05)
    finally:
        fetcher.send_signal(signal.SIGKILL)
        fetcher.wait(timeout=10)
    taken_before = InboundMessage.objects.count()
    assert 2 <= taken_before < count
    report = fetch_mailbox(mailbox)
    assert report.error == ""
    assert InboundMessage.objects.count() == count
    assert InboundMessage.objects.values("sha256").distinct().count() == count
    assert Ticket.objects.count() == count
    assert Article.objects.count() == count
    assert not audit_inbound().problems
    client = imap_peer.client()
    client.select_folder("INBOX")
    assert client.search(["NOT", "KEYWORD", STORED_KEYWORD]) == []
    client.logout()


def test_piped_mail_waits_while_postgres_is_down_and_goes_in_after(throwaway_postgres, tmp_path):
    env = _subprocess_env(tmp_path, throwaway_postgres.url)
    tresen = [sys.executable, "-m", "tresen"]
    migrate = subprocess.run(
        [*tresen, "migrate", "--noinput", "-v0"], env=env, capture_output=True, timeout=300
    )
    assert migrate.returncode == 0, migrate.stderr
    subprocess.run(
        [
            *tresen,
            "shell",
            "-c",
            "from tresen.accounts.models import Group; Group.objects.create(name='Support')",
        ],
        env=env,
        check=True,
        timeout=60,
    )
    raw = build_mail()
    throwaway_postgres.stop_hard()
    down = subprocess.run(
        [*tresen, "ingest-mail"], input=raw, env=env, capture_output=True, timeout=60
    )
    assert down.returncode == 75, down.stderr
    throwaway_postgres.start()
    up = subprocess.run(
        [*tresen, "ingest-mail"], input=raw, env=env, capture_output=True, timeout=60
    )
    assert up.returncode == 0, up.stderr
    assert b'"state": "created"' in up.stdout
    again = subprocess.run(
        [*tresen, "ingest-mail"], input=raw, env=env, capture_output=True, timeout=60
    )
    assert b'"state": "duplicate"' in again.stdout


def test_periodic_task_fetches_due_mailboxes(imap_peer, db):
    from tresen.mail.tasks import fetch_mail_task

    _mailbox(imap_peer)
    imap_peer.append(build_mail())
    fetch_mail_task.call_local()
    assert Ticket.objects.count() == 1
    fetch_mail_task.call_local()  # not due again yet, and nothing new anyway
    assert InboundMessage.objects.count() == 1


def test_pop3_fetch_stores_then_deletes(imap_peer, db):
    if imap_peer.pop3_port is None:
        pytest.skip("Dovecot's POP3 server is not installed (apt-get install dovecot-pop3d)")
    mailbox = _mailbox(imap_peer)
    Mailbox.objects.filter(pk=mailbox.pk).update(protocol="pop3", port=imap_peer.pop3_port)
    mailbox.refresh_from_db()
    raw = build_mail(subject="Per POP3")
    imap_peer.append(raw, build_mail(subject="Noch eine"))
    report = fetch_mailbox(mailbox)
    assert report.error == ""
    assert [r.state for r in report.results] == ["created", "created"]
    assert bytes(InboundMessage.objects.order_by("id").first().raw).replace(b"\r\n", b"\n") == (
        raw.replace(b"\r\n", b"\n")
    )
    assert fetch_mailbox(mailbox).results == []  # deleted on the server at QUIT
    client = imap_peer.client()
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    client.logout()

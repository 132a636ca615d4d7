"""The outbox against a real SMTP server on loopback, with real commits: sent after commit
with a stable Message-ID, nothing for a rollback, retries, lost tasks and killed workers."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from tresen.notifications.delivery import deliver_due, retry_delay
from tresen.notifications.models import OutboundMail, OutboundStatus
from tresen.notifications.outbox import queue_mail

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.peer]


def later(mail: OutboundMail, seconds: float = 1) -> datetime.datetime:
    mail.refresh_from_db()
    return mail.next_attempt_at + datetime.timedelta(seconds=seconds)


def test_queued_mail_is_sent_after_commit_with_its_message_id(smtp_peer):
    with transaction.atomic():
        mail = queue_mail(to=["someone@example.org"], subject="Hello", text="Body", language="en")
        assert smtp_peer.messages == []
    received = smtp_peer.wait_for(1)
    assert len(received) == 1
    assert received[0]["Message-ID"] == mail.message_id
    assert received[0]["Subject"] == "Hello"
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.SENT
    assert mail.sent_at is not None


def test_rolled_back_transaction_sends_nothing(smtp_peer):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_mail(to=["someone@example.org"], subject="Hello", text="Body", language="en")
        raise RuntimeError("the write failed")
    assert deliver_due() == {}
    assert smtp_peer.messages == []
    assert not OutboundMail.objects.exists()


def test_temporary_failure_retries_with_backoff_and_keeps_message_id(smtp_peer):
    smtp_peer.reply = "451 4.3.0 try again later"
    mail = queue_mail(to=["someone@example.org"], subject="Hello", text="Body", language="en")
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.QUEUED
    assert mail.attempts == 1
    assert "451" in mail.last_error
    first_wait = mail.next_attempt_at - timezone.now()
    assert first_wait > retry_delay(1) - datetime.timedelta(seconds=5)

    deliver_due(now=later(mail))
    mail.refresh_from_db()
    assert mail.attempts == 2
    assert mail.next_attempt_at - later(mail, 0) >= datetime.timedelta(0)

    smtp_peer.reply = "250 OK"
    assert deliver_due(now=later(mail)) == {"sent": 1}
    assert deliver_due(now=later(mail, 10_000)) == {}
    assert [m["Message-ID"] for m in smtp_peer.messages] == [mail.message_id]


def test_server_down_is_retried_until_it_returns(smtp_peer, settings):
    from aiosmtpd.controller import Controller

    from tests.peers import free_port

    # A second real server with the peer's handler, down at first and started later.
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    mail = queue_mail(to=["someone@example.org"], subject="Down", text="Body", language="en")
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (OutboundStatus.QUEUED, 1)
    assert "Connection refused" in mail.last_error

    server = Controller(smtp_peer, hostname="127.0.0.1", port=port)
    server.start()
    try:
        assert deliver_due(now=later(mail)) == {"sent": 1}
    finally:
        server.stop()
    assert [m["Message-ID"] for m in smtp_peer.messages] == [mail.message_id]


def test_mail_whose_task_was_lost_is_sent_by_the_periodic_sweep(smtp_peer, monkeypatch):
    from tresen.notifications import tasks

    def queue_down(mail_id):
        raise ConnectionError("Redis is gone")

    monkeypatch.setattr(tasks, "send_mail_task", queue_down)
    mail = queue_mail(to=["someone@example.org"], subject="Lost", text="Body", language="en")
    mail.refresh_from_db()
    assert mail.status == OutboundStatus.QUEUED
    assert smtp_peer.messages == []

    tasks.send_due_mail_task()

    mail.refresh_from_db()
    assert mail.status == OutboundStatus.SENT
    assert [m["Message-ID"] for m in smtp_peer.wait_for(1)] == [mail.message_id]


def test_mail_of_a_worker_that_died_mid_send_is_sent_again_after_its_lease(smtp_peer, monkeypatch):
    from tresen.notifications import delivery, tasks

    monkeypatch.setattr(tasks, "send_mail_task", lambda mail_id: None)
    mail = queue_mail(to=["someone@example.org"], subject="Crash", text="Body", language="en")
    now = timezone.now()
    assert delivery.claim(mail.pk, now) is not None  # ... and then the worker is killed

    assert deliver_due(now=now) == {}
    assert deliver_due(now=now + delivery.lease() + datetime.timedelta(seconds=1)) == {"sent": 1}
    mail.refresh_from_db()
    assert mail.attempts == 2
    assert [m["Message-ID"] for m in smtp_peer.messages] == [mail.message_id]


def test_mail_survives_a_flushed_redis_queue(smtp_peer, monkeypatch):
    import uuid

    import redis
    from huey import RedisHuey

    from tresen.notifications import tasks
    from tresen.notifications.delivery import deliver

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    queue = RedisHuey(f"tresen-test-{uuid.uuid4().hex}", url=url)
    monkeypatch.setattr(tasks, "send_mail_task", queue.task()(deliver))

    mail = queue_mail(to=["someone@example.org"], subject="Flush", text="Body", language="en")
    assert queue.pending_count() == 1
    queue.flush()  # Redis loses the task before any worker took it
    assert queue.pending_count() == 0

    tasks.send_due_mail_task()

    mail.refresh_from_db()
    assert mail.status == OutboundStatus.SENT
    assert [m["Message-ID"] for m in smtp_peer.wait_for(1)] == [mail.message_id]

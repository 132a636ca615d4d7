"""Bounces, filters, quarantine, the commands and the audit."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from tests.factories import CustomerFactory, GroupFactory
from tests.mail.conftest import build_mail
from tresen.mail.intake import process, requeue
from tresen.mail.models import InboundMessage, PostmasterFilter
from tresen.tickets.models import Article, Ticket


def dsn(original_id: str, recipient: str, status: str, diagnostic: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example\r\nTo: support@helpdesk.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx.example>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="d"\r\n\r\n'
        "--d\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        "--d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n"
        "--d\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@helpdesk.example\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        "Subject: Ihre Anfrage\r\n--d--\r\n"
    ).encode()


def test_hard_bounce_lands_on_the_ticket_and_marks_the_address(take):
    number = take(build_mail()).ticket
    ticket = Ticket.objects.get(number=number)
    Article.objects.create(
        ticket=ticket,
        kind="message",
        channel="email",
        sender_role="agent",
        body_text="Antwort",
        message_id="<reply-1@helpdesk.example>",
    )
    result = take(
        dsn("<reply-1@helpdesk.example>", "carla@kunde.example", "5.1.1", "550 5.1.1 User unknown")
    )
    assert (result.state, result.ticket, result.rule) == ("bounce", number, "bounce")
    note = ticket.articles.order_by("id").last()
    assert note.is_internal and note.kind == "note"
    assert note.meta["mail"]["bounce"] == {
        "status": "5.1.1",
        "reason": "userunknown",
        "hard": True,
        "recipient": "carla@kunde.example",
    }
    ticket.requester.refresh_from_db()
    assert ticket.requester.email_undeliverable_at is not None


def test_soft_bounce_does_not_mark_the_address(take):
    customer = CustomerFactory(email="full@kunde.example")
    result = take(dsn("<unknown@x>", customer.email, "4.2.2", "452 4.2.2 Mailbox full"))
    assert result.state == "bounce" and result.ticket is None
    customer.refresh_from_db()
    assert customer.email_undeliverable_at is None
    assert "mailboxfull" in InboundMessage.objects.get().reason


def test_plain_text_bounce_from_qmail_is_recognised(take):
    text = (
        b"From: MAILER-DAEMON@mx.example\r\nTo: support@helpdesk.example\r\n"
        b"Subject: failure notice\r\n\r\n"
        b"Hi. This is the qmail-send program at mx.example.\r\n"
        b"I'm afraid I wasn't able to deliver your message to the following addresses.\r\n\r\n"
        b"<nobody@kunde.example>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n"
    )
    result = take(text)
    assert result.state == "bounce"
    assert "userunknown" in InboundMessage.objects.get().reason


def test_filter_can_ignore_mail(take):
    PostmasterFilter.objects.create(
        name="spam", header="X-Spam-Flag", match="equals", value="YES", ignore=True
    )
    result = take(build_mail(headers={"X-Spam-Flag": "YES"}))
    assert result.state == "ignored" and result.ticket is None
    assert Ticket.objects.count() == 0


def test_filter_sets_group_priority_and_tags(take):
    billing = GroupFactory(name="Billing")
    PostmasterFilter.objects.create(
        name="invoices",
        header="Subject",
        match="regex",
        value=r"rechnung\s+\d+",
        set_group=billing,
        set_priority=3,
        add_tags="billing, invoice",
    )
    result = take(build_mail(subject="Frage zu Rechnung 4711"))
    ticket = Ticket.objects.get(number=result.ticket)
    assert ticket.group == billing and ticket.priority == 3
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "invoice"]


def test_catastrophic_filter_pattern_is_refused():
    from django.core.exceptions import ValidationError

    rule = PostmasterFilter(name="bad", header="Subject", match="regex", value="(a+)+$")
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_too_large_mail_is_quarantined_with_raw_kept_and_can_be_processed_again(take, settings):
    settings.TRESEN_MAIL_MAX_BYTES = 500
    raw = build_mail(body="x" * 1000)
    result = take(raw)
    assert result.state == "quarantined"
    stored = InboundMessage.objects.get()
    assert stored.reason == "too large" and bytes(stored.raw) == raw
    assert stored.from_address == "carla@kunde.example"
    settings.TRESEN_MAIL_MAX_BYTES = 10_000_000
    assert requeue(message_ids=[stored.pk]) == 1
    assert process(message_id=stored.pk).state == "created"


def test_executable_attachment_is_refused_but_the_mail_is_taken(take):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "carla@kunde.example"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = "Programm"
    message.set_content("Anbei")
    message.add_attachment(
        b"MZ\x90\x00" + b"\x00" * 60, "application", "octet-stream", filename="tool.pdf"
    )
    result = take(message.as_bytes())
    assert result.state == "created"
    article = Ticket.objects.get(number=result.ticket).articles.get()
    assert article.attachments.count() == 0
    assert article.meta["mail"]["refused_attachments"][0]["name"] == "tool.pdf"


def test_ingest_command_prints_one_json_line_per_message(mailbox, tmp_path):
    first = tmp_path / "a.eml"
    first.write_bytes(build_mail())
    out = io.StringIO()
    call_command("ingest-mail", str(first), str(first), "--mailbox", "support", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["state"] for line in lines] == ["created", "duplicate"]
    assert set(lines[0]) == {"sha256", "state", "ticket", "rule"}
    assert lines[0]["ticket"] == lines[1]["ticket"]


def test_mail_audit_passes_when_every_message_is_final(take):
    take(build_mail())
    take(build_mail(headers={"Precedence": "bulk"}, subject="News"))
    call_command("mail-audit", stdout=io.StringIO())


def test_mail_audit_fails_and_lists_a_pending_message(mailbox):
    from tresen.mail.intake import store_raw

    message, _new = store_raw(raw=build_mail(), mailbox=mailbox)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("mail-audit", stdout=out)
    assert exit_info.value.code == 1
    assert f"#{message.pk}" in out.getvalue() and "state=pending" in out.getvalue()


def test_ingest_mail_exits_75_when_the_database_is_unreachable(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "TRESEN_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 50,
    }
    done = subprocess.run(
        [sys.executable, "-m", "tresen", "ingest-mail"],
        input=build_mail(),
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 75, done.stderr
    assert b"try again later" in done.stderr


def test_large_message_is_stored_byte_for_byte(take):
    import hashlib
    import random
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "carla@kunde.example"
    message["Subject"] = "Großer Anhang"
    message.set_content("Anbei")
    data = b"%PDF-1.4\n" + random.Random(3).randbytes(7 * 1024 * 1024)
    message.add_attachment(data, "application", "pdf", filename="gross.pdf")
    raw = message.as_bytes()
    result = take(raw)
    assert result.state == "created"
    stored = InboundMessage.objects.get()
    assert bytes(stored.raw) == raw and stored.sha256 == hashlib.sha256(raw).hexdigest()
    attachment = Ticket.objects.get(number=result.ticket).articles.get().attachments.get()
    assert attachment.blob.file.read() == data

import pytest
from django.urls import reverse

from tests.factories import AdminFactory
from tresen.mail.models import InboundMessage, Mailbox


@pytest.fixture
def admin_client(client, db):
    client.force_login(AdminFactory())
    return client


def test_mailbox_password_is_never_shown_back(admin_client, mailbox):
    mailbox.password = "s3cret-imap-pass"
    mailbox.save()
    page = admin_client.get(reverse("admin:mail_mailbox_change", args=[mailbox.pk]))
    assert page.status_code == 200
    assert b"s3cret-imap-pass" not in page.content


def test_saving_a_mailbox_without_password_keeps_the_stored_one(admin_client, mailbox):
    from tresen.mail.admin import MailboxForm

    mailbox.password = "s3cret-imap-pass"
    mailbox.save()
    form = MailboxForm(
        data={
            "name": "support",
            "address": "support@helpdesk.example",
            "protocol": "imap",
            "host": "imap.example",
            "port": "",
            "username": "u",
            "password": "",
            "folder": "INBOX",
            "archive_folder": "",
            "group": mailbox.group_id,
            "poll_interval": 60,
            "is_active": "on",
        },
        instance=mailbox,
    )
    assert form.is_valid(), form.errors
    form.save()
    assert Mailbox.objects.get().password == "s3cret-imap-pass"


def test_test_connection_reports_an_unreachable_server(admin_client, mailbox):
    mailbox.host = "127.0.0.1"
    mailbox.port = 1
    mailbox.save()
    page = admin_client.post(
        reverse("admin:mail_mailbox_changelist"),
        {"action": "test_connection", "_selected_action": [mailbox.pk]},
        follow=True,
    )
    assert b"connection failed" in page.content


def test_quarantined_message_is_listed_and_processed_again(admin_client, take, settings):
    from tests.mail.conftest import build_mail

    settings.TRESEN_MAIL_MAX_BYTES = 100
    take(build_mail())
    message = InboundMessage.objects.get(state="quarantined")
    listing = admin_client.get(
        reverse("admin:mail_inboundmessage_changelist") + "?state=quarantined"
    )
    assert b"too large" in listing.content
    settings.TRESEN_MAIL_MAX_BYTES = 10_000_000
    admin_client.post(
        reverse("admin:mail_inboundmessage_changelist"),
        {"action": "process_again", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.state == "created" and message.ticket is not None

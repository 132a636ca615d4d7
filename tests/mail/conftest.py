from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from tests.factories import GroupFactory
from tests.mail.servers import imap_peer, throwaway_postgres  # noqa: F401 (fixtures)
from tresen.mail.intake import IntakeResult, ingest
from tresen.mail.models import Mailbox


def build_mail(
    *,
    sender: str = "Carla Kunde <carla@kunde.example>",
    to: str = "support@helpdesk.example",
    subject: str = "Drucker im 2. Stock druckt nicht",
    body: str = "Hallo, der Drucker zeigt Fehler E42.",
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="kunde.example")
    message["Date"] = "Sat, 28 Nov 2026 08:00:00 +0100"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


@pytest.fixture
def mailbox(db):
    group = GroupFactory(name="Support", email="team@helpdesk.example")
    return Mailbox.objects.create(
        name="support", address="support@helpdesk.example", group=group, protocol="imap"
    )


@pytest.fixture
def take(mailbox):
    def _take(raw: bytes) -> IntakeResult:
        return ingest(raw=raw, mailbox=mailbox)

    return _take

"""Fixtures for the portal: a request form, knowledge-base articles, signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail

from tresen.accounts.models import User
from tresen.knowledge.models import Answer
from tresen.portal.models import RequestForm
from tresen.tickets.models import CustomField, FieldKind


@pytest.fixture
def request_form(group):
    return RequestForm.objects.create(
        name_en="IT problem",
        name_de="IT-Problem",
        description_en="Something does not work.",
        description_de="Etwas funktioniert nicht.",
        group=group,
        is_public=True,
    )


@pytest.fixture
def asset_field(group, request_form):
    field = CustomField.objects.create(
        group=group,
        key="asset",
        label_en="Asset tag",
        label_de="Inventarnummer",
        kind=FieldKind.TEXT,
        visible_to_customer=True,
    )
    request_form.fields.add(field)
    return field


@pytest.fixture
def printer_answer(db):
    return Answer.objects.create(
        title="Printer shows a paper jam",
        slug="printer-paper-jam",
        language="en",
        summary="Open tray 2 and remove the sheet.",
        body_html="<p>Open tray 2 and pull the sheet out <script>alert(1)</script>slowly.</p>",
        is_published=True,
    )


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


def sign_in(client, user: User):
    client.force_login(user)
    return client


@dataclass(frozen=True)
class Sent:
    to: list[str]
    subject: str
    body: str


def _sent(message: Any) -> Sent:
    """The same view of a mail whether it came through the outbox or Django's send_mail."""
    if hasattr(message, "body"):
        return Sent(list(message.to), str(message.subject), str(message.body))
    built = message.message()
    part = built.get_body(preferencelist=("plain",))
    return Sent(list(message.recipients()), str(built["Subject"]), part.get_content())


@contextmanager
def mails(capture) -> Iterator[list[Sent]]:  # type: ignore[no-untyped-def]
    """Run the block with after-commit work executed; yield the mails it sent."""
    before = len(mail.outbox)
    sent: list[Sent] = []
    with capture(execute=True):
        yield sent
    sent.extend(_sent(m) for m in mail.outbox[before:])


def link_in(message: Any, pattern: str = r"https?://\S+") -> str:
    body = (
        message.body
        if hasattr(message, "body")
        else message.get_body(preferencelist=("plain",)).get_content()
    )
    found = re.search(pattern, body)
    assert found, f"no link in {body!r}"
    return found.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def without_secrets(content: bytes, *addresses: str) -> bytes:
    """A page with its CSRF tokens and the given addresses blanked, to compare two answers."""
    text = re.sub(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', rb"\1", content)
    for address in addresses:
        text = text.replace(address.encode(), b"ADDRESS")
    return text

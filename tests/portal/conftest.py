"""Fixtures for the portal: a request form, knowledge-base articles, signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def mails(capture) -> Iterator[list]:  # type: ignore[no-untyped-def]
    """Run the block with after-commit work executed; yield the mails it sent."""
    before = len(mail.outbox)
    sent: list = []
    with capture(execute=True):
        yield sent
    sent.extend(mail.outbox[before:])


def link_in(message, pattern: str = r"https?://\S+") -> str:
    body = message.body if hasattr(message, "body") else message.get_content()
    found = re.search(pattern, body)
    assert found, f"no link in {body!r}"
    return found.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]

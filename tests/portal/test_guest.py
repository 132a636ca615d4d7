"""Requests without an account and the embeddable form: nothing opens before the mailed link
is confirmed; robots and floods are kept out."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import AgentFactory
from tests.portal.conftest import link_in, mails, path_of
from tresen.accounts.models import User
from tresen.portal.models import MailToken
from tresen.tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db

GUEST = {
    "name": "Gina Guest",
    "email": "gina@example.net",
    "title": "Invoice 4711 is wrong",
    "body": "It lists two licences; we have one.",
}


def test_guest_request_becomes_a_ticket_only_after_confirmation(
    client, request_form, django_capture_on_commit_callbacks
):
    with mails(django_capture_on_commit_callbacks) as sent:
        page = client.post(
            f"/portal/ask/{request_form.pk}/",
            {**GUEST, "attachments": [SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice")]},
        )
    assert page.status_code == 200 and b"Check your mail" in page.content
    assert (
        not Ticket.objects.exists() and not User.objects.filter(email="gina@example.net").exists()
    )
    assert [m.to for m in sent] == [["gina@example.net"]]
    assert "Invoice 4711 is wrong" in sent[0].body

    confirm = path_of(link_in(sent[0]))
    assert client.get(confirm).status_code == 200 and not Ticket.objects.exists()
    done = client.post(confirm)
    ticket = Ticket.objects.get()
    assert ticket.number in done.content.decode()
    assert ticket.channel == Channel.WEB and ticket.requester.email == "gina@example.net"
    assert ticket.requester.name == "Gina Guest" and ticket.requester.is_customer
    assert ticket.articles.get().attachments.get().filename == "invoice.pdf"
    assert client.post(confirm).status_code == 400  # single use: no second ticket
    assert Ticket.objects.count() == 1


def test_honeypot_answers_like_success_but_keeps_nothing(
    client, request_form, django_capture_on_commit_callbacks
):
    with mails(django_capture_on_commit_callbacks) as sent:
        page = client.post(
            f"/portal/ask/{request_form.pk}/", {**GUEST, "website": "http://spam.example"}
        )
    assert b"Check your mail" in page.content
    assert sent == [] and not MailToken.objects.exists()


def test_guest_requests_are_rate_limited_per_address(
    client, request_form, django_capture_on_commit_callbacks
):
    with mails(django_capture_on_commit_callbacks) as sent:
        for _ in range(6):
            page = client.post(f"/portal/ask/{request_form.pk}/", GUEST)
    assert len(sent) == 5
    assert b"Too many attempts" in page.content


def test_only_public_forms_take_guest_requests(client, request_form):
    request_form.is_public = False
    request_form.save()
    assert client.get(f"/portal/ask/{request_form.pk}/").status_code == 404
    assert client.post(f"/portal/embed/{request_form.pk}/", GUEST).status_code == 404


def test_embedded_form_may_be_framed_and_posts_without_csrf_cookie(
    request_form, django_capture_on_commit_callbacks
):
    foreign_site = Client(enforce_csrf_checks=True)
    page = foreign_site.get(f"/portal/embed/{request_form.pk}/")
    assert page.status_code == 200 and "X-Frame-Options" not in page
    assert b'name="website"' in page.content and b"portal-header" not in page.content
    with mails(django_capture_on_commit_callbacks) as sent:
        posted = foreign_site.post(f"/portal/embed/{request_form.pk}/", GUEST)
    assert posted.status_code == 200 and len(sent) == 1
    assert not Ticket.objects.exists()


def test_other_portal_pages_refuse_framing(client):
    assert client.get("/portal/login/")["X-Frame-Options"] == "DENY"


def test_request_confirmed_for_an_agent_address_opens_nothing(
    client, request_form, django_capture_on_commit_callbacks
):
    agent = AgentFactory()
    with mails(django_capture_on_commit_callbacks) as sent:
        client.post(f"/portal/ask/{request_form.pk}/", {**GUEST, "email": agent.email})
    response = client.post(path_of(link_in(sent[0])))
    assert response.status_code == 400 and not Ticket.objects.exists()


def test_guest_request_missing_a_required_group_field_is_refused_before_any_mail(
    client, group, request_form, django_capture_on_commit_callbacks
):
    from tresen.tickets.models import CustomField, FieldKind

    CustomField.objects.create(
        group=group,
        key="contract",
        label_en="Contract",
        label_de="Vertrag",
        kind=FieldKind.TEXT,
        required=True,
    )
    with mails(django_capture_on_commit_callbacks) as sent:
        page = client.post(f"/portal/ask/{request_form.pk}/", GUEST)
    assert page.status_code == 400 and "Contract" in page.content.decode()
    assert sent == [] and not MailToken.objects.exists()

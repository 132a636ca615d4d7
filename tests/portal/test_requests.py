"""Asking and following requests: the request form, the list, replies, solving, reopening."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory, OrganisationFactory, make_ticket
from tresen.tickets.models import Article, Channel, CustomField, FieldKind, Ticket
from tresen.tickets.services import change_state, post_article
from tresen.tickets.states import State

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_customer_opens_request_with_attachment_and_custom_field(
    customer_client, customer, request_form, asset_field
):
    form_page = customer_client.get(f"/portal/new/{request_form.pk}/")
    assert b'for="id_cf_asset"' in form_page.content  # the admin's field, labelled
    response = customer_client.post(
        f"/portal/new/{request_form.pk}/",
        {
            "title": "Laptop will not start",
            "body": "The power LED blinks orange.",
            "cf_asset": "NB-0042",
            "attachments": [SimpleUploadedFile("photo.pdf", PDF, "application/pdf")],
        },
    )
    ticket = Ticket.objects.get(title="Laptop will not start")
    assert (
        response.status_code == 302 and response["Location"] == f"/portal/new/done/{ticket.number}/"
    )
    assert ticket.channel == Channel.WEB and ticket.requester == customer
    assert ticket.group == request_form.group and ticket.custom_fields == {"asset": "NB-0042"}
    article = ticket.articles.get()
    assert article.attachments.get().filename == "photo.pdf"
    done = customer_client.get(response["Location"])
    assert ticket.number in done.content.decode()


def test_request_form_offers_only_active_forms(customer_client, request_form):
    request_form.is_active = False
    request_form.save()
    assert customer_client.get(f"/portal/new/{request_form.pk}/").status_code == 404


def test_refused_attachment_keeps_the_form_and_opens_nothing(customer_client, request_form):
    response = customer_client.post(
        f"/portal/new/{request_form.pk}/",
        {
            "title": "Tool",
            "body": "See file",
            "attachments": [SimpleUploadedFile("tool.pdf", b"MZ\x90\x00rest", "application/pdf")],
        },
    )
    assert response.status_code == 400
    assert "program" in response.content.decode()
    assert not Ticket.objects.exists()


def test_list_filters_by_state_and_search(customer_client, customer, group, agent):
    open_one = make_ticket(requester=customer, group=group, title="VPN drops every hour")
    solved = make_ticket(requester=customer, group=group, title="Mouse broken")
    change_state(actor=agent, ticket=solved, state=State.RESOLVED)
    make_ticket(group=group, title="Someone else's problem")

    default = customer_client.get("/portal/requests/").content.decode()
    assert open_one.title in default and solved.title not in default
    assert "Someone else" not in default
    solved_page = customer_client.get("/portal/requests/?status=solved").content.decode()
    assert solved.title in solved_page and open_one.title not in solved_page
    found = customer_client.get("/portal/requests/?status=all&q=vpn").content.decode()
    assert open_one.title in found and solved.title not in found
    fragment = customer_client.get("/portal/requests/?status=all", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and solved.title.encode() in fragment.content


def test_organisation_requests_show_only_where_the_organisation_shares_them(client, group):
    org = OrganisationFactory(name="Acme", shared_tickets=False)
    me, colleague = CustomerFactory(organisation=org), CustomerFactory(organisation=org)
    theirs = make_ticket(requester=colleague, group=group, title="Colleague printer")
    client.force_login(me)
    assert theirs.title not in client.get("/portal/requests/?scope=organisation").content.decode()
    assert client.get(f"/portal/requests/{theirs.number}/").status_code == 404
    org.shared_tickets = True
    org.save()
    assert theirs.title not in client.get("/portal/requests/").content.decode()
    shared = client.get("/portal/requests/?scope=organisation").content.decode()
    assert theirs.title in shared and colleague.display_name in shared


def test_request_list_query_count_does_not_grow_with_rows(customer_client, customer, group):
    for n in range(3):
        make_ticket(requester=customer, group=group, title=f"Problem {n}")
    with CaptureQueriesContext(connection) as few:
        customer_client.get("/portal/requests/")
    for n in range(12):
        make_ticket(requester=customer, group=group, title=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        customer_client.get("/portal/requests/")
    assert len(many) == len(few)


def test_request_page_shows_public_conversation_and_customer_fields_only(
    customer_client, customer, group, agent
):
    CustomField.objects.create(
        group=group,
        key="cost_centre",
        label_en="Cost centre",
        label_de="Kostenstelle",
        kind=FieldKind.TEXT,
        visible_to_customer=False,
    )
    CustomField.objects.create(
        group=group,
        key="room",
        label_en="Room",
        label_de="Raum",
        kind=FieldKind.TEXT,
        visible_to_customer=True,
    )
    ticket = make_ticket(
        requester=customer, group=group, custom_fields={"cost_centre": "CC-SECRET", "room": "B.204"}
    )
    post_article(actor=agent, ticket=ticket, body_text="Internal: customer is a VIP", kind="note")
    post_article(actor=agent, ticket=ticket, body_text="We are on our way.")
    page = customer_client.get(f"/portal/requests/{ticket.number}/").content.decode()
    assert "We are on our way." in page and "Printer on floor 2" in page
    assert "VIP" not in page and "CC-SECRET" not in page and "Cost centre" not in page
    assert "B.204" in page


def test_reply_with_attachment_reopens_a_solved_request(customer_client, customer, group, agent):
    ticket = make_ticket(requester=customer, group=group)
    change_state(actor=agent, ticket=ticket, state=State.RESOLVED)
    response = customer_client.post(
        f"/portal/requests/{ticket.number}/reply/",
        {"body": "Still broken, see scan.", "attachments": [SimpleUploadedFile("scan.pdf", PDF)]},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == State.OPEN
    article = Article.objects.filter(ticket=ticket).latest("pk")
    assert article.sender_role == "customer" and article.channel == Channel.WEB
    assert article.attachments.get().filename == "scan.pdf"


def test_customer_marks_solved_and_reopens(customer_client, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    customer_client.post(f"/portal/requests/{ticket.number}/state/", {"state": "resolved"})
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED
    customer_client.post(f"/portal/requests/{ticket.number}/state/", {"state": "open"})
    ticket.refresh_from_db()
    assert ticket.state == State.OPEN


def test_attachment_download_is_forced_and_not_sniffed(customer_client, customer, group):
    html = b"<html><script>alert(document.cookie)</script></html>"
    from tresen.tickets.services import NewFile

    ticket = make_ticket(
        requester=customer, group=group, attachments=[NewFile("page.html", html, "text/html")]
    )
    attachment = ticket.articles.get().attachments.get()
    response = customer_client.get(f"/portal/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("text/plain")
    assert b"".join(response.streaming_content) == html


def test_agent_is_sent_from_the_portal_to_the_desk(client, agent):
    client.force_login(agent)
    assert client.get("/portal/requests/")["Location"] == "/"


def test_form_errors_are_tied_to_their_fields_for_screen_readers(customer_client, request_form):
    page = customer_client.post(f"/portal/new/{request_form.pk}/", {"title": "", "body": "x"})
    html = page.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_title_error"' in html and 'id="id_title_error"' in html


def test_signed_in_customer_cannot_flood_a_queue(customer_client, request_form):
    for n in range(21):
        page = customer_client.post(
            f"/portal/new/{request_form.pk}/", {"title": f"Spam {n}", "body": "x"}
        )
    assert Ticket.objects.count() == 20
    assert page.status_code == 400 and b"Too many attempts" in page.content


def test_request_page_query_count_does_not_grow_with_the_conversation(
    customer_client, customer, group, agent
):
    from tresen.tickets.services import NewFile

    ticket = make_ticket(requester=customer, group=group)
    post_article(actor=agent, ticket=ticket, body_text="One", attachments=[NewFile("a.pdf", PDF)])
    with CaptureQueriesContext(connection) as few:
        customer_client.get(f"/portal/requests/{ticket.number}/")
    for n in range(8):
        post_article(
            actor=agent,
            ticket=ticket,
            body_text=f"More {n}",
            attachments=[NewFile(f"{n}.pdf", PDF + bytes([n]))],
        )
    with CaptureQueriesContext(connection) as many:
        customer_client.get(f"/portal/requests/{ticket.number}/")
    assert len(many) == len(few)

"""Nothing in the portal shows a customer another customer's request or any internal note.

Every portal URL that takes a request number or a file id is tried with what the customer
may not see: it answers exactly like something that does not exist. Signed out, every one of
them leads to the sign-in page.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import CustomerFactory, make_ticket
from tests.portal.conftest import without_secrets
from tresen.tickets.models import Article, Attachment
from tresen.tickets.services import NewFile, change_state, post_article
from tresen.tickets.states import State

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 secret plan"


@pytest.fixture
def world(customer, group, agent):
    """Carl (the customer) with one request; Olga with hers; internal notes with files on both."""
    olga = CustomerFactory(name="Olga Other")
    mine = make_ticket(requester=customer, group=group, title="My own printer")
    theirs = make_ticket(requester=olga, group=group, title="Olga salary question")
    change_state(actor=agent, ticket=theirs, state=State.RESOLVED)
    note = post_article(
        actor=agent,
        ticket=mine,
        kind="note",
        body_text="INTERNAL: customer owes us money",
        attachments=[NewFile("internal.pdf", PDF)],
    )
    post_article(
        actor=agent,
        ticket=theirs,
        body_text="Olga's answer",
        attachments=[NewFile("olga.pdf", PDF)],
    )
    return {
        "mine": mine,
        "theirs": theirs,
        "internal_file": Attachment.objects.get(article=note),
        "their_file": Attachment.objects.filter(article__ticket=theirs).get(),
    }


def _ticket_urls(number: str) -> list[tuple[str, str, dict]]:
    return [
        ("get", f"/portal/requests/{number}/", {}),
        ("post", f"/portal/requests/{number}/reply/", {"body": "Let me in"}),
        ("post", f"/portal/requests/{number}/state/", {"state": "open"}),
        ("post", f"/portal/requests/{number}/rate/", {"score": "bad"}),
        ("get", f"/portal/new/done/{number}/", {}),
    ]


def _answer(client: Client, method: str, url: str, data: dict, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return getattr(client, method)(url, data, headers=headers)


@pytest.mark.parametrize("htmx", [False, True])
def test_other_customers_request_answers_like_a_missing_one(customer_client, world, htmx):
    theirs = world["theirs"]
    before = (theirs.state, theirs.articles.count(), theirs.version)
    for (method, url, data), (_, missing_url, _) in zip(
        _ticket_urls(theirs.number), _ticket_urls("T99999"), strict=True
    ):
        hidden = _answer(customer_client, method, url, data, htmx)
        missing = _answer(customer_client, method, missing_url, data, htmx)
        assert hidden.status_code == missing.status_code == 404, url
        assert without_secrets(hidden.content) == without_secrets(missing.content), url
    theirs.refresh_from_db()
    assert (theirs.state, theirs.articles.count(), theirs.version) == before
    assert not theirs.ratings.exists()


def test_lists_and_fragments_never_show_other_customers_requests(customer_client, world):
    theirs = world["theirs"]
    for url in [
        "/portal/requests/",
        "/portal/requests/?status=all",
        "/portal/requests/?status=solved",
        f"/portal/requests/?status=all&q={theirs.number}",
        "/portal/requests/?status=all&scope=organisation",
    ]:
        for headers in ({}, {"HX-Request": "true"}):
            page = customer_client.get(url, headers=headers).content.decode()
            assert "Olga" not in page and f"/portal/requests/{theirs.number}/" not in page, url


def test_internal_notes_and_their_files_are_invisible(customer_client, world):
    page = customer_client.get(f"/portal/requests/{world['mine'].number}/").content.decode()
    assert "INTERNAL" not in page and "internal.pdf" not in page
    assert f"/portal/files/{world['internal_file'].pk}/" not in page
    hidden = customer_client.get(f"/portal/files/{world['internal_file'].pk}/")
    missing = customer_client.get("/portal/files/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert without_secrets(hidden.content) == without_secrets(missing.content)


def test_files_of_other_customers_requests_are_not_found(customer_client, world):
    assert customer_client.get(f"/portal/files/{world['their_file'].pk}/").status_code == 404


def test_own_public_file_is_served(customer_client, customer, group):
    ticket = make_ticket(requester=customer, group=group, attachments=[NewFile("mine.pdf", PDF)])
    attachment = Attachment.objects.get(article__ticket=ticket)
    assert customer_client.get(f"/portal/files/{attachment.pk}/").status_code == 200


def test_an_organisation_member_sees_shared_requests_but_never_internal_notes(client, group, agent):
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(name="Shared Org", shared_tickets=True)
    writer, reader = CustomerFactory(organisation=org), CustomerFactory(organisation=org)
    ticket = make_ticket(requester=writer, group=group)
    note = post_article(
        actor=agent,
        ticket=ticket,
        kind="note",
        body_text="INTERNAL",
        attachments=[NewFile("n.pdf", PDF)],
    )
    client.force_login(reader)
    page = client.get(f"/portal/requests/{ticket.number}/").content.decode()
    assert page.count("Printer on floor 2") >= 1 and "INTERNAL" not in page
    assert client.get(f"/portal/files/{note.attachments.get().pk}/").status_code == 404


def test_signed_out_visitors_are_sent_to_the_sign_in_page(client, world):
    number = world["mine"].number
    urls = [
        "/portal/requests/",
        "/portal/new/",
        "/portal/profile/",
        f"/portal/files/{world['their_file'].pk}/",
        *[url for _, url, _ in _ticket_urls(number)],
    ]
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/portal/login/?next="), url
    assert not Article.objects.filter(body_text="Let me in").exists()

"""Satisfaction ratings: the service, the signed one-click links and the report selector."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory, make_ticket
from tresen.core.errors import NotFound, ValidationError
from tresen.feedback.links import MAX_AGE, rating_urls, read_rating_token
from tresen.feedback.models import Rating
from tresen.feedback.selectors import ratings_in_period, satisfaction
from tresen.feedback.services import rate_ticket
from tresen.tickets.models import Event
from tresen.tickets.services import change_state
from tresen.tickets.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(customer, group, agent):
    ticket = make_ticket(requester=customer, group=group, actor=customer)
    change_state(actor=agent, ticket=ticket, state=State.RESOLVED)
    return ticket


def _token(url: str) -> str:
    return url.rstrip("/").split("/")[-2]


def test_rating_urls_are_absolute_and_name_the_ticket_and_requester(resolved, settings):
    settings.SITE_URL = "https://help.example.com"
    urls = rating_urls(resolved)
    assert set(urls) == {"good", "bad"}
    assert urls["good"].startswith("https://help.example.com/portal/rate/")
    assert urls["good"].endswith("/good/") and urls["bad"].endswith("/bad/")
    claim = read_rating_token(_token(urls["good"]))
    assert claim is not None
    assert (claim.ticket_id, claim.requester_id) == (resolved.pk, resolved.requester_id)


def test_rating_token_expires_and_refuses_tampering(resolved):
    token = _token(rating_urls(resolved)["good"])
    assert read_rating_token(token[:-2] + "xx") is None
    later = timezone.now() + MAX_AGE + datetime.timedelta(minutes=1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert read_rating_token(token) is None


def test_rating_records_event_and_a_second_rating_changes_the_first(resolved, customer):
    rate_ticket(actor=customer, ticket=resolved, score="good", comment="Quick, thanks")
    rate_ticket(actor=customer, ticket=resolved, score="bad")
    rating = Rating.objects.get(ticket=resolved)
    assert rating.score == "bad"
    assert rating.comment == "Quick, thanks"  # a click without comment keeps the comment
    events = Event.objects.filter(ticket=resolved, kind="ticket.rated").order_by("pk")
    assert [e.data["score"] for e in events] == ["good", "bad"]
    assert events.last().data["previous"] == "good"
    assert events.last().actor == customer


def test_open_ticket_cannot_be_rated(customer, group):
    ticket = make_ticket(requester=customer, group=group)
    with pytest.raises(ValidationError):
        rate_ticket(actor=customer, ticket=ticket, score="good")
    assert not Rating.objects.exists()


def test_other_customer_cannot_rate_and_learns_nothing(resolved):
    with pytest.raises(NotFound):
        rate_ticket(actor=CustomerFactory(), ticket=resolved, score="bad")


def test_satisfaction_counts_scores_of_a_period(resolved, customer, group, agent):
    rate_ticket(actor=customer, ticket=resolved, score="good")
    other = make_ticket(requester=CustomerFactory(), group=group)
    change_state(actor=agent, ticket=other, state=State.CLOSED)
    rate_ticket(actor=other.requester, ticket=other, score="bad")
    now = timezone.now()
    hour, day = datetime.timedelta(hours=1), datetime.timedelta(days=1)
    summary = satisfaction(ratings_in_period(now - hour, now + hour))
    assert (summary.good, summary.bad, summary.percent_good) == (1, 1, 50.0)
    assert satisfaction(ratings_in_period(now - 2 * day, now - day)).total == 0


def test_mail_link_page_does_not_rate_on_open_but_its_form_does(client, resolved):
    url = rating_urls(resolved)["bad"]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    page = client.get(path)
    assert page.status_code == 200
    assert not Rating.objects.exists()  # a mail scanner opening the link rates nothing
    assert b'data-autosubmit="1"' in page.content
    client.post(path, {"score": "bad"})
    assert Rating.objects.get(ticket=resolved).score == "bad"
    client.post(path, {"score": "bad", "comment": "Took a week"})
    assert Rating.objects.get(ticket=resolved).comment == "Took a week"


def test_mail_link_is_void_once_the_requester_changed(client, resolved):
    url = rating_urls(resolved)["good"]
    resolved.requester = CustomerFactory()
    resolved.save()
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert client.post(path, {"score": "good"}).status_code == 400
    assert not Rating.objects.exists()


def test_portal_rating_form_shows_on_resolved_request(client, resolved, customer):
    client.force_login(customer)
    page = client.get(f"/portal/requests/{resolved.number}/")
    assert b"How did we do?" in page.content
    client.post(f"/portal/requests/{resolved.number}/rate/", {"score": "good", "comment": "Great"})
    assert Rating.objects.get(ticket=resolved, customer=customer).comment == "Great"
    assert b"Your rating" in client.get(f"/portal/requests/{resolved.number}/").content

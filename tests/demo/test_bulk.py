"""The bulk generator: many tickets with conversations and timelines, written fast."""

import datetime
import re

import pytest
from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from tresen.accounts.models import Role, User
from tresen.tickets.demo.bulk import generate_tickets
from tresen.tickets.demo.people import create_people
from tresen.tickets.models import Article, Event, SenderRole, Ticket, TicketNumbering
from tresen.tickets.states import PENDING_STATES, State

pytestmark = pytest.mark.django_db

COUNT = 300


def test_generated_tickets_are_complete_consistent_and_bilingual():
    create_people()
    before = User.objects.count()
    lines: list[str] = []
    result = generate_tickets(COUNT, batch_size=120, search_index=False, out=lines.append)
    generated = (result, lines, before)
    check_two_to_six_articles_each(generated)
    check_numbers_come_from_the_numbering_sequence()
    check_timestamps_lie_within_two_years_and_follow_each_other()
    check_every_ticket_and_article_has_its_timeline_event()
    check_states_dates_and_owners_are_consistent()
    check_text_is_german_and_english_by_the_requesters_language(generated)
    check_indexes_are_back_after_the_load()


def check_two_to_six_articles_each(generated):
    result, lines, _ = generated
    assert Ticket.objects.count() == result.tickets == COUNT
    per_ticket = Ticket.objects.annotate(n=Count("articles")).aggregate(Min("n"), Max("n"))
    assert per_ticket == {"n__min": 2, "n__max": 6}
    assert Article.objects.count() == result.articles
    assert Event.objects.count() == result.events
    assert any(line.strip().startswith("tickets, articles, events") for line in lines)


def check_numbers_come_from_the_numbering_sequence():
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == COUNT
    assert all(re.fullmatch(r"T\d{5,}", n) for n in numbers)
    values = sorted(int(n[1:]) for n in numbers)
    assert values == list(range(values[0], values[0] + COUNT))
    assert TicketNumbering.objects.get(pk=1).next_value == values[-1] + 1


def check_timestamps_lie_within_two_years_and_follow_each_other():
    now = timezone.now()
    two_years_ago = now - datetime.timedelta(days=731)
    for ticket in Ticket.objects.prefetch_related("articles"):
        assert two_years_ago <= ticket.created_at <= now
        moments = [a.created_at for a in sorted(ticket.articles.all(), key=lambda a: a.pk)]
        assert moments[0] == ticket.created_at
        assert moments == sorted(moments)
        assert moments[-1] <= ticket.updated_at <= now
    created = Ticket.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert created["last"] - created["first"] > datetime.timedelta(days=600)


def check_every_ticket_and_article_has_its_timeline_event():
    created = Event.objects.filter(kind="ticket.created")
    assert created.count() == COUNT
    assert set(created.values_list("ticket_id", flat=True)) == set(
        Ticket.objects.values_list("pk", flat=True)
    )
    article_events = Event.objects.filter(kind="article.created")
    assert sorted(article_events.values_list("article_id", flat=True)) == sorted(
        Article.objects.values_list("pk", flat=True)
    )
    for event in article_events.select_related("article")[:200]:
        assert event.ticket_id == event.article.ticket_id
        assert event.created_at == event.article.created_at
        assert event.data["sender_role"] == event.article.sender_role
        assert event.article.meta == {}
    assert all(isinstance(d, dict) for d in Event.objects.values_list("data", flat=True))
    assert all(f == {} for f in Ticket.objects.values_list("custom_fields", flat=True))


def check_states_dates_and_owners_are_consistent():
    for ticket in Ticket.objects.prefetch_related("articles"):
        answered = [
            a
            for a in ticket.articles.all()
            if a.sender_role == SenderRole.AGENT and not a.is_internal
        ]
        assert (ticket.first_response_at is not None) == bool(answered)
        assert (ticket.state == State.NEW) == (not answered)
        assert (ticket.pending_until is not None) == (ticket.state in PENDING_STATES)
        assert (ticket.closed_at is not None) == (ticket.state == State.CLOSED)
        if ticket.owner_id:
            assert ticket.owner.is_agent
        assert ticket.requester.role == Role.CUSTOMER
        assert ticket.organisation_id == ticket.requester.organisation_id
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {State.CLOSED, State.OPEN} <= states


def check_text_is_german_and_english_by_the_requesters_language(generated):
    result, _, customers_before = generated
    assert User.objects.count() == customers_before + result.customers
    first = Article.objects.filter(sender_role=SenderRole.CUSTOMER, kind="message")
    german = [a.body_text for a in first.filter(ticket__requester__language="de")[:100]]
    english = [a.body_text for a in first.filter(ticket__requester__language="en")[:100]]
    assert german and english
    german_words = ("Hallo", "Guten Tag", "Moin", "Sehr geehrte", "Grüße", "Danke")
    english_words = ("Hello", "Hi", "Good morning", "Dear", "regards", "Thanks", "Cheers")
    assert all(any(w in text for w in german_words) for text in german)
    assert all(any(w in text for w in english_words) for text in english)
    assert not any("Hallo" in text for text in english)
    assert len(set(german + english)) > len(german + english) * 0.9


def check_indexes_are_back_after_the_load():
    with connection.cursor() as cursor:
        names = {
            index
            for table in ("tickets_ticket", "tickets_article", "tickets_event")
            for index in connection.introspection.get_constraints(cursor, table)
        }
    assert {"ticket_group_state", "article_timeline", "event_timeline"} <= names


def test_search_index_is_rebuilt_at_the_end_when_the_search_app_offers_it(monkeypatch):
    from tresen.tickets.demo import bulk

    calls = []
    monkeypatch.setattr(bulk, "_search_rebuild", lambda: lambda: calls.append("rebuilt"))
    create_people()
    result = generate_tickets(20, batch_size=10, out=lambda line: None)
    assert calls == ["rebuilt"]
    assert "search index" in result.phases


@pytest.mark.django_db(transaction=True)
def test_parallel_load_on_postgresql_commits_batches_and_brings_the_indexes_back(settings):
    if connection.vendor != "postgresql":
        pytest.skip("several writing processes are used on PostgreSQL only")
    create_people()
    result = generate_tickets(200, batch_size=50, workers=2, search_index=False, out=print)
    assert result.tickets == Ticket.objects.count() == 200
    assert Event.objects.filter(kind="ticket.created").count() == 200
    assert "tickets, articles, events (2 processes)" in result.phases
    numbers = [int(n[1:]) for n in Ticket.objects.values_list("number", flat=True)]
    assert len(set(numbers)) == 200
    check_indexes_are_back_after_the_load()
    assert not (settings.VAR_DIR / "demo-load-indexes.sql").exists()
    with connection.cursor() as cursor:  # vacuumed: queue counts can read the index alone
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s",
            [Ticket._meta.db_table],
        )
        assert cursor.fetchone() == (True,)

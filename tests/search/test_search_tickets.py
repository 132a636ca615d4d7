"""search_tickets on whichever database the suite runs: matching, snippets, access, paging."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AdminFactory, AgentFactory, CustomerFactory, GroupFactory, add_member
from tests.search.conftest import postgres_only
from tresen.search import filter_tickets, search_ticket_ids, search_tickets, selectors
from tresen.search.index import rebuild_index
from tresen.search.models import SearchDocument
from tresen.tickets.models import ArticleKind
from tresen.tickets.services import post_article
from tresen.tickets.states import State

pytestmark = pytest.mark.django_db


def numbers(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit.ticket.number for hit in hits]


def test_agent_finds_ticket_by_word_of_the_mail_body(agent, indexed_ticket):
    ticket = indexed_ticket(title="Laptop", body_text="The docking station flickers every morning.")
    indexed_ticket(title="Other", body_text="Password reset for the payroll system.")

    hits = search_tickets(agent, "docking")

    assert numbers(hits) == [ticket.number]
    assert "<mark>docking</mark>" in hits[0].snippet.lower()
    assert hits[0].rank > 0


def test_title_match_ranks_above_a_passing_mention(agent, indexed_ticket):
    mention = indexed_ticket(title="Monitor", body_text="The keyboard is fine, the monitor not.")
    in_title = indexed_ticket(title="Keyboard broken", body_text="Several keys stick.")

    assert numbers(search_tickets(agent, "keyboard")) == [in_title.number, mention.number]


def test_snippet_escapes_mail_html_and_marks_only_the_match(agent, indexed_ticket):
    indexed_ticket(
        title="Odd mail",
        body_text='Totals: a < b & c > d, "quoted". The scanner '
        '<img src=x onerror="alert(1)"> \x02<script>alert(2)</script>\x03 is jammed.',
    )

    [hit] = search_tickets(agent, "scanner")

    assert "<mark>scanner</mark>" in hit.snippet.lower()
    assert "&lt; b &amp; c &gt; d" in hit.snippet
    without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks
    assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>") == 1


def test_agent_of_another_group_finds_nothing(indexed_ticket):
    indexed_ticket(title="Payroll question", body_text="My payslip shows the wrong tax class.")
    outsider = AgentFactory()
    add_member(GroupFactory(name="Facility"), outsider)

    assert search_tickets(outsider, "payslip") == []
    assert search_ticket_ids(outsider, "payslip") == []


def test_admin_finds_tickets_of_every_group(indexed_ticket):
    ticket = indexed_ticket(title="Payroll question", body_text="My payslip shows a wrong tax.")

    assert numbers(search_tickets(AdminFactory(), "payslip")) == [ticket.number]


def test_customer_finds_own_tickets_only(customer, indexed_ticket):
    own = indexed_ticket(title="VPN drops", body_text="The VPN drops every hour.")
    indexed_ticket(requester=CustomerFactory(), title="VPN", body_text="VPN is slow.")

    assert numbers(search_tickets(customer, "vpn")) == [own.number]


def test_customer_never_matches_internal_notes(agent, customer, indexed_ticket, committed):
    ticket = indexed_ticket(title="Access card", body_text="My access card stopped working.")
    with committed():
        post_article(
            actor=agent,
            ticket=ticket,
            kind=ArticleKind.NOTE,
            body_text="Zebra: the card was blocked by security after a theft report.",
        )

    assert numbers(search_tickets(agent, "zebra theft")) == [ticket.number]
    assert search_tickets(customer, "zebra theft") == []
    assert search_ticket_ids(customer, "zebra") == []
    assert list(filter_tickets(customer, "zebra")) == []
    for hit in search_tickets(customer, "card"):
        assert "theft" not in hit.snippet and "blocked" not in hit.snippet


def test_new_article_is_found_after_it_is_committed(agent, indexed_ticket, committed):
    ticket = indexed_ticket(title="Mailbox full", body_text="My mailbox is full.")
    assert search_tickets(agent, "quota") == []

    with committed():
        post_article(actor=agent, ticket=ticket, body_text="I raised your quota to 10 GB.")

    assert numbers(search_tickets(agent, "quota")) == [ticket.number]


def test_renamed_ticket_is_found_by_its_new_title_only(agent, indexed_ticket, committed):
    from tresen.tickets.services import set_title

    # The first article keeps its own subject, so only the ticket's title says "Beamer".
    ticket = indexed_ticket(title="Beamer", body_text="Room 4.", article_fields={"subject": "AV"})
    with committed():
        set_title(actor=agent, ticket=ticket, title="Projector in room 4 flickers")

    assert numbers(search_tickets(agent, "projector")) == [ticket.number]
    assert search_tickets(agent, "beamer") == []


def test_merged_articles_are_found_under_the_target(agent, indexed_ticket, committed):
    from tresen.tickets.services import merge_tickets

    source = indexed_ticket(title="Scanner", body_text="The scanner shows error Q17.")
    target = indexed_ticket(title="Scanner on floor 3", body_text="Scanner broken.")
    with committed():
        merge_tickets(actor=agent, source=source, target=target)

    hits = search_tickets(agent, "Q17")
    assert numbers(hits) == [target.number]
    assert "<mark>q17</mark>" in hits[0].snippet.lower()
    source.refresh_from_db()
    assert source.state == State.MERGED


def test_split_article_is_found_in_the_new_ticket(agent, indexed_ticket, committed):
    from tresen.tickets.services import split_article

    ticket = indexed_ticket(title="Two problems", body_text="The fax is broken.")
    with committed():
        article = post_article(actor=agent, ticket=ticket, body_text="Separately: toner empty.")
        new = split_article(actor=agent, article=article, title="Toner")

    assert set(numbers(search_tickets(agent, "toner"))) == {ticket.number, new.number}


def test_rebuild_index_recreates_every_document(agent, indexed_ticket):
    first = indexed_ticket(title="Headset", body_text="The headset crackles.")
    indexed_ticket(title="Chair", body_text="My chair squeaks.")
    SearchDocument.objects.all().delete()
    assert search_tickets(agent, "headset") == []

    count = rebuild_index()

    assert count == 4  # two titles, two articles
    assert numbers(search_tickets(agent, "crackles")) == [first.number]


def test_reindex_command_rebuilds_the_index(agent, indexed_ticket, capsys):
    ticket = indexed_ticket(title="Webcam", body_text="The webcam is black.")
    SearchDocument.objects.all().delete()

    call_command("search-reindex")

    assert "Indexed 2 documents" in capsys.readouterr().out
    assert numbers(search_tickets(agent, "webcam")) == [ticket.number]


def test_cursor_pages_through_all_hits_once(agent, indexed_ticket, monkeypatch):
    # A small window, so that paging also crosses from one window into the next.
    monkeypatch.setattr(selectors, "WINDOW", 3)
    tickets = [
        indexed_ticket(title=f"Printer {n}", body_text="printer " * (n + 1)) for n in range(7)
    ]
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = search_tickets(agent, "printer", limit=2, after=after)
        seen += numbers(page)
        if page.next_after is None:
            break
        assert page.next_after == page[-1].cursor
        after = page.next_after
    assert sorted(seen) == sorted(t.number for t in tickets)
    assert len(seen) == len(set(seen))


def test_unreadable_cursor_starts_at_the_first_page(agent, indexed_ticket):
    ticket = indexed_ticket(title="Router", body_text="The router blinks red.")

    assert numbers(search_tickets(agent, "router", after="not-a-cursor")) == [ticket.number]


@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!", '"', "NEAR(", "title:x", "*", "AND OR NOT", "-", "a OR", '"unclosed'],
)
def test_odd_input_is_no_error(agent, indexed_ticket, query):
    indexed_ticket(title="Router", body_text="The router blinks red.")

    assert isinstance(search_tickets(agent, query), list)


def test_search_page_takes_the_same_queries_for_few_and_many_hits(agent, indexed_ticket):
    for n in range(2):
        indexed_ticket(title=f"Toner {n}", body_text="Toner is empty.")

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            for hit in search_tickets(agent, "toner"):
                assert hit.ticket.group.name and hit.ticket.requester.email
        return len(captured)

    few = queries_for_a_page()
    for n in range(8):
        indexed_ticket(title=f"Toner refill {n}", body_text="Toner is empty again.")
    assert queries_for_a_page() == few
    assert few <= 8


def test_filter_tickets_combines_full_text_with_other_filters(agent, indexed_ticket, committed):
    from tresen.tickets.services import change_state

    open_one = indexed_ticket(title="Wifi", body_text="Wifi in the canteen is down.")
    solved = indexed_ticket(title="Wifi again", body_text="Wifi in the canteen.")
    indexed_ticket(title="Coffee", body_text="The canteen coffee machine leaks.")
    with committed():
        change_state(actor=agent, ticket=solved, state=State.RESOLVED)

    matching = filter_tickets(agent, "wifi canteen").exclude(state=State.RESOLVED)

    assert [t.number for t in matching] == [open_one.number]
    assert search_ticket_ids(agent, "canteen") == sorted(
        [open_one.pk, solved.pk, matching.model.objects.get(title="Coffee").pk], reverse=True
    )


def test_transferred_ticket_is_found_by_the_new_group_only(agent, group, indexed_ticket, committed):
    from tresen.tickets.services import transfer

    ticket = indexed_ticket(title="Server room", body_text="The air conditioning drips.")
    specialists = GroupFactory(name="Facility")
    specialist = AgentFactory()
    add_member(specialists, specialist)
    with committed():
        transfer(actor=agent, ticket=ticket, group=specialists, note="For facility.")

    assert numbers(search_tickets(specialist, "conditioning")) == [ticket.number]
    assert search_tickets(agent, "conditioning") == []


def test_an_out_of_date_group_in_the_index_never_shows_a_ticket(agent, group, indexed_ticket):
    ticket = indexed_ticket(title="Salary", body_text="Question about my salary statement.")
    elsewhere = GroupFactory(name="Facility")
    outsider = AgentFactory()
    add_member(elsewhere, outsider)
    # As if the ticket had moved and its reindex had not run yet.
    SearchDocument.objects.filter(ticket=ticket).update(group_id=elsewhere.pk)

    assert search_tickets(outsider, "salary") == []
    assert search_ticket_ids(outsider, "salary") == []
    assert list(filter_tickets(outsider, "salary")) == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_rebuild_outside_a_transaction_fills_the_index_in_slices():
    from tests.factories import make_ticket

    group = GroupFactory(name="Slices")
    admin = AdminFactory()
    tickets = [
        make_ticket(group=group, title=f"Dock {n}", body_text=f"Dock number {n} is loose.")
        for n in range(5)
    ]
    SearchDocument.objects.all().delete()

    count = rebuild_index(workers=2)

    assert count == 10
    assert sorted(numbers(search_tickets(admin, "loose"))) == sorted(t.number for t in tickets)

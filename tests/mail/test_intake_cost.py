"""How many statements a typical mail costs: a guard against lookups creeping back in.

The budgets hold inside the test's transaction, where every atomic block is a savepoint
(two statements more each than in production).
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory
from tests.mail.conftest import build_mail
from tresen.mail.models import InboundMessage
from tresen.tickets.models import Ticket


def _statements(take, raw):
    with CaptureQueriesContext(connection) as captured:
        result = take(raw)
    return result, len(captured.captured_queries)


def test_a_known_customers_new_mail_opens_a_ticket_within_its_statement_budget(take):
    CustomerFactory(email="carla@kunde.example")
    take(build_mail(subject="first ticket, takes the numbering row"))
    result, statements = _statements(take, build_mail(subject="Scanner"))
    assert result.state == "created"
    stored = InboundMessage.objects.get(sha256=result.sha256)
    assert stored.article is not None and stored.article.ticket.number == result.ticket
    assert statements <= 20, statements


def test_the_requesters_reply_lands_on_the_ticket_within_its_statement_budget(take):
    CustomerFactory(email="carla@kunde.example")
    first = take(build_mail(message_id="<first@kunde.example>"))
    reply = build_mail(
        subject=f"AW: [{first.ticket}] Drucker",
        headers={"In-Reply-To": "<first@kunde.example>"},
    )
    result, statements = _statements(take, reply)
    assert result.state == "appended" and result.ticket == first.ticket
    assert Ticket.objects.get(number=first.ticket).articles.count() == 2
    assert statements <= 20, statements

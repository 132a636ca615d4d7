from tests.factories import make_ticket
from tresen.tickets.models import Event
from tresen.tickets.services import post_article


def test_created_ticket_has_number_article_and_event(agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    assert ticket.number.startswith("T")
    assert ticket.articles.count() == 1
    assert Event.objects.filter(ticket=ticket, kind="ticket.created").exists()
    post_article(actor=agent, ticket=ticket, body_text="We are on it.")
    ticket.refresh_from_db()
    assert ticket.state == "open"
    assert ticket.first_response_at is not None
    assert ticket.version == 2

from django.urls import reverse

from tests.factories import CustomerFactory, make_ticket
from tresen.accounts.models import PhoneNumber, User
from tresen.tickets.models import Ticket


def test_caller_lookup_by_phone_number_shows_their_open_tickets(agent_client, customer, group):
    PhoneNumber.objects.create(user=customer, number="+4930123456")
    ticket = make_ticket(requester=customer, group=group, title="Laptop broken")
    response = agent_client.get(reverse("desk:callers"), {"caller": "030 123456"})
    assert "Carl Customer" in response.text
    assert ticket.number in response.text


def test_caller_lookup_by_name(agent_client, customer):
    CustomerFactory(name="Someone Else")
    response = agent_client.get(reverse("desk:callers"), {"caller": "carl"})
    assert "Carl Customer" in response.text
    assert "Someone Else" not in response.text


def test_phone_ticket_for_a_known_caller(agent_client, agent, customer, group):
    response = agent_client.post(
        reverse("desk:phone"),
        {
            "requester": customer.pk,
            "title": "Printer jammed",
            "group": group.pk,
            "priority": "3",
            "body": "Caller says the printer is jammed.",
            "take": "1",
        },
    )
    ticket = Ticket.objects.get()
    assert response.url == ticket.get_absolute_url()
    assert (ticket.channel, ticket.requester, ticket.owner, ticket.priority) == (
        "phone",
        customer,
        agent,
        3,
    )
    article = ticket.articles.get()
    assert (article.kind, article.channel) == ("phone", "phone")


def test_phone_ticket_creates_a_new_caller_inline(agent_client, group):
    agent_client.post(
        reverse("desk:phone"),
        {
            "new_name": "Nina New",
            "new_email": "Nina@Example.com",
            "new_phone": "+49 30 999888",
            "title": "Access card",
            "group": group.pk,
            "body": "Needs a new access card.",
        },
    )
    nina = User.objects.get(email="nina@example.com")
    assert nina.name == "Nina New" and nina.is_customer
    assert nina.phone_numbers.get().number == "+4930999888"
    assert Ticket.objects.get().requester == nina


def test_phone_ticket_without_caller_is_refused_with_a_message(agent_client, group):
    response = agent_client.post(
        reverse("desk:phone"), {"title": "x", "group": group.pk, "body": "y"}
    )
    assert response.status_code == 200
    assert "Choose the caller" in response.text
    assert not Ticket.objects.exists()


def test_a_malformed_address_for_a_new_caller_is_a_message(agent_client, group):
    response = agent_client.post(
        reverse("desk:phone"),
        {"new_email": "nina@nowhere", "title": "x", "group": group.pk, "body": "y"},
    )
    assert response.status_code == 200
    assert 'class="message error"' in response.text
    assert not Ticket.objects.exists()
    assert not User.objects.filter(email="nina@nowhere").exists()

from django.urls import reverse

from tests.factories import GroupFactory, make_ticket
from tresen.search.index import reindex_ticket


def test_a_ticket_number_jumps_to_the_ticket(agent_client, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    response = agent_client.get(reverse("desk:search"), {"q": ticket.number})
    assert response.url == ticket.get_absolute_url()
    response = agent_client.get(reverse("desk:search"), {"q": ticket.number.lower()})
    assert response.url == ticket.get_absolute_url()
    digits = ticket.number.lstrip("T")
    response = agent_client.get(reverse("desk:search"), {"q": digits})
    assert response.url == ticket.get_absolute_url()


def test_an_invisible_ticket_number_does_not_jump(agent_client, customer):
    hidden = make_ticket(requester=customer, group=GroupFactory(name="HR"))
    response = agent_client.get(reverse("desk:search"), {"q": hidden.number})
    assert response.status_code == 200
    assert hidden.get_absolute_url() not in response.text


def test_words_find_titles_and_bodies_with_highlighted_matches(agent_client, customer, group):
    ticket = make_ticket(
        requester=customer,
        group=group,
        title="Scanner offline",
        body_text="The scanner on floor 3 lost its network.",
    )
    hidden = make_ticket(requester=customer, group=GroupFactory(name="HR"), title="Scanner for HR")
    reindex_ticket(ticket.pk)
    reindex_ticket(hidden.pk)
    response = agent_client.get(reverse("desk:search"), {"q": "scanner"})
    assert response.status_code == 200
    assert ticket.number in response.text
    assert hidden.number not in response.text
    assert "<mark>" in response.text.lower()
    assert "<script" not in response.context["hits"][0].snippet

from django.urls import reverse

from tests.factories import make_ticket


def test_overview_lists_my_open_ticket(agent_client, agent, customer, group):
    ticket = make_ticket(requester=customer, group=group, owner=agent, actor=agent)
    response = agent_client.get(reverse("desk:home"))
    assert response.status_code == 200
    assert ticket.number in response.text


def test_ticket_page_shows_header_and_first_article(agent_client, agent, customer, group):
    ticket = make_ticket(requester=customer, group=group)
    response = agent_client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    assert ticket.title in response.text
    assert "error E42" in response.text


def test_the_desk_speaks_the_agents_language(agent_client, agent, customer, group):
    agent.language = "de"
    agent.save()
    ticket = make_ticket(requester=customer, group=group, owner=agent)
    overview = agent_client.get(reverse("desk:home"))
    assert "Meine offenen Tickets" in overview.text
    page = agent_client.get(ticket.get_absolute_url())
    assert "Öffentliche Antwort" in page.text
    assert "Interne Notiz" in page.text

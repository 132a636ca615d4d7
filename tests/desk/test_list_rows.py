"""The list's rows show what they showed when the template computed it per row."""

import datetime

from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.dates import MONTHS_3

from tests.factories import (
    CustomerFactory,
    GroupFactory,
    OrganisationFactory,
    add_member,
    make_ticket,
)
from tresen.desk.list_rows import _short_time, load_rows
from tresen.tickets.models import Ticket


def test_row_shows_people_organisation_group_tags_and_labels(agent_client, agent, group):
    customer = CustomerFactory(name="Carl Customer", organisation=OrganisationFactory(name="ACME"))
    ticket = make_ticket(
        requester=customer, group=group, owner=agent, tags=["zeta", "alpha"], title="Jammed"
    )
    html = agent_client.get(reverse("desk:home"), {"queue": "all"}).content.decode()
    row = html[html.index(f'data-number="{ticket.number}"') :]
    row = row[: row.index("</tr>")]
    assert f'href="{reverse("desk:ticket", kwargs={"number": ticket.number})}"' in row
    assert 'title="ACME">Carl Customer<' in row
    assert "<td>First Level</td>" in row
    assert "<td>Anna Agent</td>" in row
    # Tags in alphabetical order, as the tag model orders them.
    assert '<span class="tag">alpha</span> <span class="tag">zeta</span>' in row
    assert f"state-{ticket.state}" in row


def test_row_of_a_ticket_in_an_inactive_group_still_names_the_group(agent_client, agent, group):
    retired = GroupFactory(name="Retired Desk")
    add_member(retired, agent)
    ticket = make_ticket(group=retired, title="Old matter")
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    html = agent_client.get(reverse("desk:home"), {"queue": "all"}).content.decode()
    row = html[html.index(f'data-number="{ticket.number}"') :]
    assert "<td>Retired Desk</td>" in row[: row.index("</tr>")]


def test_short_time_reads_like_the_date_filter_in_the_agents_zone_and_language():
    value = datetime.datetime(2026, 3, 5, 23, 30, tzinfo=datetime.UTC)
    for language, zone in [("en", "UTC"), ("de", "Europe/Berlin"), ("de", "America/New_York")]:
        with translation.override(language), timezone.override(zone):
            months = {number: str(name).title() for number, name in MONTHS_3.items()}
            expected = dateformat.format(timezone.localtime(value), "j M H:i")
            assert _short_time(value, months) == expected
    assert _short_time(None, {}) == ""


def test_load_rows_costs_the_same_queries_for_one_ticket_or_many(
    agent, group, django_assert_num_queries
):
    for index in range(6):
        make_ticket(group=group, owner=agent if index % 2 else None, tags=[f"t{index}"])
    one = list(Ticket.objects.order_by("pk")[:1])
    many = list(Ticket.objects.order_by("pk"))
    # users, organisations (only when a ticket has one), groups, tags
    with django_assert_num_queries(4 if one[0].organisation_id else 3):
        load_rows(one)
    with django_assert_num_queries(4 if any(t.organisation_id for t in many) else 3):
        load_rows(many, known_groups=[])
    assert {t.tag_names[0] for t in many} == {f"t{i}" for i in range(6)}  # type: ignore[attr-defined]

"""`tresen demo`: a realistic helpdesk made through the services, once, with printed logins."""

import datetime
import io
import re
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from tresen.accounts.models import Access, Group, GroupMembership, Organisation, Role, User
from tresen.tickets import services
from tresen.tickets.models import (
    Article,
    ArticleKind,
    Category,
    CustomField,
    Event,
    SenderRole,
    Tag,
    Ticket,
)

pytestmark = pytest.mark.django_db

CONVERSATIONS = 24


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", conversations=CONVERSATIONS, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> dict[str, str]:
    pattern = r"^\s+(\S+@\S+)\s+([a-z2-7]{4}(?:-[a-z2-7]{4}){3})\s"
    return dict(re.findall(pattern, output, flags=re.MULTILINE))


def test_demo_creates_people_configuration_and_tickets_through_the_services():
    with (
        mock.patch.object(services, "create_ticket", wraps=services.create_ticket) as create,
        mock.patch.object(services, "transfer", wraps=services.transfer) as transfer,
    ):
        run_demo()
    check_people_and_configuration()
    check_tickets_made_by_the_services(create.call_count, transfer.call_count)
    check_timelines_spread_over_weeks_in_order()
    check_text_is_in_the_customers_language()


def check_people_and_configuration():
    organisations = Organisation.objects.prefetch_related("domains")
    assert organisations.count() >= 3
    assert all(o.domains.exists() for o in organisations)
    assert organisations.filter(shared_tickets=True).exists()
    groups = {g.name: g for g in Group.objects.all()}
    assert {"First Level", "IT Second Level", "Facility", "HR"} <= set(groups)
    assert all(g.email and g.signature for g in groups.values())
    assert User.objects.filter(role=Role.ADMIN).exists()
    assert GroupMembership.objects.filter(access=Access.READ).exists()
    assert GroupMembership.objects.filter(access=Access.FULL, user__role=Role.AGENT).exists()
    customers = User.objects.filter(role=Role.CUSTOMER)
    assert customers.filter(language="de").exists() and customers.filter(language="en").exists()
    phones = [p.number for c in customers for p in c.phone_numbers.all()]
    assert phones and all(re.fullmatch(r"\+[1-9]\d{6,14}", n) for n in phones)
    assert Category.objects.filter(parent__isnull=False).exists()
    assert all(Category.objects.filter(group=g).exists() for g in groups.values())
    assert CustomField.objects.count() >= 3
    assert Tag.objects.exists()


def check_tickets_made_by_the_services(created: int, transferred: int):
    assert Ticket.objects.count() == CONVERSATIONS == created
    assert transferred >= 1
    for ticket in Ticket.objects.all():
        kinds = list(ticket.events.values_list("kind", flat=True))
        assert kinds.count("ticket.created") == 1
        assert kinds.count("article.created") == ticket.articles.count()
    articles = Article.objects.all()
    assert articles.filter(kind=ArticleKind.MESSAGE, sender_role=SenderRole.CUSTOMER).exists()
    assert articles.filter(kind=ArticleKind.MESSAGE, sender_role=SenderRole.AGENT).exists()
    assert articles.filter(kind=ArticleKind.NOTE, is_internal=True).exists()
    assert articles.filter(kind=ArticleKind.PHONE).exists()
    event_kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"ticket.state_changed", "ticket.transferred", "ticket.assigned"} <= event_kinds


def check_timelines_spread_over_weeks_in_order():
    now = timezone.now()
    created = sorted(Ticket.objects.values_list("created_at", flat=True))
    assert created[0] < now - datetime.timedelta(days=14)
    assert created[-1] <= now
    for ticket in Ticket.objects.all():
        moments = list(ticket.events.order_by("id").values_list("created_at", flat=True))
        assert moments == sorted(moments), ticket.number
        assert ticket.updated_at == moments[-1]
        assert ticket.created_at == moments[0]


def check_text_is_in_the_customers_language():
    german = Article.objects.filter(
        ticket__requester__language="de", sender_role=SenderRole.CUSTOMER
    )
    english = Article.objects.filter(
        ticket__requester__language="en", sender_role=SenderRole.CUSTOMER
    )
    assert german.exists() and english.exists()
    assert any(w in a.body_text for a in german for w in ("Hallo", "Grüße", "Danke", "Anruf"))
    assert not any("Hello" in a.body_text or "regards" in a.body_text for a in german)
    assert any(w in a.body_text for a in english for w in ("Hello", "regards", "Thanks", "Call"))
    assert not any("Hallo" in a.body_text or "Grüße" in a.body_text for a in english)


def test_demo_prints_working_logins_and_a_second_start_creates_nothing():
    output = run_demo()
    check_logins_work(output)
    counts = [m.objects.count() for m in (User, Ticket, Article, Event, Group, Category)]
    second = run_demo()
    assert [m.objects.count() for m in (User, Ticket, Article, Event, Group, Category)] == counts
    assert "nothing created" in second
    assert printed_logins(second) == printed_logins(output)
    admin = User.objects.get(email="admin@helpdesk.example")
    admin.set_password("my own long passphrase 2026")
    admin.save()
    third = run_demo()
    assert "admin@helpdesk.example" in third
    assert "changed since the demo was created" in third
    assert "admin@helpdesk.example" not in printed_logins(third)


def check_logins_work(output: str):
    logins = printed_logins(output)
    assert len(logins) >= 5
    people = {u.email: u for u in User.objects.filter(email__in=logins)}
    roles = {people[e].role for e in logins}
    assert roles == {Role.ADMIN, Role.AGENT, Role.CUSTOMER}
    assert {people[e].language for e in logins} == {"de", "en"}
    for email, password in logins.items():
        assert len(password) >= 16
        assert authenticate(None, username=email, password=password) == people[email]
    assert "demo" in output.lower()


def test_demo_passwords_differ_per_installation(settings):
    email = "admin@helpdesk.example"
    from tresen.tickets.demo.people import demo_password

    first = demo_password(email)
    settings.SECRET_KEY = "another installation's secret key, 50 characters long"
    assert demo_password(email) != first
    assert demo_password("anna.schmidt@helpdesk.example") != demo_password(email)


def test_demo_mails_nobody_and_is_searchable_at_once(django_capture_on_commit_callbacks):
    from tresen.notifications.models import OutboundMail
    from tresen.search import search_ticket_ids

    with django_capture_on_commit_callbacks(execute=True):
        run_demo()
    assert not Event.objects.filter(awaiting_publication=True).exists()
    assert OutboundMail.objects.count() == 0
    admin = User.objects.get(role=Role.ADMIN)
    some_ticket = Ticket.objects.order_by("pk").first()
    word = next(w for w in some_ticket.title.split() if len(w) > 4)
    assert some_ticket.pk in set(search_ticket_ids(admin, word))

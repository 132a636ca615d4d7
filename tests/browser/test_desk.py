"""The agent workspace in a real Chromium: the paths agents take all day."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.factories import AgentFactory, CustomerFactory, GroupFactory, add_member, make_ticket
from tresen.accounts.models import PhoneNumber
from tresen.desk import presence
from tresen.tickets.models import Article, Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(transactional_db):
    group = GroupFactory(name="First Level")
    agent = AgentFactory(name="Anna Agent", email="anna@tresen.example")
    add_member(group, agent)
    customer = CustomerFactory(name="Carl Customer", email="carl@customer.example")
    return {"group": group, "agent": agent, "customer": customer}


def sign_in(context, live_server, user):
    """Put a session of `user` into the browser (the login form is tested once, below)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_login_overview_open_reply_and_change_state(chromium, live_server, desk):
    ticket = make_ticket(requester=desk["customer"], group=desk["group"], owner=desk["agent"])
    page = chromium.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail address").fill("anna@tresen.example")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My open tickets")).to_be_visible()
    page.get_by_role("link", name=ticket.title).click()
    expect(page.locator("h1")).to_contain_text(ticket.number)
    page.keyboard.press("r")
    expect(page.locator("#composer-body")).to_be_focused()
    page.keyboard.type("We ordered a new drum.")
    expect(page.locator("#draft-status")).to_contain_text("Draft saved")
    page.reload()
    expect(page.locator("#composer-body")).to_have_value("We ordered a new drum.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".message.success")).to_have_text("The reply was sent.")
    expect(page.locator(".article").last).to_contain_text("We ordered a new drum.")
    page.locator("#p-state").select_option("resolved")
    page.locator("form.prop", has=page.locator("#p-state")).get_by_role("button").click()
    expect(page.locator(".facts")).to_contain_text("resolved")
    assert Ticket.objects.get(pk=ticket.pk).state == "resolved"


def test_phone_ticket_with_caller_lookup(chromium, live_server, desk):
    PhoneNumber.objects.create(user=desk["customer"], number="+4930123456")
    open_one = make_ticket(requester=desk["customer"], group=desk["group"], title="Old VPN issue")
    sign_in(chromium, live_server, desk["agent"])
    page = chromium.new_page()
    page.goto(f"{live_server.url}/desk/phone/")
    page.get_by_label("Phone number, name or e-mail address").fill("030 123456")
    expect(page.locator("#callers")).to_contain_text("Carl Customer")
    expect(page.locator("#callers")).to_contain_text(open_one.number)
    page.get_by_label("Subject").fill("Monitor is dark")
    page.get_by_label("What the caller said").fill("Monitor stays dark after the update.")
    page.get_by_role("button", name="Open the ticket").click()
    expect(page.locator("h1")).to_contain_text("Monitor is dark")
    created = Ticket.objects.get(title="Monitor is dark")
    assert (created.requester, created.channel) == (desk["customer"], "phone")


def test_bulk_assign_then_merge(chromium, live_server, desk):
    first = make_ticket(requester=desk["customer"], group=desk["group"], title="Printer A")
    second = make_ticket(requester=desk["customer"], group=desk["group"], title="Printer B")
    sign_in(chromium, live_server, desk["agent"])
    page = chromium.new_page()
    page.goto(f"{live_server.url}/desk/?queue=unassigned")
    page.get_by_label(f"Select {first.number}", exact=True).check()
    page.get_by_label(f"Select {second.number}", exact=True).check()
    page.get_by_label("Selected tickets").select_option("assign")
    page.get_by_role("button", name="Apply to selection").click()
    expect(page.locator(".message.success")).to_have_text("2 tickets were changed.")
    assert set(Ticket.objects.values_list("owner", flat=True)) == {desk["agent"].pk}
    page.goto(f"{live_server.url}/desk/?queue=mine")
    page.get_by_label(f"Select {first.number}", exact=True).check()
    page.get_by_label(f"Select {second.number}", exact=True).check()
    page.get_by_label("Selected tickets").select_option("merge")
    page.get_by_role("button", name="Apply to selection").click()
    expect(page.locator(".message.success")).to_have_text("2 tickets were changed.")
    assert Ticket.objects.get(pk=second.pk).merged_into_id == first.pk


def test_search_by_number_and_by_words(chromium, live_server, desk):
    ticket = make_ticket(
        requester=desk["customer"],
        group=desk["group"],
        title="Scanner offline",
        body_text="The scanner on floor three lost its network.",
    )
    sign_in(chromium, live_server, desk["agent"])
    page = chromium.new_page()
    page.goto(f"{live_server.url}/desk/")
    page.keyboard.press("/")
    page.keyboard.type(ticket.number)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Scanner offline")
    page.locator("#desk-q").fill("network")
    page.locator("#desk-q").press("Enter")
    expect(page.locator(".hits mark").first).to_have_text(re.compile("network", re.I))
    expect(page.locator(".hits")).to_contain_text(ticket.number)


def test_two_agents_see_each_other_and_a_stale_change_is_refused(
    two_contexts, live_server, desk, monkeypatch
):
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 1)
    ticket = make_ticket(requester=desk["customer"], group=desk["group"])
    bernd = AgentFactory(name="Bernd Second")
    add_member(desk["group"], bernd)
    mine, other = two_contexts
    sign_in(mine, live_server, desk["agent"])
    anna = mine.new_page()
    anna.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    sign_in(other, live_server, bernd)
    page_b = other.new_page()
    page_b.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    expect(page_b.locator("#presence")).to_contain_text("Anna Agent has this ticket open too.")
    page_b.locator("#composer-body").fill("I will call him back.")
    page_b.locator("#composer-body").press("End")
    expect(anna.locator("#presence")).to_contain_text("Bernd Second is writing on this ticket.")
    anna.locator("#p-priority").select_option("4")
    anna.locator("form.prop", has=anna.locator("#p-priority")).get_by_role("button").click()
    expect(anna.locator(".message.success")).to_have_text("Saved.")
    page_b.get_by_role("button", name="Send").click()
    expect(page_b.locator(".message.error")).to_contain_text(
        "Someone else changed this ticket in the meantime."
    )
    expect(page_b.locator("#composer-body")).to_have_value("I will call him back.")
    assert not Article.objects.filter(body_text="I will call him back.").exists()


@pytest.fixture
def two_contexts():
    """Two separate browser contexts (cookies, storage) of one Debian Chromium: two agents."""
    from playwright.sync_api import sync_playwright

    from tests.peers import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield [browser.new_context(viewport={"width": 1366, "height": 800}) for _ in "ab"]
        finally:
            browser.close()

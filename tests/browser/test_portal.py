"""The portal in a real browser: sign up, confirm by mail, ask with a file, follow the
conversation, answer, and rate with one click from the mail link."""

from __future__ import annotations

import re

import pytest

from tresen.feedback.links import rating_urls
from tresen.feedback.models import Rating
from tresen.knowledge.models import Answer
from tresen.portal.models import RequestForm
from tresen.tickets.models import Event, Ticket
from tresen.tickets.services import change_state, post_article
from tresen.tickets.states import State

pytestmark = [pytest.mark.browser, pytest.mark.peer]

TIMEOUT = 10_000


def _link(peer, address: str, count: int) -> str:
    peer.wait_for(count)
    for message in reversed(peer.to(address)):
        found = re.search(
            r"https?://\S+", message.get_body(preferencelist=("plain",)).get_content()
        )
        if found:
            return found.group(0)
    raise AssertionError(f"no link mailed to {address}")


def test_customer_signs_up_asks_follows_answers_and_rates(
    live_server, chromium, smtp_peer, settings, group, agent, tmp_path
):
    settings.SITE_URL = live_server.url
    RequestForm.objects.create(name_en="IT problem", name_de="IT-Problem", group=group)
    Answer.objects.create(
        title="Printer shows a paper jam",
        slug="printer-paper-jam",
        language="en",
        body_html="<p>Open tray 2.</p>",
        is_published=True,
    )
    page = chromium.new_page()
    page.set_default_timeout(TIMEOUT)

    page.goto(f"{live_server.url}/portal/signup/")
    page.get_by_label("Your name").fill("Berta Browser")
    page.get_by_label("E-mail address").fill("berta@example.org")
    page.get_by_label("Password").fill("lemon-harbour-93")
    page.get_by_role("button", name="Sign up").last.click()
    page.get_by_role("heading", name="Check your mail").wait_for()

    page.goto(_link(smtp_peer, "berta@example.org", 1))
    page.get_by_role("button", name="Confirm my account").click()
    page.get_by_role("heading", name="My requests").wait_for()

    page.get_by_role("link", name="New request").first.click()
    page.get_by_label("Subject").fill("Printer jam on floor 2")
    page.get_by_text("Printer shows a paper jam").wait_for()  # suggested while typing
    page.get_by_label("Describe your request").fill("Tray 2 is stuck.")
    photo = tmp_path / "jam.pdf"
    photo.write_bytes(b"%PDF-1.4 photo of the jam")
    page.get_by_label("Attachments").set_input_files(str(photo))
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="Thank you, we have your request").wait_for()
    ticket = Ticket.objects.get(title="Printer jam on floor 2")
    assert ticket.number in page.content()
    assert ticket.articles.get().attachments.get().filename == "jam.pdf"

    post_article(actor=agent, ticket=ticket, body_text="A technician is on the way.")
    page.get_by_role("link", name="Show the request").click()
    page.get_by_text("A technician is on the way.").wait_for()
    page.get_by_label("Your answer").fill("Thanks, I will be at my desk.")
    page.get_by_role("button", name="Send answer").click()
    page.get_by_text("Thanks, I will be at my desk.").wait_for()

    change_state(actor=agent, ticket=ticket, state=State.RESOLVED)
    page.goto(rating_urls(ticket)["good"])  # the link of the "resolved" mail
    page.get_by_text("You rated our answer as good").wait_for()
    page.get_by_label("Comment (optional)").fill("Fast and friendly")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("You rated our answer as good").wait_for()

    rating = Rating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment, rating.customer.email) == (
        "good",
        "Fast and friendly",
        "berta@example.org",
    )
    assert Event.objects.filter(ticket=ticket, kind="ticket.rated").exists()

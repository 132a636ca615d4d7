"""The real peers the suite relies on start and answer."""

import pytest
from django.core import mail


@pytest.mark.peer
def test_mail_sent_through_django_reaches_the_loopback_smtp_server(smtp_peer):
    mail.send_mail("Hello", "Body text", "desk@tresen.example", ["carl@customer.example"])
    received = smtp_peer.wait_for(1)
    assert received[0]["Subject"] == "Hello"
    assert smtp_peer.envelopes[0]["to"] == ["carl@customer.example"]


@pytest.mark.browser
def test_login_page_renders_in_chromium(chromium, live_server):
    page = chromium.new_page()
    page.goto(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "Tresen"
    page.fill("#id_username", "nobody@example.com")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").is_visible()

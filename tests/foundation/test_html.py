"""Mail HTML made inert: nothing that runs, nothing that loads, nothing HTMX would act on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tresen.core.html import html_to_text, sanitise_html, text_to_html


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<script>alert(1)</script><p>hi</p>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<div hx-get="/desk/bulk/" hx-trigger="load">x</div>', "hx-"),
        ('<a href="javascript:alert(1)">click</a>', "javascript:"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
        ('<img src="https://tracker.example/pixel.gif">', "tracker.example"),
        ('<p style="background:url(https://tracker.example/x)">x</p>', "tracker.example"),
        ("<form action='/logout/'><button>x</button></form>", "<form"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("<svg><animate onbegin=alert(1)></svg>", "onbegin"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', "refresh"),
    ],
)
def test_dangerous_html_is_removed(dirty, forbidden):
    assert forbidden not in sanitise_html(dirty)


def test_harmless_formatting_and_inline_images_stay():
    clean = sanitise_html(
        '<p>Hello <b>there</b></p><img src="cid:logo@x" alt="logo">'
        '<a href="https://example.com">link</a>'
    )
    assert "<b>there</b>" in clean and 'src="cid:logo@x"' in clean
    assert 'href="https://example.com"' in clean and "noopener" in clean


@given(st.text(max_size=300))
def test_sanitising_is_idempotent_and_never_lets_a_script_through(text):
    once = sanitise_html(text)
    assert sanitise_html(once) == once
    assert "<script" not in once.lower()


def test_text_and_html_round_trip_keeps_the_words():
    html = text_to_html("Hello <you>\n\nsecond paragraph")
    assert "&lt;you&gt;" in html
    assert html_to_text(html) == "Hello <you>\n\nsecond paragraph"

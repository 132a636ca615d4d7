"""Outgoing messages built with the `email` package: headers stay single lines, threading
headers stay well-formed and short, whatever people typed."""

from __future__ import annotations

import email
import email.policy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tresen.notifications.composition import (
    FilePart,
    build_message,
    header_text,
    mailbox,
    named_address,
    new_message_id,
    tagged_subject,
    thread_headers,
)


def roundtrip(message):
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def test_subject_with_line_breaks_cannot_add_headers():
    message = build_message(
        message_id=new_message_id("helpdesk.example"),
        from_address=named_address("Support\r\nBcc: evil@attacker.example", "support@h.example"),
        to=["carl@customer.example"],
        subject="Printer\r\nBcc: evil@attacker.example\nX-Evil: 1",
        text="Hello",
        headers={"X-Note": "a\r\nBcc: evil@attacker.example"},
    )

    parsed = roundtrip(message)
    assert parsed["Bcc"] is None
    assert parsed["X-Evil"] is None
    assert parsed["Subject"] == "Printer Bcc: evil@attacker.example X-Evil: 1"
    assert parsed["X-Note"] == "a Bcc: evil@attacker.example"
    assert parsed["From"].addresses[0].addr_spec == "support@h.example"


@given(st.text(max_size=300))
def test_header_text_never_contains_control_characters(value):
    cleaned = header_text(value)
    assert not any(ch in cleaned for ch in "\r\n\x00\x0b\x0c\x85\u2028\u2029")
    assert len(cleaned) <= 500


@pytest.mark.parametrize(
    "address", ["a@b.example\r\nBcc: x@y.example", "not an address", "", "a@b.example, c@d.example"]
)
def test_mailbox_refuses_what_is_not_one_address(address):
    with pytest.raises(ValueError):
        mailbox(address)


def test_mailbox_takes_the_bare_lower_case_address():
    assert mailbox("Carl Customer <Carl@Customer.Example>") == "carl@customer.example"


def test_caller_headers_cannot_replace_the_outbox_headers():
    with pytest.raises(ValueError):
        build_message(
            message_id="<a@b.example>",
            from_address="a@b.example",
            to=["c@d.example"],
            subject="s",
            text="t",
            headers={"Message-ID": "<other@b.example>"},
        )


def test_threading_keeps_root_and_latest_and_drops_malformed_ids():
    ids = [f"<m{i}@customer.example>" for i in range(15)]
    headers = thread_headers(["", "<broken", "<a@b>\r\nBcc: x@y", *ids])

    references = headers["References"].split()
    assert headers["In-Reply-To"] == "<m14@customer.example>"
    assert references[0] == "<m0@customer.example>"
    assert references[-1] == "<m14@customer.example>"
    assert len(references) == 10
    assert thread_headers([]) == {}


def test_ticket_tag_is_added_once():
    assert tagged_subject("Printer jammed", "T10023") == "[T10023] Printer jammed"
    assert tagged_subject("Re: [T10023] Printer jammed", "T10023") == "Re: [T10023] Printer jammed"


def test_message_ids_are_random_and_at_our_domain():
    first, second = new_message_id("Helpdesk.Example"), new_message_id("helpdesk.example")
    assert first != second
    assert first.endswith("@helpdesk.example>")
    assert len(first.split("@")[0]) - 1 == 32  # 128 bits in hex


def test_message_has_text_html_and_files_and_non_ascii_names():
    message = build_message(
        message_id="<x@helpdesk.example>",
        from_address=named_address("Büro Süd", "buero@helpdesk.example"),
        to=["jörg@customer.example"],
        subject="Grüße [T10023]",
        text="Hallo Jörg",
        html="<p>Hallo Jörg</p>",
        language="de",
        attachments=[FilePart("Übersicht.pdf", "application/pdf", b"%PDF-1.4")],
    )

    parsed = roundtrip(message)
    assert parsed["From"].addresses[0].display_name == "Büro Süd"
    assert parsed["Subject"] == "Grüße [T10023]"
    assert parsed["Content-Language"] == "de"
    assert parsed.get_body(("plain",)).get_content().strip() == "Hallo Jörg"
    assert "<p>Hallo Jörg</p>" in parsed.get_body(("html",)).get_content()
    [part] = list(parsed.iter_attachments())
    assert part.get_filename() == "Übersicht.pdf"
    assert part.get_content() == b"%PDF-1.4"


def test_inline_images_travel_next_to_the_html_and_text_files_as_attachments():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    message = build_message(
        message_id="<x@helpdesk.example>",
        from_address="support@helpdesk.example",
        to=["carl@customer.example"],
        subject="Screenshot",
        text="See the screenshot.",
        html='<p>See <img src="cid:shot1@customer.example"></p>',
        attachments=[
            FilePart("shot.png", "image/png", png, "<shot1@customer.example>"),
            FilePart("log.txt", "text/plain", b"line 1\nline 2\n"),
        ],
    )

    parsed = roundtrip(message)
    html = parsed.get_body(("related", "html"))
    assert html.get_content_type() == "multipart/related"
    [image] = [p for p in html.iter_parts() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<shot1@customer.example>"
    assert image.get_content() == png
    [log] = list(parsed.iter_attachments())
    assert log.get_filename() == "log.txt"
    assert log.get_content().replace("\r\n", "\n") == "line 1\nline 2\n"

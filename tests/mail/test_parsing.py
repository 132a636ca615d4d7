"""The parser is pure: these tests need no database."""

import base64

import pytest

from tresen.mail.automatic import automatic_reason
from tresen.mail.parsing import MailLimitExceeded, MailLimits, parse_message
from tresen.mail.quoting import split_reply


def raw(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("latin-1")


def test_rfc2047_subject_and_sender_name_are_decoded():
    mail = parse_message(
        raw(
            "From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <jm@example.de>\n"
            "Subject: =?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4=?=\n\nHallo\n"
        )
    )
    assert mail.from_name == "Jürgen Müller"
    assert mail.subject == "Grüße aus Köln"
    assert mail.from_address == "jm@example.de"


def test_raw_8bit_headers_are_read_as_utf8_or_windows_1252():
    utf8 = b"From: a@example.de\r\nSubject: Gr\xc3\xbc\xc3\x9fe\r\n\r\nx\r\n"
    latin = b"From: a@example.de\r\nSubject: Gr\xfc\xdfe\r\n\r\nx\r\n"
    assert parse_message(utf8).subject == "Grüße"
    assert parse_message(latin).subject == "Grüße"


def test_body_with_wrong_declared_charset_is_still_readable():
    mail = parse_message(
        b"From: a@example.de\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        b"Gr\xc3\xbc\xc3\x9fe\r\n"
    )
    assert "Grüße" in mail.text


def test_unknown_charset_falls_back():
    mail = parse_message(
        b"From: a@example.de\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nK\xf6ln\r\n"
    )
    assert "Köln" in mail.text


def test_rfc2231_file_name_is_decoded():
    mail = parse_message(
        raw(
            "From: a@example.de\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
            "Content-Type: text/plain\n\nsiehe Anhang\n--b\n"
            "Content-Type: application/pdf\n"
            "Content-Disposition: attachment; filename*=UTF-8''Pr%C3%BCfbericht%202026.pdf\n"
            "Content-Transfer-Encoding: base64\n\n"
            + base64.b64encode(b"%PDF-1.4 test").decode()
            + "\n--b--\n"
        )
    )
    assert [a.filename for a in mail.attachments] == ["Prüfbericht 2026.pdf"]
    assert mail.attachments[0].data == b"%PDF-1.4 test"


def test_html_only_mail_gets_text_and_sanitised_html():
    mail = parse_message(
        raw(
            "From: a@example.de\nContent-Type: text/html; charset=utf-8\n\n"
            '<p onclick="x()">Hallo <b>Welt</b></p><script>alert(1)</script>'
            '<img src="https://tracker.example/p.gif"><div hx-get="/x">y</div>\n'
        )
    )
    assert "Hallo Welt" in mail.text
    assert "script" not in mail.html and "onclick" not in mail.html
    assert "tracker.example" not in mail.html and "hx-get" not in mail.html


def test_inline_cid_image_is_an_inline_attachment():
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    mail = parse_message(
        raw(
            "From: a@example.de\nContent-Type: multipart/related; boundary=r\n\n--r\n"
            'Content-Type: text/html\n\n<p><img src="cid:logo@x"></p>\n--r\n'
            "Content-Type: image/png\nContent-ID: <logo@x>\nContent-Transfer-Encoding: base64\n\n"
            + base64.b64encode(png).decode()
            + "\n--r--\n"
        )
    )
    assert 'src="cid:logo@x"' in mail.html
    (image,) = mail.attachments
    assert image.inline and image.content_id == "logo@x" and image.data == png


def test_forwarded_message_is_kept_as_eml():
    mail = parse_message(
        raw(
            "From: a@example.de\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"
            "Content-Type: text/plain\n\nFYI\n--m\nContent-Type: message/rfc822\n\n"
            "From: b@example.de\nSubject: Original\n\nInner body\n--m--\n"
        )
    )
    (forwarded,) = mail.attachments
    assert forwarded.filename == "Original.eml"
    assert b"Inner body" in forwarded.data
    assert mail.text.strip() == "FYI"


def test_calendar_invitation_is_kept_as_attachment():
    mail = parse_message(
        raw(
            "From: a@example.de\nContent-Type: multipart/alternative; boundary=c\n\n--c\n"
            "Content-Type: text/plain\n\nEinladung\n--c\n"
            "Content-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n--c--\n"
        )
    )
    assert [a.filename for a in mail.attachments] == ["invitation.ics"]


def test_signed_mail_keeps_body_and_signature():
    mail = parse_message(
        raw(
            "From: a@example.de\n"
            'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=s\n'
            "\n--s\nContent-Type: text/plain\n\nSigned text\n--s\n"
            'Content-Type: application/pkcs7-signature; name="smime.p7s"\n'
            "Content-Transfer-Encoding: base64\n\nAAAA\n--s--\n"
        )
    )
    assert "Signed text" in mail.text
    assert [a.filename for a in mail.attachments] == ["smime.p7s"]


def test_limits_have_defined_outcomes():
    big = b"From: a@example.de\r\n\r\n" + b"x" * 2000
    with pytest.raises(MailLimitExceeded, match="too large"):
        parse_message(big, MailLimits(max_bytes=1000))
    parts = "".join("--p\nContent-Type: text/plain\n\nx\n" for _ in range(10))
    many = raw(f"From: a@example.de\nContent-Type: multipart/mixed; boundary=p\n\n{parts}--p--\n")
    with pytest.raises(MailLimitExceeded, match="too many parts"):
        parse_message(many, MailLimits(max_parts=5))
    long_header = raw("From: a@example.de\nSubject: " + "y" * 500 + "\n\nbody\n")
    mail = parse_message(long_header, MailLimits(max_header_chars=100))
    assert len(mail.subject) == 100 and "header subject truncated" in mail.defects


def test_deep_nesting_is_refused():
    depth = 30
    text = "From: a@example.de\n"
    for level in range(depth):
        text += f"Content-Type: multipart/mixed; boundary=b{level}\n\n--b{level}\n"
    text += "Content-Type: text/plain\n\nx\n"
    for level in reversed(range(depth)):
        text += f"--b{level}--\n"
    with pytest.raises(MailLimitExceeded, match="too deeply nested"):
        parse_message(raw(text), MailLimits(max_depth=10))


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ("Auto-Submitted: auto-replied\n", "auto-submitted: auto-replied"),
        ("Precedence: bulk\n", "precedence: bulk"),
        ("Return-Path: <>\n", "null return path"),
        ("X-Autoreply: yes\n", "x-autoreply"),
        ("List-Id: <team.lists.example>\n", "mailing list"),
        ("X-Auto-Response-Suppress: OOF, AutoReply\n", "x-auto-response-suppress"),
        ("Subject: Abwesenheitsnotiz: Re: Drucker\n", "out-of-office subject"),
        ("Subject: Out of Office: printer\n", "out-of-office subject"),
    ],
)
def test_automatic_mail_is_recognised(headers, expected):
    mail = parse_message(raw(f"From: a@example.de\n{headers}\nbody\n"))
    assert automatic_reason(mail) == expected


def test_person_mail_and_auto_submitted_no_are_not_automatic():
    mail = parse_message(raw("From: a@example.de\nAuto-Submitted: no\nSubject: Hi\n\nbody\n"))
    assert automatic_reason(mail) is None


def test_mailer_daemon_is_automatic():
    mail = parse_message(raw("From: MAILER-DAEMON@mx.example\nSubject: failure\n\nx\n"))
    assert automatic_reason(mail) == "machine sender"


@pytest.mark.parametrize(
    "marker",
    [
        "Am 27.11.2026 um 10:00 schrieb Anna Agent <anna@example.de>:",
        "On Fri, Nov 27, 2026 at 10:00 AM Anna Agent <anna@example.de> wrote:",
        "-----Original Message-----",
        "-----Ursprüngliche Nachricht-----",
        "Von: Anna Agent\nGesendet: Freitag, 27. November 2026 10:00",
        "-- ",
        "> quoted line",
    ],
)
def test_quoted_history_and_signature_are_found(marker):
    text = f"Danke, geht wieder.\n\n{marker}\nold text\n"
    offset = split_reply(text)
    assert offset is not None
    assert text[:offset].strip() == "Danke, geht wieder."
    assert text[offset:].startswith(marker.split("\n")[0])


def test_text_without_history_has_no_split():
    assert split_reply("Nur eine Zeile.\nUnd noch eine.") is None


def test_broken_mail_never_raises_unexpectedly():
    for data in [b"", b"\x00\xff" * 50, b"Content-Type: multipart/mixed\r\n\r\nno boundary"]:
        try:
            parse_message(data)
        except Exception as exc:
            assert exc.__class__.__name__ in ("Unparseable", "MailLimitExceeded")


def test_large_attachment_costs_less_than_four_times_the_message_size():
    import random
    import tracemalloc
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "a@example.de"
    message["Subject"] = "big"
    message.set_content("see attachment")
    data = b"%PDF-1.4\n" + random.Random(1).randbytes(4 * 1024 * 1024)
    message.add_attachment(data, "application", "pdf", filename="big.pdf")
    raw = message.as_bytes()
    del message
    tracemalloc.start()
    try:
        mail = parse_message(raw)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert mail.attachments[0].data == data
    assert peak < 4 * len(raw)

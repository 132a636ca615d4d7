"""Bounce analysis: recognition, DSN status, reason class and the hard/soft decision."""

from __future__ import annotations

import time

import pytest

from tresen.mail.bounce_reasons import classify, is_hard
from tresen.mail.bounces import analyse_bounce, looks_like_bounce
from tresen.mail.parsing import parse_message


def dsn(status: str, diagnostic: str, recipient: str = "kunde@example.org") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        "To: support@tresen.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n'
        "\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n"
        "\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "Message-ID: <ticket-42@tresen.example>\r\nSubject: Ihre Anfrage\r\n"
        "\r\n--b--\r\n"
    ).encode()


def text_bounce(
    body: str, sender: str = "MAILER-DAEMON@mx.example.net", subject: str = ""
) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@tresen.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <tb-1@mx.example.net>\r\nContent-Type: text/plain\r\n\r\n{body}"
    ).encode()


def test_a_dsn_for_an_unknown_mailbox_is_a_hard_userunknown():
    bounce = analyse_bounce(
        parse_message(dsn("5.1.1", "550 5.1.1 <kunde@example.org>: no such user"))
    )
    assert (bounce.status, bounce.reason, bounce.hard) == ("5.1.1", "userunknown", True)
    assert bounce.recipient == "kunde@example.org"
    assert "<ticket-42@tresen.example>" in bounce.original_message_ids


def test_the_remote_servers_own_code_replaces_a_bare_x_0_0_status():
    mail = parse_message(dsn("5.0.0", "550 5.7.26 Multiple authentication checks failed"))
    bounce = analyse_bounce(mail)
    assert (bounce.status, bounce.reason, bounce.hard) == ("5.7.26", "authfailure", False)


def test_unknown_user_after_data_is_a_content_refusal_not_a_bad_address():
    body = (
        "<kunde@example.org>: host mx.example.org said: 550 Unknown user\r\n"
        "    kunde@example.org (in reply to end of DATA command)\r\n"
    )
    bounce = analyse_bounce(parse_message(text_bounce(body, subject="Undelivered Mail")))
    assert bounce.reason == "filtered"
    assert bounce.hard is False


def test_a_refused_sender_is_rejected_and_never_marks_the_recipient():
    body = (
        "<kunde@example.org>: host mx.example.org said: 553 sender does not exist\r\n"
        "    (in reply to MAIL FROM command)\r\n"
    )
    bounce = analyse_bounce(parse_message(text_bounce(body, subject="Undelivered Mail")))
    assert (bounce.reason, bounce.hard) == ("rejected", False)


def test_a_blocklisted_client_beats_a_generic_5_1_1_and_stays_soft():
    bounce = analyse_bounce(parse_message(dsn("5.1.1", "550 5.7.1 IP address blacklisted")))
    assert (bounce.reason, bounce.hard) == ("blocked", False)


@pytest.mark.parametrize(
    ("status", "text", "reason"),
    [
        ("5.2.2", "552 mailbox full", "mailboxfull"),
        ("4.4.1", "connect to mx.example.org: Connection timed out", "expired"),
        ("5.0.0", "DNS type 'mx' lookup responded with Null MX", "notaccept"),
        ("5.0.0", "Host or domain name not found", "hostunknown"),
        ("5.7.1", "Relay access denied", "norelaying"),
        ("5.7.1", "Message content rejected, UBE", "spamdetected"),
        ("5.0.0", "User example temporarily locked", "suspend"),
        ("5.3.4", "anything", "mesgtoobig"),
        ("5.1.8", "user unknown", "rejected"),
        ("", "", "undefined"),
    ],
)
def test_reason_classes_from_status_and_words(status, text, reason):
    assert classify(status, text) == reason


def test_temporary_or_contradicted_failures_are_never_hard():
    assert is_hard("5.1.1", "userunknown")
    assert is_hard("", "hostunknown")
    assert not is_hard("4.1.1", "userunknown")  # temporary
    assert not is_hard("4.4.4", "hostunknown")
    assert not is_hard("5.2.2", "mailboxfull")
    assert not is_hard("5.7.1", "filtered")


def test_a_bare_user_unknown_is_about_the_address_only_at_rcpt_or_with_an_address_status():
    assert classify("5.2.1", "550 5.2.1 <kunde@example.org>... User Unknown") == "filtered"
    assert classify("5.2.1", "550 5.2.1 <kunde@example.org>... User Unknown", "rcpt") == (
        "userunknown"
    )
    assert classify("5.1.1", "550 5.1.1 no such user") == "userunknown"
    assert classify("", "550 no such user", "data") == "filtered"


def test_a_mailer_daemon_without_a_telling_subject_is_recognised_by_its_notice():
    body = "Your message did not reach the following recipient(s):\r\nkunde@example.org\r\n"
    mail = parse_message(text_bounce(body, sender="postmaster@example.net", subject="E"))
    assert looks_like_bounce(mail)


def test_a_person_writing_about_an_undeliverable_mail_is_no_bounce():
    body = "Hallo, meine Mail could not be delivered, können Sie helfen?\r\n"
    mail = parse_message(text_bounce(body, sender="Anna <anna@example.org>", subject="Frage"))
    assert not looks_like_bounce(mail)


def test_the_returned_original_does_not_decide_the_reason():
    body = (
        "Unable to deliver message to: <kunde@example.org>\r\n550 5.1.1 No such user here\r\n"
        "--- Original message follows.\r\n"
        "Authentication-Results: mx; spf=fail; dkim=fail\r\nSubject: spam spam\r\n"
    )
    bounce = analyse_bounce(parse_message(text_bounce(body, subject="failure notice")))
    assert bounce.reason == "userunknown"


def test_a_huge_bounce_is_analysed_in_bounded_time():
    body = "Delivery has failed: user unknown\r\n" + ("x" * 70 + "\r\n") * 40_000
    mail = parse_message(text_bounce(body, subject="Undeliverable"))
    started = time.perf_counter()
    bounce = analyse_bounce(mail)
    assert time.perf_counter() - started < 1.0
    assert bounce.reason == "filtered"  # no phase, no status: the address is not proven wrong


@pytest.mark.parametrize(
    ("answer", "reason"),
    [("554 5.7.1 Go away", "blocked"), ("554 5.7.1 Missing reverse DNS", "requireptr")],
)
def test_a_refusal_at_the_greeting_is_about_the_client_and_soft(answer, reason):
    body = (
        "The following address(es) failed:\r\n  kunde@example.org\r\n"
        "    SMTP error from remote mail server after initial connection:\r\n"
        f"    {answer}\r\n"
    )
    bounce = analyse_bounce(parse_message(text_bounce(body, subject="Mail delivery failed")))
    assert (bounce.reason, bounce.hard) == (reason, False)


def test_a_sender_refusal_keeps_a_named_sending_side_cause():
    assert classify("5.0.0", "550 Unauthenticated senders not allowed", "mail") == "securityerror"
    assert classify("5.0.0", "550 user unknown", "mail") == "rejected"


def test_a_bare_user_unknown_answered_after_data_stays_soft():
    body = (
        "----- Transcript of session follows -----\r\n>>> DATA\r\n"
        "<<< 550 <kunde@example.org>: User unknown\r\n<<< 554 Error: no valid recipients\r\n"
    )
    bounce = analyse_bounce(parse_message(text_bounce(body, subject="Returned mail")))
    assert (bounce.reason, bounce.hard) == ("filtered", False)


def test_an_answer_naming_the_refused_recipient_is_the_rcpt_step():
    body = (
        "<kunde@example.org>: host mx.example.org said: 550 <kunde@example.org>: User unknown\r\n"
    )
    bounce = analyse_bounce(parse_message(text_bounce(body, subject="Undelivered Mail")))
    assert (bounce.reason, bounce.hard) == ("userunknown", True)


@pytest.mark.parametrize("word", ["mailbox ", "user mailbox account ", "size message ", "domain "])
def test_repetitive_diagnostics_cannot_make_classification_slow(word):
    text = word * (64 * 1024 // len(word))
    started = time.perf_counter()
    analyse_bounce(parse_message(dsn("5.0.0", text)))
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("status", "text", "phase", "reason"),
    [
        # Provider codes: the number names the cause where the words do not.
        (
            "4.0.0",
            "421 mwinf Trop de connexions. Too many connections. OFR004_104 [104]",
            "",
            "toomanyconn",
        ),
        ("5.5.0", "550 5.5.0 Service refuse. Service refused. LPN003_510", "", "blocked"),
        ("5.1.0", "550 5.1.0 <b@example.org> sender rejected. AUP#In-1320", "", "toomanyconn"),
        # The recipient's own filter, whatever addressing status the relay filled in.
        ("5.1.1", "550 5.1.1 Refused due to recipient preferences", "", "filtered"),
        ("5.0.0", "550 : User unknown", "", "filtered"),
        (
            "5.0.0",
            "554 email rejected due to security policies - SpamSignature",
            "",
            "virusdetected",
        ),
        # At MAIL FROM only causes about the sending side (or the mail's size) stay named.
        ("5.7.0", "550 5.7.0 Please use the smtp server of your ISP.", "mail", "blocked"),
        (
            "5.2.3",
            "552 5.2.3 Message size exceeds fixed maximum message size",
            "mail",
            "exceedlimit",
        ),
        ("5.0.0", "571 No PTR Record found. Reverse DNS required", "connect", "requireptr"),
        # Words in other languages, as the providers write them.
        ("5.0.0", "550 Utilisateur inconnu", "", "userunknown"),
        ("5.0.0", "550 Usuario desconocido", "", "userunknown"),
        ("5.0.0", "550 Пользователь не найден", "", "userunknown"),
        ("5.0.0", "552 Boite du destinataire pleine", "", "mailboxfull"),
        ("5.0.0", "550 Adresse IP source bloquee pour incident de spam", "", "blocked"),
        # A name server that could not answer for now proves no domain missing.
        (
            "4.0.0",
            "DNS Error: lookup of example.org responded NXDOMAIN: Domain name not found",
            "",
            "networkerror",
        ),
        ("5.0.0", "553 mx.example.org does not exist", "data", "hostunknown"),
        ("5.1.1", "x-unix; procmail: Couldn't create mailbox: No such user", "", "mailererror"),
        ("5.6.0", "552 5.6.0 Headers too large (3 max)", "data", "contenterror"),
        ("5.7.9", "550 5.7.9 Rejected", "", "securityerror"),
        ("4.4.7", "Deferred: Connection refused by mx.example.org.", "", "blocked"),
        ("4.4.7", "Deferred: Connection refused by [127.0.0.1]", "", "expired"),
    ],
)
def test_reason_families(status, text, phase, reason):
    assert classify(status, text, phase) == reason


def test_in_a_report_on_several_recipients_the_first_ones_cause_counts():
    text = (
        "<a@example.org>: 550 5.1.1 <a@example.org>: Recipient address rejected: User unknown\n"
        "<b@example.org>: 552 5.2.2 <b@example.org>: Recipient address rejected: Mailbox full\n"
    )
    assert classify("5.1.1", text) == "userunknown"


@pytest.mark.parametrize(
    ("context", "phase", "reason"),
    [
        ("This is the mail delivery agent at messagelabs.com.", "", "userunknown"),
        ("host mfsmax.docomo.ne.jp[192.0.2.1] said: 550 Unknown user", "data", "rejected"),
        ("The recipient name is not recognized", "", "userunknown"),
        ("Your message could not be delivered.", "", "filtered"),
    ],
)
def test_a_bare_user_unknown_is_weighed_by_what_else_the_notice_says(context, phase, reason):
    assert classify("5.0.0", "550 No such user", phase, context) == reason


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("remote host said: 550 no such user (most progress was RCPT TO response)", "userunknown"),
        (
            "Remote host said: 550 5.2.1 <kunde@example.org>... User Unknown [RCPT_TO]",
            "userunknown",
        ),
        ("Connected to 192.0.2.1 but sender was rejected. 550 Access denied", "rejected"),
        ("host mx.example.org refused to talk to me: 554 Go away", "blocked"),
    ],
)
def test_the_smtp_step_in_vendor_words(body, reason):
    bounce = analyse_bounce(parse_message(text_bounce(body, subject="failure notice")))
    assert bounce.reason == reason


def test_a_cause_in_the_notice_beats_a_bare_user_unknown_in_the_report():
    mail = dsn("5.1.1", "550 5.1.1 <kunde@example.org>... User Unknown").replace(
        b"could not be delivered.", b"was rejected: Mailbox full."
    )
    bounce = analyse_bounce(parse_message(mail))
    assert (bounce.reason, bounce.hard) == ("mailboxfull", False)


def test_the_remote_servers_own_x_0_0_is_kept():
    bounce = analyse_bounce(parse_message(dsn("5.0.0", "550 5.0.0 <kunde@example.org>... nope")))
    assert bounce.status == "5.0.0"


def test_an_ses_status_title_is_not_read_as_the_remote_servers_words():
    text = "5.1.0 - Unknown address error 550-'5.7.1 <b@example.org>... Access denied'"
    bounce = analyse_bounce(parse_message(dsn("5.7.1", text)))
    assert (bounce.reason, bounce.hard) == ("securityerror", False)


def test_a_delay_warning_without_a_named_cause_is_expired():
    mail = dsn("4.0.0", "421 try later").replace(b"Action: failed", b"Action: delayed")
    assert analyse_bounce(parse_message(mail)).reason == "expired"


def test_words_that_name_nothing_are_onhold():
    bounce = analyse_bounce(parse_message(dsn("5.0.0", "550 Nope, not today")))
    assert (bounce.reason, bounce.hard) == ("onhold", False)


def test_a_report_whose_boundary_never_occurs_is_still_read():
    mail = dsn("5.1.1", "550 5.1.1 <kunde@example.org>: no such user").replace(
        b'boundary="b"', b'boundary="elsewhere"'
    )
    bounce = analyse_bounce(parse_message(mail))
    assert (bounce.status, bounce.reason, bounce.recipient) == (
        "5.1.1",
        "userunknown",
        "kunde@example.org",
    )


def test_a_bounce_forwarded_as_plain_text_keeps_its_report():
    body = (
        "The following is the error message.\r\n\r\n"
        "Final-Recipient: rfc822; kunde@example.org\r\nAction: failed\r\nStatus: 4.0.0\r\n"
        "Diagnostic-Code: X-Postfix; connect to mx.example.org[192.0.2.1]: server refused to\r\n"
        "    talk to me: 421 Service not available\r\n"
    )
    bounce = analyse_bounce(parse_message(text_bounce(body, subject="Undelivered Mail")))
    assert (bounce.status, bounce.reason, bounce.hard) == ("4.0.0", "blocked", False)


def test_a_quoted_original_behind_angle_brackets_does_not_decide():
    body = (
        "> ----- The following addresses had permanent fatal errors -----\r\n"
        "> <kunde@example.org> (reason: 550 5.1.1 User unknown) (in reply to RCPT TO)\r\n"
        "> Received: from mx.example.org\r\n> X-Virus-Status: virus found? no, clean\r\n"
    )
    bounce = analyse_bounce(parse_message(text_bounce(body, subject="Fwd: Returned mail")))
    assert bounce.reason == "userunknown"


@pytest.mark.parametrize(
    "line", ["> " * 30_000, " " * 60_000, "<a@" * 20_000, "550 " + "a." * 30_000]
)
def test_hostile_notices_stay_cheap(line):
    mail = parse_message(text_bounce(line + "\r\n", subject="Undeliverable"))
    started = time.perf_counter()
    analyse_bounce(mail)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("550 Empfänger unbekannt", "userunknown"),
        ("550 Benutzer wurde nicht gefunden", "userunknown"),
        ("550 Domain example.org existiert nicht", "hostunknown"),
        ("550 Usuário desconhecido", "userunknown"),
        ("552 Cota de armazenamento excedida", "mailboxfull"),
        ("550 Domaine inexistant", "hostunknown"),
        ("552 Почтовый ящик переполнен", "mailboxfull"),
    ],
)
def test_more_languages(text, reason):
    assert classify("5.0.0", text, "rcpt") == reason

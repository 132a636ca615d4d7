"""RFC 3834: is this mail written by a machine? Pure, reads only the parsed headers.

An automatic mail is still stored and attached, but it never reopens a ticket, never becomes
a customer's reply that notifies anyone, and is never answered automatically.
"""

from __future__ import annotations

import re

from tresen.mail.parsing import ParsedMail

_MACHINE_SENDERS = re.compile(
    r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|maildaemon|"
    r"no-?reply|do-?not-?reply|noreply-[\w.-]+|bounces?(\+[^@]*)?|auto-?reply)@",
    re.IGNORECASE,
)
_OUT_OF_OFFICE = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|"
    r"automatische (antwort|rückantwort|abwesenheitsnotiz)|"
    r"out of (the )?office|abwesenheitsnotiz|abwesend|"
    r"i am (currently )?(out of|away)|ich bin (nicht im büro|abwesend)|"
    r"urlaub|vacation|on leave|away from (the )?office)",
    re.IGNORECASE,
)
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "list-help", "mailing-list")


def automatic_reason(mail: ParsedMail) -> str | None:
    """Return why `mail` counts as automatic (a short word), or None for a person's mail."""
    auto_submitted = mail.header("auto-submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"auto-submitted: {auto_submitted}"
    precedence = mail.header("precedence").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"precedence: {precedence}"
    if mail.return_path == "" or mail.return_path == "<>":
        return "null return path"
    if mail.from_address and _MACHINE_SENDERS.match(mail.from_address):
        return "machine sender"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply"):
        if mail.header(name):
            return name
    suppress = mail.header("x-auto-response-suppress").lower()
    if suppress and any(word in suppress for word in ("oof", "autoreply", "all")):
        # Senders set this on their own automatic mail (Exchange, ticket systems).
        return "x-auto-response-suppress"
    if mail.header("x-loop") or mail.header("x-mailing-list"):
        return "loop or list marker"
    for name in _LIST_HEADERS:
        if mail.header(name):
            return "mailing list"
    if mail.header("feedback-type") or mail.header("x-feedback-id"):
        return "feedback report"
    if _OUT_OF_OFFICE.match(mail.subject or ""):
        return "out-of-office subject"
    return None


def is_out_of_office(mail: ParsedMail) -> bool:
    """An absence notice (as opposed to a list mail or a bounce)."""
    auto = mail.header("auto-submitted").lower()
    return (
        "auto-replied" in auto
        or bool(mail.header("x-autoreply") or mail.header("x-autorespond"))
        or "oof" in mail.header("x-auto-response-suppress").lower()
        or bool(_OUT_OF_OFFICE.match(mail.subject or ""))
    )

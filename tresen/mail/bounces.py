"""Delivery failures: standard DSN reports and the common non-standard text bounces. Pure.

From a bounce we want the address that failed, the DSN status, a reason class, whether it is
permanent (hard), and the Message-ID of the mail that bounced, to find its ticket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tresen.mail.parsing import ParsedMail, message_ids

_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|undelivered|delivery (status notification|failure|has failed|problem)|"
    r"failure notice|returned mail|mail delivery (failed|failure|system)|"
    r"non[- ]?delivery|nondeliverable|unzustellbar|nicht zustellbar|"
    r"delivery notification|could not be delivered|mail system error|"
    r"message not delivered|returned to sender|rejected|warning: could not send)",
    re.IGNORECASE,
)
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_REPLY_CODE = re.compile(r"\b([45][0-9][0-9])[ -]")
_RECIPIENT_FIELD = re.compile(
    r"^(?:Final|Original)-Recipient:\s*(?:rfc822;)?\s*<?([^\s<>;]+@[^\s<>;]+)>?",
    re.IGNORECASE | re.MULTILINE,
)
_RECIPIENT_TEXT = re.compile(r"<([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>")
_RECIPIENT_BARE = re.compile(r"^\s*([\w.+'-]+@[\w-]+(?:\.[\w-]+)+):?\s*$", re.MULTILINE)
_ORIGINAL_ID = re.compile(r"^Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)

# Reason classes (the names sisimai uses), matched in order on the diagnostic text.
_REASON_PHRASES: list[tuple[str, list[str]]] = [
    (
        "mailboxfull",
        [
            r"mailbox (is )?full",
            r"over ?quota",
            r"quota exceeded",
            r"exceed(ed|s) (the )?(storage|quota)",
            r"insufficient (disk )?space",
            r"mailbox.*size limit",
            r"postfach.*voll",
        ],
    ),
    ("mesgtoobig", [r"message (is )?too (big|large)", r"size (limit|exceeds)", r"exceeds .*size"]),
    (
        "hostunknown",
        [
            r"host (or domain name )?not found",
            r"unknown host",
            r"domain (not found|does not exist)",
            r"no such domain",
            r"name service error",
            r"unrout(e)?able",
        ],
    ),
    (
        "userunknown",
        [
            r"user unknown",
            r"unknown user",
            r"no such (user|mailbox|recipient|address)",
            r"does ?n[o']t exist",
            r"not exist",
            r"invalid (recipient|mailbox|address)",
            r"recipient (address )?rejected",
            r"address rejected",
            r"unknown (recipient|address|local part|mailbox)",
            r"mailbox (unavailable|not found)",
            r"not a valid (mailbox|recipient)",
            r"user not found",
            r"account (does not exist|not found)",
            r"unbekannt",
            r"undeliverable address",
            r"no mailbox here",
        ],
    ),
    ("hasmoved", [r"has moved", r"moved to"]),
    (
        "suspend",
        [
            r"suspended",
            r"disabled",
            r"inactive",
            r"deactivated",
            r"account (is )?locked",
            r"expired account",
            r"not active",
        ],
    ),
    (
        "expired",
        [
            r"expired",
            r"retry time",
            r"timeout exceeded",
            r"too long in queue",
            r"delivery time",
            r"giving up",
            r"could not be delivered within",
            r"delayed",
        ],
    ),
    ("virusdetected", [r"virus", r"malware", r"infected"]),
    ("spamdetected", [r"spam", r"junk mail", r"bulk mail"]),
    ("authfailure", [r"\bspf\b", r"dkim", r"dmarc", r"authenticat"]),
    ("requireptr", [r"reverse dns", r"\bptr\b", r"rdns", r"no reverse"]),
    (
        "norelaying",
        [
            r"relay(ing)? (access )?(denied|not permitted)",
            r"not permitted to relay",
            r"unable to relay",
        ],
    ),
    (
        "blocked",
        [
            r"blocked",
            r"blacklist",
            r"block ?list",
            r"\brbl\b",
            r"dnsbl",
            r"listed",
            r"poor reputation",
            r"banned",
        ],
    ),
    (
        "networkerror",
        [
            r"connection (refused|timed out|reset)",
            r"network",
            r"unreachable",
            r"\bdns\b",
            r"lost connection",
        ],
    ),
    ("policyviolation", [r"policy"]),
    ("filtered", [r"filter", r"content rejected", r"not accepted", r"refused"]),
    ("rejected", [r"reject", r"denied", r"sender"]),
    ("systemerror", [r"system error", r"internal error", r"local error", r"loop"]),
]
_REASONS = [(name, re.compile("|".join(phrases), re.I)) for name, phrases in _REASON_PHRASES]

_STATUS_REASONS = {
    "1.1": "userunknown",
    "1.0": "userunknown",
    "1.6": "hasmoved",
    "1.2": "hostunknown",
    "2.2": "mailboxfull",
    "2.1": "suspend",
    "2.3": "mesgtoobig",
    "3.4": "mesgtoobig",
    "4.7": "expired",
    "4.1": "networkerror",
    "4.4": "networkerror",
    "7.1": "rejected",
    "7.0": "securityerror",
}
_HARD_REASONS = {"userunknown", "hostunknown", "hasmoved"}


@dataclass(frozen=True)
class Bounce:
    status: str
    reason: str
    hard: bool
    recipient: str
    original_message_ids: tuple[str, ...]

    def as_meta(self) -> dict[str, object]:
        return {
            "status": self.status,
            "reason": self.reason,
            "hard": self.hard,
            "recipient": self.recipient,
        }


def looks_like_bounce(mail: ParsedMail) -> bool:
    """A delivery report or a mailer daemon's mail about a failed delivery."""
    content_type = mail.header("content-type").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return True
    if any("Final-Recipient:" in report or "Action: failed" in report for report in mail.reports):
        return True
    machine = mail.return_path == "" or re.search(
        r"\b(mailer-daemon|postmaster|post_master|mail-daemon|mailerdaemon|maildaemon)\b",
        mail.header("from"),
        re.IGNORECASE,
    )
    return bool(machine and _BOUNCE_SUBJECT.search(mail.subject or ""))


def analyse_bounce(mail: ParsedMail) -> Bounce:
    """Take the failed recipient, status, reason and original Message-ID out of a bounce."""
    report = "\n".join(mail.reports)
    diagnostic = _diagnostic(report) or mail.text
    status = _status(report) or _status(mail.text) or ""
    recipient = _recipient(report, mail.text)
    reason = classify(status, diagnostic)
    originals = tuple(dict.fromkeys(_ORIGINAL_ID.findall(report + "\n" + mail.text)))
    originals += tuple(i for i in mail.in_reply_to + mail.references if i not in originals)
    return Bounce(
        status=status,
        reason=reason,
        hard=reason in _HARD_REASONS and not status.startswith("4"),
        recipient=recipient,
        original_message_ids=originals,
    )


# Statuses specific enough to decide the reason whatever the text says.
_DECISIVE_STATUS = {
    "5.1.1": "userunknown",
    "5.1.2": "hostunknown",
    "5.1.6": "hasmoved",
    "4.2.2": "mailboxfull",
    "5.2.2": "mailboxfull",
    "5.3.4": "mesgtoobig",
    "5.7.25": "requireptr",
    "5.7.26": "authfailure",
    "5.7.27": "authfailure",
}


def classify(status: str, diagnostic: str) -> str:
    """The reason class for a DSN status and the server's diagnostic text."""
    if status in _DECISIVE_STATUS:
        return _DECISIVE_STATUS[status]
    for reason, pattern in _REASONS:
        if pattern.search(diagnostic or ""):
            return reason
    if status:
        detail = status.split(".", 1)[1] if "." in status else ""
        if detail in _STATUS_REASONS:
            return _STATUS_REASONS[detail]
    return "undefined"


def _status(text: str) -> str:
    field = re.search(r"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", text, re.I | re.M)
    if field:
        return field.group(1)
    found = [m.group(0) for m in _STATUS.finditer(text) if m.group(1) != "2"]
    if found:
        return found[0]
    code = _REPLY_CODE.search(text)
    if code:
        return f"{code.group(1)[0]}.0.0"
    return ""


def _diagnostic(report: str) -> str:
    found = re.findall(
        r"^Diagnostic-Code:\s*(.+(?:\n[ \t]+.+)*)", report, re.IGNORECASE | re.MULTILINE
    )
    return " ".join(" ".join(f.split()) for f in found)


def _recipient(report: str, text: str) -> str:
    for source in (report, text):
        found = _RECIPIENT_FIELD.search(source)
        if found:
            return found.group(1).strip().lower()
    for pattern in (_RECIPIENT_TEXT, _RECIPIENT_BARE):
        found = pattern.search(text)
        if found:
            return found.group(1).strip().lower()
    return ""


def bounce_ids(mail: ParsedMail) -> list[str]:
    return message_ids(" ".join(mail.in_reply_to + mail.references))

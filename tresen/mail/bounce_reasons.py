"""Reason classes for delivery failures, decided from the DSN status and the server's words. Pure.

The class names follow the vocabulary most bounce tools share (userunknown, mailboxfull,
hostunknown, expired, blocked, ...), so a report reads the same wherever it was made. The rules
are ours: the RFC 3463 status where its meaning is specific, the SMTP phase the failure came
in (RFC 5321: a refusal after DATA is about the content, one after MAIL FROM about the sender),
then phrases servers use, checked in order from the most specific to the most general.
"""

from __future__ import annotations

import re

# An RFC 3463 status whose subject.detail names one cause, whatever the text says.
_DECISIVE_STATUS = {
    "1.1": "userunknown",  # bad destination mailbox address
    "1.2": "hostunknown",  # bad destination system address
    "1.6": "hasmoved",  # destination mailbox has moved
    "1.7": "rejected",  # bad sender's mailbox address syntax
    "1.8": "rejected",  # bad sender's system address
    "2.2": "mailboxfull",  # mailbox full
    "3.4": "mesgtoobig",  # message too big for system
    "7.25": "requireptr",  # reverse DNS validation failed (RFC 8601 registry additions)
    "7.26": "authfailure",  # multiple authentication checks failed
    "7.27": "notaccept",  # sender address has null MX (RFC 7505)
}

# When neither the status nor the text decides: the meaning of subject.detail in RFC 3463.
_FALLBACK_STATUS = {
    "1.0": "userunknown",
    "1.3": "userunknown",
    "1.4": "userunknown",
    "1.10": "userunknown",
    "2.0": "suspend",
    "2.1": "suspend",
    "2.3": "exceedlimit",
    "2.4": "mailererror",
    "3.0": "systemerror",
    "3.1": "systemfull",
    "3.2": "systemerror",
    "3.3": "systemerror",
    "3.5": "systemerror",
    "4.1": "networkerror",
    "4.2": "networkerror",
    "4.3": "networkerror",
    "4.4": "networkerror",
    "4.5": "networkerror",
    "4.6": "networkerror",
    "4.7": "expired",
    "5.0": "syntaxerror",
    "5.1": "syntaxerror",
    "5.2": "syntaxerror",
    "5.3": "syntaxerror",
    "5.4": "syntaxerror",
    "5.5": "syntaxerror",
    "6.0": "contenterror",
    "7.0": "securityerror",
    "7.1": "rejected",
    "7.7": "securityerror",
    "7.13": "suspend",
}

# Phrases, most specific first. Each entry: (reason, patterns joined with "|").
_PHRASES: list[tuple[str, str]] = [
    ("virusdetected", r"virus|malware|infected"),
    ("blocked", r"black ?list|block ?list|\bdnsbl\b|\brbl\b|spamhaus"),
    (
        "spamdetected",
        r"\bspam\b|\bube\b|junk ?mail|bulk (e-?)?mail|message content rejected|"
        r"content rejected|classified as spam|spam ?(score|filter|detected)",
    ),
    ("requireptr", r"reverse dns|\bptr\b|rdns|no reverse|reverse (look ?up|hostname)"),
    (
        "authfailure",
        r"\bspf\b|\bdkim\b|\bdmarc\b|sender (address )?authentication|not authenticated",
    ),
    (
        "notaccept",
        r"null mx|does ?n[o']t (receive|accept) (e-?)?mail|"
        r"(couldn't|could not|can ?not) find a mail exchanger|no mx (record|host)",
    ),
    (
        "hostunknown",
        r"host (or domain name )?not found|unknown host|domain (not found|does not exist)|"
        r"no such domain|name service error|unrout(e)?able|"
        r"domain \S+ (couldn't|could not) be found|host unknown|"
        r"unknown (mail )?domain|domain (name )?(is )?(invalid|unknown)",
    ),
    (
        "mailboxfull",
        r"mailbox (is )?full|over ?quota|quota exceeded|exceed(ed|s)? (the |his |her )?"
        r"(storage|quota|mailbox)|insufficient (disk )?space|mailbox.*size limit|"
        r"postfach.*voll|mailbox (is )?over|too many messages|full mailbox",
    ),
    (
        "mesgtoobig",
        r"message (is )?too (big|large)|message size exceeds|exceeds .*message size|"
        r"size (of (the )?)?message .*exceed",
    ),
    (
        "suspend",
        r"suspended|account (is |has been )?disabled|(user|mailbox|account)s? .*disabled|"
        r"inactive|deactivated|(temporar(il)?y |account (is )?)locked|expired account|"
        r"not active|mailbox (is )?disabled",
    ),
    ("hasmoved", r"has moved|moved to"),
    (
        "userunknown",
        r"user unknown|unknown user|no such (user|mailbox|recipient|address|account)|"
        r"does ?n[o']t exist|not exist|invalid (recipient|mailbox|address|final delivery)|"
        r"recipient (address )?rejected|address rejected|"
        r"unknown (recipient|address|local[- ]part|mailbox)|mailbox (unavailable|not found)|"
        r"not a valid (mailbox|recipient|user)|user not found|account (does not exist|not found)|"
        r"unbekannt|undeliverable address|no mailbox here|not recogni[sz]ed|"
        r"doesn't have an? \S+ account|no valid recipients?|address not found|"
        r"recipient ?not ?found|(wasn't|was not) found at|address (couldn't|could not) be found|"
        r"unrouteable address|not listed in|no such person|mailbox does not|"
        r"is not a known user|recipient unknown|bad destination mailbox",
    ),
    (
        "expired",
        r"timed? ?out|retry time|too long in (the )?queue|in the queue too long|"
        r"not (been )?delivered within|delivery time|giving up|given up|"
        r"could not be delivered within|delayed|delivery failed \d+ attempts|aborted after|"
        r"could not send message for past|will retry|still being retried|deferred",
    ),
    ("toomanyconn", r"too many (connections|sessions|concurrent)"),
    ("speeding", r"rate limit|too many (messages|mails|recipients)|sending rate"),
    (
        "norelaying",
        r"relay(ing)? (access )?(denied|not permitted|prohibited)|not permitted to relay|"
        r"unable to relay|we do not relay",
    ),
    (
        "blocked",
        r"blocked|blacklist|block ?list|\brbl\b|dnsbl|\blisted\b|poor reputation|banned|"
        r"not allowed to send|access denied|client host rejected|after initial connection|"
        r"open relay|connection (was )?(rejected|refused) by|your ip|ip address",
    ),
    (
        "networkerror",
        r"connection (refused|reset)|network|unreachable|\bdns\b|lost connection|"
        r"host not reach|no route to host|establish an smtp connection",
    ),
    ("policyviolation", r"policy|polic(ies|y) violation"),
    (
        "systemerror",
        r"system error|internal error|local error|\bloop\b|transaction failed|"
        r"service (currently )?unavailable|config(uration)? error|could not load|"
        r"insufficient permission|duplicated message-id",
    ),
    ("filtered", r"filter|not accepted|refused"),
    ("rejected", r"reject|denied|sender"),
]
_RULES = [(reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in _PHRASES]

# Remote words that name a cause outside the mailbox: they beat a status the relaying MTA
# filled in generically (sendmail, for one, reports 5.1.1 for a refused client IP).
_STRONGER_THAN_STATUS = frozenset({"virusdetected", "blocked", "speeding"})

# Reasons that say the address itself is wrong: the only ones allowed to mark it undeliverable.
HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})

# Said about the mail or its sender, not about the recipient: a refusal after DATA or after
# MAIL FROM that reads "user unknown" does not prove the address is wrong.
_ADDRESS_REASONS = frozenset({"userunknown"})


def classify(status: str, diagnostic: str, phase: str = "") -> str:
    """The reason class for a DSN status, the server's diagnostic text and the SMTP phase.

    `phase` is "mail", "rcpt", "data" or "" (unknown): the SMTP command the refusal answered.
    """
    detail = status.split(".", 1)[1] if status.count(".") == 2 else ""
    if detail in ("1.7", "1.8") or phase == "mail":
        return "rejected"
    said = next((r for r, pattern in _RULES if pattern.search(diagnostic or "")), "")
    if said in _STRONGER_THAN_STATUS:
        return said
    if detail in _DECISIVE_STATUS:  # the reporting MTA has already judged the cause
        return _DECISIVE_STATUS[detail]
    if said:
        return _adjust_for_phase(said, phase)
    if detail in _FALLBACK_STATUS:
        return _FALLBACK_STATUS[detail]
    return "undefined"


def _adjust_for_phase(reason: str, phase: str) -> str:
    if phase == "data" and reason in _ADDRESS_REASONS:
        return "filtered"
    return reason


# Status details that agree with an address-level cause: X.1.x (addressing), X.4.4 (unable to
# route), X.7.27 (null MX), X.0.0 (unspecified) and none at all. Anything else (mailbox
# status, policy, content) contradicts the text, and then we do not mark the address.
_AGREEING_DETAIL = re.compile(r"1\.\d+|0\.0|4\.4|5\.0|7\.27")


def is_hard(status: str, reason: str) -> bool:
    """Permanent and about the address: a temporary (4.x.x) failure is never hard."""
    if reason not in HARD_REASONS or status.startswith("4"):
        return False
    detail = status.split(".", 1)[1] if status.count(".") == 2 else ""
    return not detail or _AGREEING_DETAIL.fullmatch(detail) is not None

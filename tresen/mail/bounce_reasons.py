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
    "2.3": "exceedlimit",  # message length exceeds administrative limit
    "3.2": "notaccept",  # system not accepting network messages
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
    # Directory-based edge blocking: the recipient is not in the receiving directory.
    ("userunknown", r"recipient address rejected: access denied"),
    ("rejected", r"permission to post|not a member of|only members (may|can) post"),
    ("policyviolation", r"content presents a potential|rejected for policy reasons"),
    ("blocked", r"black ?list|block ?list|\bdnsbl\b|\brbl\b|spamhaus|banned"),
    (
        "requireptr",
        r"reverse dns|\bptr\b|rdns|no reverse|reverse (look ?up|hostname)|missing reverse|"
        r"ip name lookup failed|mismatches client ip",
    ),
    (
        "notcompliantrfc",
        r"multiple addresses in from|not rfc ?5322 compliant|duplicate header|"
        r"multiple \S+ headers",
    ),
    ("failedstarttls", r"starttls|does not support (tls|secure)"),
    ("badreputation", r"reputation"),
    (
        "toomanyconn",
        r"too many (connections|sessions|concurrent|recipients)|connection rate|"
        r"frequency limited",
    ),
    ("speeding", r"rate limit|too many (messages|mails)|sending rate|receiving mail at a rate"),
    (
        "spamdetected",
        r"\bspam\b|\bube\b|junk ?mail|bulk (e-?)?mail|message content rejected|"
        r"content rejected|classified as spam|spam ?(score|filter|detected)",
    ),
    ("authfailure", r"\bspf\b|\bdkim\b|\bdmarc\b|sender (address )?authentication"),
    (
        "norelaying",
        r"relay(ing)? (access )?(denied|not permitted|prohibited)|not permitted to relay|"
        r"unable to relay|we do not relay|no relaying|not configured to relay|"
        r"insecure mail relay|address is not verified",
    ),
    (
        "securityerror",
        r"authentication (required|information)|unauthenticated|smtp authentication|"
        r"not authori[sz]ed|access denied",
    ),
    (
        "notaccept",
        r"null mx|does ?n[o']t (receive|accept) (e-?)?mail|no mx (record|host|found)|"
        r"(couldn't|could not|can ?not) find a mail exchanger|not accepting network messages|"
        r"mx or srv record indicat",
    ),
    (
        "hostunknown",
        r"host (or domain name )?not found|unknown host|domain (not found|does not exist)|"
        r"no such domain|unrout(e)?able|domain \S+ (couldn't|could not) be found|"
        r"host unknown|unknown (mail )?domain|invalid domain|illegal host|"
        r"domain is not reachable",
    ),
    (
        "mailboxfull",
        r"mailbox (is )?full|over ?quota|quota exceeded|exceed(ed|s)? (the |his |her )?"
        r"(storage|quota|mailbox)|mailbox.{0,40}size limit|postfach.{0,40}voll|mailbox (is )?over|"
        r"full mailbox|mailbox exceeds|messages in recipient's mailbox exceeded",
    ),
    ("systemfull", r"insufficient (disk|system) (space|storage)"),
    ("exceedlimit", r"exceeds administrative limit|recip ?size ?limit|size exceeds fixed"),
    (
        "mesgtoobig",
        r"message (is )?too (big|large)|message size exceeds|exceeds .{0,40}message size|"
        r"size (of (the )?)?message .{0,40}exceed|mail size limit",
    ),
    (
        "suspend",
        r"suspended|account (is |has been )?disabled|(user|mailbox|account)s? .{0,40}disabled|"
        r"inactive|deactivated|(temporar(il)?y |account (is )?)locked|expired account|"
        r"not active|mailbox (is )?(disabled|frozen)|account is blocked",
    ),
    ("hasmoved", r"has moved|moved to"),
    ("mailererror", r"mailer error|^x-unix;|pipe to \||procmail|response template"),
    ("systemerror", r"internal (system )?error|system error|local error"),
    ("contenterror", r"media error|improper use of 8-bit"),
    (
        "userunknown",
        r"user unknown|unknown user|no such (user|mailbox|recipient|address|account)|"
        r"does ?n[o']t exist|not exist|invalid (recipient|mailbox|address|final delivery)|"
        r"unknown (recipient|address|local[- ]part|mailbox)|mailbox (unavailable|not found)|"
        r"not a valid (mailbox|recipient|user)|user not found|account (does not exist|not found)|"
        r"unbekannt|undeliverable address|no mailbox here|not recogni[sz]ed|"
        r"doesn't have an? \S+ account|no valid recipients?|address not found|"
        r"recipient ?not ?found|(wasn't|was not) found at|address (couldn't|could not) be found|"
        r"unrouteable address|not listed in|no such person|mailbox does not|"
        r"is not a known user|recipient unknown|bad destination mailbox|"
        r"address rejected\.(\s|$)",
    ),
    (
        "networkerror",
        r"hop count exceeded|routing loop|mail loop|forwarded more than|"
        r"name service error|lookup failure|network error",
    ),
    (
        "expired",
        r"timed? ?out|retry time|too long in (the )?queue|in the queue too long|"
        r"not (been )?delivered within|delivery time|giving up|given up|"
        r"could not be delivered within|delayed|delivery failed \d+ attempts|aborted after|"
        r"could not send message for past|will retry|still being retried|deferred|"
        r"envelope expired|failing for a long time|did not accept our requests to connect|"
        r"multiple retries",
    ),
    (
        "blocked",
        r"blocked|\blisted\b|poor reputation|banned|not allowed to send|client host rejected|"
        r"after initial connection|open relay|connection (was )?(rejected|refused) by|your ip|"
        r"ip address|not accepting connections|service refused",
    ),
    (
        "networkerror",
        r"connection (refused|reset)|network|unreachable|\bdns\b|lost connection|"
        r"host not reach|no route to host|establish an smtp connection",
    ),
    (
        "policyviolation",
        r"polic(y|ies)|header error|protocol violation|content presents a potential",
    ),
    (
        "systemerror",
        r"\bloop\b|transaction failed|service (currently )?unavailable|"
        r"config(uration)? error|could not load|insufficient permission|duplicated message-id",
    ),
    ("filtered", r"filter|not accepted|refused"),
    ("rejected", r"reject|denied|sender"),
]
_RULES = [
    (reason, re.compile(pattern, re.IGNORECASE | re.MULTILINE)) for reason, pattern in _PHRASES
]

# Remote words that name a cause outside the mailbox: they beat a status the relaying MTA
# filled in generically (sendmail, for one, reports 5.1.1 for a refused client IP).
_STRONGER_THAN_STATUS = frozenset(
    {"virusdetected", "blocked", "speeding", "mailboxfull", "toomanyconn"}
)

_ABOUT_THE_SENDING_SIDE = frozenset(
    {
        "blocked",
        "securityerror",
        "authfailure",
        "requireptr",
        "norelaying",
        "badreputation",
        "policyviolation",
    }
)

# Reasons that say the address itself is wrong: the only ones allowed to mark it undeliverable.
HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})

# Said about the mail or its sender, not about the recipient: a refusal after DATA or after
# MAIL FROM that reads "user unknown" does not prove the address is wrong.
_ADDRESS_REASONS = frozenset({"userunknown"})


def classify(status: str, diagnostic: str, phase: str = "") -> str:
    """The reason class for a DSN status, the server's diagnostic text and the SMTP phase.

    `phase` is "connect", "mail", "rcpt", "data" (the SMTP step the refusal answered), "post"
    (a mailing list refused the poster) or "" (unknown).
    """
    detail = status.split(".", 1)[1] if status.count(".") == 2 else ""
    said = next((r for r, pattern in _RULES if pattern.search(diagnostic or "")), "")
    if phase == "connect":  # refused at the greeting: the client itself is not wanted
        return "blocked"
    if detail in ("1.7", "1.8") or phase in ("mail", "post"):
        # Refused for the sender; only a named cause about the sending side says more.
        return said if said in _ABOUT_THE_SENDING_SIDE else "rejected"
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

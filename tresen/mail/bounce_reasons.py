"""Reason classes for delivery failures, decided from the DSN status and the server's words. Pure.

The class names follow the vocabulary most bounce tools share (userunknown, mailboxfull,
hostunknown, expired, blocked, ...), so a report reads the same wherever it was made. The rules
are ours: the RFC 3463 status where its meaning is specific, the SMTP phase the failure came
in (RFC 5321: a refusal after DATA is about the content, one after MAIL FROM about the sender),
then phrases servers use, checked in order from the most specific to the most general.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    "7.13": "suspend",  # user account disabled (RFC 8601 registry additions)
    "7.25": "requireptr",  # reverse DNS validation failed
    "7.26": "authfailure",  # multiple authentication checks failed
    "7.27": "notaccept",  # sender address has null MX (RFC 7505)
}

# When neither the status nor the text decides: the meaning of subject.detail in RFC 3463.
_FALLBACK_STATUS = {
    "1.0": "userunknown",
    "1.3": "userunknown",
    "1.10": "userunknown",  # null MX for the recipient, or (Microsoft) not in the directory
    "1.4": "filtered",  # ambiguous: the receiving side could not pick one mailbox
    "2.0": "filtered",  # something about the mailbox, the address exists
    "2.1": "filtered",  # mailbox disabled, not accepting messages
    "2.4": "filtered",  # mailing list expansion problem
    "3.0": "systemerror",
    "3.1": "systemfull",
    "3.3": "systemerror",
    "3.5": "systemerror",
    "4.2": "networkerror",
    "4.3": "systemerror",  # directory server failure
    "4.4": "hostunknown",  # unable to route
    "4.5": "systemfull",  # mail system congestion
    "4.6": "networkerror",
    "4.7": "expired",
    "5.0": "syntaxerror",
    "5.1": "syntaxerror",
    "5.2": "syntaxerror",
    "5.3": "toomanyconn",  # too many recipients
    "5.4": "systemerror",
    "5.5": "systemerror",
    "7.1": "securityerror",
    "7.7": "securityerror",
}

# A subject whose detail is not listed above still says where the fault lies.
_FALLBACK_SUBJECT = {"6": "contenterror", "7": "securityerror"}


@dataclass(frozen=True)
class _Rule:
    reason: str
    pattern: re.Pattern[str]
    # "strong": beats the status; "weak": a generic word, the status decides first;
    # "user": a bare "no such user", which the phase and status may turn into "filtered".
    kind: str = ""


def _rule(reason: str, pattern: str, kind: str = "") -> _Rule:
    return _Rule(reason, re.compile(pattern, re.IGNORECASE | re.MULTILINE), kind)


# A directory or a provider saying the name is not there (not a generic "no such user").
_NAME_NOT_THERE = (
    r"recipient name is not recogni[sz]ed|not listed in (the |public )?\S+ "
    r"(directory|address book|name & address book)|not listed in domino|"
    r"address (couldn't|could not) be found|doesn't have an? \S+ account|"
    r"no valid recipients? for|is not a known user|bad destination mailbox|"
    r"final delivery userid|unknown user:|requested action not taken: mailbox unavailable|"
    r"no such (recipient|mailbox|address) here|"
    r"utilisateur inconnu|usuario (desconocido|no existe|inexistente)|"
    r"no existe (dicha persona|ese usuario)|usu[aá]rio (desconhecido|inexistente)|"
    r"utilizador desconhecido|utente (sconosciuto|inesistente)|"
    r"(benutzer|empf[aä]nger|postfach|adresse)\w* (ist )?unbekannt|"
    r"unbekannte[rs]? (benutzer|empf[aä]nger|adresse)|"
    r"(benutzer|empf[aä]nger|postfach)\w* .{0,20}nicht gefunden|"
    r"пользователь не найден|нет такого пользователя|"
    r"ユーザー.{0,40}(見つかりません|存在しません)|存在しないユーザ"
)
_NAME_NOT_THERE_RE = re.compile(_NAME_NOT_THERE, re.IGNORECASE)

# Phrases, most specific first.
_RULES: list[_Rule] = [
    _rule(
        "virusdetected",
        r"virus (detected|found|infected)|(contains?|infected with) (a )?(virus|malware|trojan)|"
        r"malware (detected|found)|virus-?infected|infected (attachment|file|message)|"
        # Mimecast: a virus signature or a spam score over its maximum.
        r"rejected due to security policies",
        "strong",
    ),
    # The recipient (or its provider's per-user filter) refused this sender or this mail:
    # "550 : User unknown" with an empty address is such a filter answer at au (KDDI).
    _rule(
        "filtered",
        r"recipient preferences|refuses? to (receive|accept) (this )?mail|user reject|"
        r"blocked by (the )?recipient|rejected by (the )?recipient(?! domain)|message filtered|"
        r"due to user rules|only accepting mail from specific|account is protected by|"
        r"has restricted sms e-?mail|not accepting any mail|\b5\d\d:?\s*:\s*user unknown",
        "strong",
    ),
    # Directory-based edge blocking: the recipient is not in the receiving directory.
    _rule("userunknown", r"recipient address rejected: access denied"),
    _rule(
        "rejected",
        r"permission to post|not a member of|only members (may|can) post|"
        r"purported responsible address|provide a valid from",
    ),
    # The envelope sender itself is listed: about the sender, not the client IP.
    _rule(
        "rejected",
        r"address that has been (black|block)listed|sender (address )?(is )?(black|block)listed",
    ),
    _rule("spamdetected", r"(black|block)listed (url|link)|\buribl\b|\bsurbl\b", "strong"),
    _rule(
        "policyviolation",
        r"content presents a potential|rejected for policy reasons|host network not allowed",
    ),
    _rule(
        "requireptr",
        r"reverse dns|\bptr\b|rdns|no reverse|reverse (look ?up|hostname)|missing reverse|"
        r"ip name lookup failed|mismatches client ip|unverifiable sending ip|"
        r"unverifyable sending ip",
    ),
    _rule(
        "hostunknown",
        r"account or domain may not exist|host \S+ not found|domain name not found",
    ),
    _rule(
        "blocked",
        r"black ?list|block ?list|\bdnsbl\b|\brbl\b|spamhaus|banned|smtp server of your isp|"
        r"invalid ip for sending|dynamic ip|dial-?up|residential ip|open relay|no access from|"
        r"client host blocked|ip source bloqu|aup#\w*rbl\b|"
        # A remote host refusing our connections (our own host refusing is no block).
        r"connection (was )?(rejected|refused) by (?!\[?(127\.|::1\b|localhost\b))",
        "strong",
    ),
    _rule(
        "rejected",
        r"sender (address )?rejected|sender verify failed|invalid sender|emetteur invalide",
    ),
    _rule(
        "notcompliantrfc",
        r"multiple addresses in from|not rfc ?5322 compliant|duplicate header|"
        r"multiple \S+ headers|multiple (\S+ ){0,3}addresses in from",
    ),
    _rule("failedstarttls", r"starttls (is )?required|does not support (tls|secure)|tls required"),
    _rule("badreputation", r"reputation|user complaints"),
    _rule(
        "speeding",
        r"(?<!connection )rate limit|too many (messages|mails)|sent to too many recipients|"
        r"too many recipients (this|per|in the last)|sending rate|receiving mail at a rate",
        "strong",
    ),
    _rule(
        "toomanyconn",
        r"too many (connections|sessions|concurrent|recipients)|connection rate|"
        r"frequency limited",
        "strong",
    ),
    _rule(
        "spamdetected",
        r"\bspam\b|\bube\b|junk ?mail|bulk (e-?)?mail|message content rejected|"
        r"content rejected|classified as spam|spam ?(score|filter|detected)",
    ),
    _rule(
        "authfailure",
        r"\bspf\b|\bdkim\b|\bdmarc\b|sender (address )?authentication|"
        r"unauthenticated (e-?mail|message)|does not have authentication information",
    ),
    _rule(
        "norelaying",
        r"relay(ing)? (access )?(denied|not permitted|prohibited)|not permitted to relay|"
        r"unable to relay|we do not relay|no relaying|not configured to relay|"
        r"insecure mail relay|address is not verified",
    ),
    _rule(
        "securityerror",
        r"authentication (required|information)|unauthenticated|smtp authentication|"
        r"not authori[sz]ed",
    ),
    _rule(
        "notaccept",
        r"null mx|does ?n[o']t (receive|accept) (e-?)?mail|no mx (record|host|found)|"
        r"(couldn't|could not|can ?not) find a mail exchanger|not accepting network messages|"
        r"mx or srv record indicat",
    ),
    _rule(
        "hostunknown",
        r"host (or domain name )?not found|unknown host|domain (not found|does not exist)|"
        r"\b5\d\d[ -](?:[a-z0-9-]+\.)+[a-z]{2,} does not exist|"
        r"no such domain|unrout(e)?able (domain|address)|domain \S+ (couldn't|could not) be found|"
        r"host unknown|unknown (mail )?domain|invalid domain|illegal host|"
        r"domain is not reachable|domain \S+ (existiert nicht|nicht gefunden)|"
        r"dom[aí]nio (inexistente|n[aã]o existe)|dominio (inexistente|no existe)|"
        r"домен не найден|domaine inexistant",
    ),
    _rule(
        "mailboxfull",
        r"mailbox (is )?full|over ?quota|quota exceeded|exceed(ed|s)? (the |his |her )?"
        r"(storage|quota|mailbox)|mailbox.{0,40}size limit|postfach.{0,40}voll|mailbox (is )?over|"
        r"full mailbox|mailbox exceeds|messages in recipient's mailbox exceeded|"
        r"mail ?folder is full|not enough (disk )?space|insufficient (storage|space) for user|"
        r"bo[iî]te (aux lettres |du destinataire )?pleine|buz[oó]n (lleno|completo)|"
        r"caixa (postal )?cheia|cota (de armazenamento )?excedida|ящик переполнен|"
        r"превышен.{0,20}квот|"
        r"メールボックス.{0,10}(いっぱい|容量.{0,10}超)",
        "strong",
    ),
    _rule("systemfull", r"insufficient (disk|system) (space|storage)"),
    _rule("exceedlimit", r"exceeds administrative limit|recip ?size ?limit|size exceeds fixed"),
    _rule(
        "mesgtoobig",
        r"message (is )?too (big|large)|message size exceeds|exceeds .{0,40}message size|"
        r"size (of (the )?)?message .{0,40}exceed|mail size limit|line limit exceeded",
    ),
    _rule(
        "suspend",
        r"suspended|account (is |has been )?disabled|(user|mailbox|account)s? .{0,40}disabled|"
        r"inactive|deactivated|(temporar(il)?y |account (is )?)locked|expired account|"
        r"not active|mailbox (is )?(disabled|frozen)|account is blocked|"
        r"disabled recipient|discontinued",
    ),
    _rule("hasmoved", r"has moved|moved to"),
    _rule("mailererror", r"^x-unix;", "strong"),  # a local delivery program failed
    _rule("systemerror", r"internal (system )?error|system error|local error"),
    _rule("contenterror", r"media error|improper use of 8-bit|headers? too (large|long|many)"),
    # A directory or provider saying the name is not there: these hold whatever the phase.
    _rule("userunknown", _NAME_NOT_THERE),
    # A bare "no such user": proven only by the RCPT phase or an addressing status.
    _rule(
        "userunknown",
        r"user unknown|unknown user|no such (user|mailbox|recipient|address|account)|"
        r"does ?n[o']t exist|not exist|invalid (recipient|mailbox|address)|"
        r"unknown (recipient|address|local[- ]part|mailbox)|mailbox (unavailable|not found)|"
        r"not a valid (mailbox|recipient|user)|user not found|account (does not exist|not found)|"
        r"undeliverable address|no mailbox here|not recogni[sz]ed|no valid recipients?|"
        r"address not found|recipient ?not ?found|(wasn't|was not) found at|"
        r"not listed in|no such person|mailbox does not|"
        r"recipient unknown|address rejected\.(\s|$)",
        "user",
    ),
    _rule(
        "networkerror",
        r"hop count exceeded|routing loop|mail loop|forwarded more than|"
        r"name service error|lookup failure|network error|"
        r"establish an smtp connection|no route to host",
    ),
    _rule("systemerror", r"(contact|reach) (the )?ldap server|directory server (failure|down)"),
    _rule(
        "expired",
        r"timed? ?out|retry time|too long in (the )?queue|in the queue too long|"
        r"not (been )?delivered within|delivery time|giving up|given up|"
        r"could not be delivered within|delayed|delivery failed \d+ attempts|aborted after|"
        r"could not send message for past|will retry|still being retried|deferred|"
        r"envelope expired|failing for a long time|did not accept our requests to connect|"
        r"multiple retries|will be retried|message expired|queue\.expired",
    ),
    _rule(
        "blocked",
        r"blocked|bloqu[eé]e?|\blisted\b|poor reputation|not allowed to send|"
        r"client host rejected|after initial connection|open relay|"
        r"connection (was )?(rejected|refused) by|your ip|ip address|not accepting connections|"
        r"service refused|service refus[eé]",
    ),
    _rule(
        "networkerror",
        r"connection (refused|reset)|network|unreachable|not reachable|\bdns\b|"
        r"lost connection|host not reach",
    ),
    _rule(
        "syntaxerror",
        r"syntax error|command (parameter )?not implemented|command unrecognized|"
        r"bad sequence of commands|malformed (recipient )?address",
    ),
    _rule(
        "policyviolation",
        r"polic(y|ies)|header error|protocol violation|content presents a potential",
    ),
    _rule(
        "systemerror",
        r"\bloop\b|transaction failed|service (currently )?unavailable|"
        r"config(uration)? error|could not load|insufficient permission|duplicated message-id",
    ),
    # A local program named without a cause: after the system errors, which say more.
    _rule("mailererror", r"mailer error|pipe to \||procmail|response template"),
    _rule("filtered", r"(?<!-)filter|not accepted|refused", "weak"),
    # Generic refusals ("access denied" too): the status says more when it has a meaning.
    _rule("rejected", r"reject|denied|sender", "weak"),
]

_ABOUT_THE_SENDING_SIDE = frozenset(
    {
        "blocked",
        "authfailure",
        "requireptr",
        "norelaying",
        "badreputation",
        "policyviolation",
        "spamdetected",
        "virusdetected",
        "securityerror",
    }
)
# Causes a server may give at MAIL FROM that are about the mail or the server, not the sender.
_NAMED_AT_MAIL_FROM = _ABOUT_THE_SENDING_SIDE | {
    "mesgtoobig",
    "exceedlimit",
    "systemfull",
    "toomanyconn",
    "speeding",
    "systemerror",
}
# Before any command: only the client itself (its IP, name, reputation, rate) is judged.
_NAMED_AT_CONNECT = frozenset(
    {"requireptr", "badreputation", "toomanyconn", "speeding", "spamdetected"}
)

# What one recipient's mailbox says of itself: in a report on several recipients the first
# recipient's statement comes first, so among these the earliest in the text is the one.
_PER_MAILBOX = frozenset({"userunknown", "mailboxfull", "suspend", "filtered"})


def _said(text: str) -> tuple[_Rule | None, int]:
    """The first rule (in order) the text matches, and where."""
    for rule in _RULES:
        found = rule.pattern.search(text)
        if found:
            return rule, found.start()
    return None, -1


# Orange (OFR) and La Poste (LPN) append a numbered code to every refusal; the number names
# the cause even where the words ("service refused, please try later") do not.
_ORANGE_CODE = re.compile(r"\b(?:ofr|lpn)\w{0,8}_(\d{3})\b", re.IGNORECASE)
_ORANGE_CAUSES = {
    "101": "blocked",  # sending IP on a block list
    "102": "blocked",
    "103": "blocked",
    "104": "toomanyconn",
    "401": "authfailure",  # SPF
    "405": "rejected",  # invalid sender
    "415": "rejected",
    "416": "userunknown",
    "417": "mailboxfull",
    "420": "suspend",  # archived recipient
    "426": "suspend",  # recipient account blocked
    "505": "systemerror",  # temporary refusal after DATA
    "506": "spamdetected",
    "510": "blocked",
    "514": "mesgtoobig",
    "517": "authfailure",  # DMARC
    "630": "policyviolation",  # client host rejected by policy
}


# Spectrum (Charter) answers with "AUP#I" (incoming) or "AUP#O" (outgoing) and a number whose
# published ranges name the cause.
_SPECTRUM_CODE = re.compile(r"\baup#[io]n?-?(\d{4})\b", re.IGNORECASE)
_SPECTRUM_RANGES = (
    (1000, 1000, "blocked"),  # sending IP blocked for suspicious activity
    (1100, 1150, "requireptr"),  # no full-circle DNS for the sending IP
    (1200, 1250, "blocked"),  # IP on Cloudmark or Spamhaus lists
    (1300, 1340, "toomanyconn"),  # concurrent or total connection limits
    (1350, 1490, "speeding"),  # message and recipient volume limits
    (1530, 1530, "mesgtoobig"),
)


def _vendor_cause(text: str) -> str:
    found = _ORANGE_CODE.search(text)
    if found:
        return _ORANGE_CAUSES.get(found.group(1), "")
    found = _SPECTRUM_CODE.search(text)
    number = int(found.group(1)) if found else 0
    return next((reason for low, high, reason in _SPECTRUM_RANGES if low <= number <= high), "")


def cause_kind(text: str) -> str:
    """How telling the first phrase is: "strong", "", "user", "weak"; "none" without one."""
    if _vendor_cause(text):
        return "strong"
    rule = _said(text)[0]
    return rule.kind if rule is not None else "none"


def names_a_cause(text: str) -> bool:
    """Whether any phrase rule matches: words that name nothing leave the decision to others."""
    return _said(text)[0] is not None or bool(_vendor_cause(text))


def _earliest_per_mailbox(text: str, rule: _Rule, at: int) -> _Rule:
    """Among per-mailbox statements, the one about the first recipient listed."""
    if rule.reason not in _PER_MAILBOX:
        return rule
    best, best_at = rule, at
    for other in _RULES:
        if other.reason in _PER_MAILBOX and other.kind != "weak" and other is not rule:
            found = other.pattern.search(text[:best_at])
            if found:
                best, best_at = other, found.start()
    return best


def classify(status: str, diagnostic: str, phase: str = "", context: str = "") -> str:
    """The reason class for a DSN status, the server's words and the SMTP phase (see _classify).

    A name server that could not answer for now (4.x.x) proves no domain missing.
    """
    reason = _classify(status, diagnostic, phase, context)
    return "networkerror" if reason == "hostunknown" and status.startswith("4") else reason


def _classify(status: str, diagnostic: str, phase: str, context: str) -> str:
    """The reason class for a DSN status, the server's diagnostic text and the SMTP phase.

    `phase` is "connect", "mail", "rcpt", "data" (the SMTP step the refusal answered), "post"
    (a mailing list refused the poster) or "" (unknown). `context` is the rest of the notice:
    it may confirm that a bare "no such user" is about the address.
    """
    detail = status.split(".", 1)[1] if status.count(".") == 2 else ""
    vendor = _vendor_cause(diagnostic or "")
    if vendor:
        return vendor
    rule, at = _said(diagnostic or "")
    if rule is not None:
        rule = _earliest_per_mailbox(diagnostic, rule, at)
    said = rule.reason if rule else ""
    if phase == "connect":  # refused at the greeting: the client itself is not wanted
        return said if said in _NAMED_AT_CONNECT else "blocked"
    if detail in ("1.7", "1.8") or phase in ("mail", "post"):
        # Refused for the sender; only a named cause about the sending side says more.
        return said if said in _NAMED_AT_MAIL_FROM else "rejected"
    if rule is not None and rule.kind == "strong":
        return said
    if rule is not None and rule.kind == "user":
        return _unknown_user(detail, phase, context)
    if detail in _DECISIVE_STATUS:  # the reporting MTA has already judged the cause
        return _DECISIVE_STATUS[detail]
    if rule is not None and (rule.kind != "weak" or not _by_status(status)):
        return said
    return _by_status(status) or "undefined"


def _by_status(status: str) -> str:
    """The class the status alone suggests."""
    detail = status.split(".", 1)[1] if status.count(".") == 2 else ""
    return _FALLBACK_STATUS.get(detail) or _FALLBACK_SUBJECT.get(detail[:1], "")


def _unknown_user(detail: str, phase: str, context: str) -> str:
    """A bare "no such user" is about the address only at RCPT or with an addressing status.

    Otherwise (after DATA, or phase and status silent) the receiving side refused the mail for
    this recipient without proving the address wrong: content filters and per-user rules
    answer that way.
    """
    if detail in _DECISIVE_STATUS and _DECISIVE_STATUS[detail] != "userunknown":
        return _DECISIVE_STATUS[detail]
    if phase == "rcpt" or detail.startswith("1.") or _NAME_NOT_THERE_RE.search(context):
        return "userunknown"
    if _RECIPIENT_LIST_GATEWAY.search(context):
        return "userunknown"
    if phase == "data" and detail in ("", "0.0") and _SENDER_FILTER_AT_DATA.search(context):
        return "rejected"
    return "filtered"


# Gateways that check each recipient against the customer's registered address list.
_RECIPIENT_LIST_GATEWAY = re.compile(r"messagelabs\.com|email security\.cloud", re.IGNORECASE)
# NTT docomo answered "550 Unknown user" after DATA when the recipient's own filter refused
# the sender (the address exists; it is the sender that is unwanted).
_SENDER_FILTER_AT_DATA = re.compile(r"\bdocomo\.ne\.jp\b", re.IGNORECASE)


# Reasons that say the address itself is wrong: the only ones allowed to mark it undeliverable.
HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})


def is_hard(status: str, reason: str) -> bool:
    """Permanent and about the address: a temporary (4.x.x) failure is never hard.

    The reason already weighed the status and the SMTP phase (a bare "user unknown" that
    neither the RCPT phase nor an addressing status confirms is `filtered`, which is soft).
    """
    return reason in HARD_REASONS and not status.startswith("4")

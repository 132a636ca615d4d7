"""Delivery failures: standard DSN reports and the common non-standard text bounces. Pure.

From a bounce we want the address that failed, the DSN status, a reason class, whether it is
permanent (hard), and the Message-ID of the mail that bounced, to find its ticket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tresen.mail.bounce_reasons import cause_kind, classify, is_hard, names_a_cause
from tresen.mail.parsing import ParsedMail, message_ids

_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|undelivered|delivery (status notification|failure|has failed|problem)|"
    r"failure notice|returned mail|mail delivery (failed|failure|system)|"
    r"non[- ]?delivery|nondeliverable|unzustellbar|nicht zustellbar|"
    r"delivery notification|could not be delivered|mail system error|"
    r"message not delivered|returned to sender|rejected|warning: could not send|"
    r"mail failure|(failed|failure) delivery|delayed|still being retried|"
    r"error sending|errors from)",
    re.IGNORECASE,
)
# Mailer daemons that give no telling subject still say what happened in the first lines.
_BOUNCE_NOTICE = re.compile(
    r"did not reach the following recipient|(could ?n[o']t|could not|cannot) be delivered|"
    r"unable to deliver|was not delivered|delivery (has )?failed|permanent (fatal )?error|"
    r"transcript of session|undeliverable|not be delivered",
    re.IGNORECASE,
)
_MACHINE = re.compile(
    r"\b(mailer-daemon|postmaster|post_master|mail-daemon|mailerdaemon|maildaemon|"
    r"mail\.?delivery\.?(system|subsystem)|double-bounce)\b",
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
    machine = (
        mail.return_path == ""
        or _MACHINE.search(mail.header("from"))
        or _MACHINE.search(mail.return_path or "")
    )
    if not machine:
        return False
    return bool(
        _BOUNCE_SUBJECT.search(mail.subject or "")
        or _BOUNCE_NOTICE.search(_notice(mail.text)[:2048])
    )


def analyse_bounce(mail: ParsedMail) -> Bounce:
    """Take the failed recipient, status, reason and original Message-ID out of a bounce."""
    report, text = _report_and_text(mail)
    notice = _notice(text)
    diagnostic = _diagnostic(report)
    status = _status(report, diagnostic + "\n" + notice) or _status(notice, notice)
    failed = mail.header("x-failed-recipients").split(",")[0].strip().lower()
    recipient = _recipient(report, text) or failed
    phase = _phase(notice + "\n" + diagnostic)
    if not status and failed.endswith("@googlegroups.com"):
        phase = "post"  # a discussion group refusing the poster, in the poster's language
    subject = _SUBJECT_NOISE.sub(" ", mail.subject[:1024])
    delayed = _DELAYED.search(report) is not None
    reason = _reason(status, phase, (diagnostic, notice, subject), delayed)
    originals = tuple(dict.fromkeys(_ORIGINAL_ID.findall(report + "\n" + text)))
    originals += tuple(i for i in mail.in_reply_to + mail.references if i not in originals)
    return Bounce(
        status=status,
        reason=reason,
        hard=is_hard(status, reason),
        recipient=recipient,
        original_message_ids=originals,
    )


_DELAYED = re.compile(r"^Action:\s*delayed", re.IGNORECASE | re.MULTILINE)


_EMBEDDED_REPORT = re.compile(r"^Final-Recipient:.*\n(?:.+\n){0,6}?Status:", re.I | re.M)


def _report_and_text(mail: ParsedMail) -> tuple[str, str]:
    """The delivery report and the body text, bounded.

    A multipart whose declared boundary never occurs reaches us as one undivided part: its
    raw text then holds both the notice and the report.
    """
    report, text = "\n".join(mail.reports)[:_SCAN_LIMIT], mail.text[:_SCAN_LIMIT]
    if not report and _EMBEDDED_REPORT.search(text):
        return text, text  # a bounce forwarded as plain text still carries its report fields
    if report or text.strip():
        return report, text
    blob = next((a.data for a in mail.attachments if a.content_type.startswith("multipart/")), b"")
    raw = blob[:_SCAN_LIMIT].decode("utf-8", "replace")
    report_starts = re.search(r"^Reporting-MTA:", raw, re.IGNORECASE | re.MULTILINE)
    return raw, raw[: report_starts.start()] if report_starts else raw


# Subjects every Postfix or Exim bounce carries: they name no cause.
_SUBJECT_NOISE = re.compile(r"return(ed|ing)( mail| message)? to sender", re.IGNORECASE)


def _reason(status: str, phase: str, texts: tuple[str, str, str], delayed: bool) -> str:
    """The first text (diagnostic, notice, subject) that names a cause decides.

    Without one: the status and phase; a delay warning is `expired`; words that say nothing
    classifiable are `onhold`.
    """
    context = texts[1] + "\n" + texts[2]
    # A bare "user unknown" or a generic word says less than a named cause in the notice.
    if cause_kind(texts[0]) in ("user", "weak") and cause_kind(texts[1]) == "strong":
        return classify(status, texts[1], phase, context)
    for words in texts:
        if names_a_cause(words):
            return classify(status, words, phase, context)
    reason = classify(status, "", phase)
    if delayed and reason not in ("blocked", "rejected"):
        return "expired"
    if reason == "undefined" and (texts[0] + texts[1]).strip():
        return "onhold"
    return reason


# Where a text bounce starts quoting the mail that failed: its words are not the server's.
_QUOTE_START = re.compile(
    r"^[ \t]*+(?:>[ \t]?)*+(-+ ?(original message|returned message|unsent message|below this line)|"
    r".*original message follows|.*message (headers )?follows|"
    r"-+ ?this is a copy|content-type: message/rfc822|"
    r"(received|return-path|dkim-signature|authentication-results): )",
    re.IGNORECASE | re.MULTILINE,
)
_NOTICE_LIMIT = 16 * 1024  # bounded work per message: the explanation comes first
_SCAN_LIMIT = 64 * 1024  # the report and the returned headers follow within this


def _notice(text: str) -> str:
    """The mailer's own explanation: the body up to where the returned mail begins."""
    text = text[:_NOTICE_LIMIT]
    found = _QUOTE_START.search(text)
    return _SES_TITLE.sub(r"\1", text[: found.start()] if found else text)


_PHASE = re.compile(
    r"(?:in\s+reply\s+to\s+(?:end\s+of\s+)?|>>> |did not like our |"
    r"server\s+after\s+(?:end\s+of\s+)?|server for |smtp command:?\s*)"
    r"(mail\s+from|rcpt(?:\s+to)?|data|text)\b",
    re.I,
)
# qmail, Yahoo and others name the refused step in words of their own.
_QMAIL_PHASE = re.compile(
    r"(sender was rejected)|(does not like recipient|rcpt to response|smtp:rcpt|\[rcpt_to\])",
    re.I,
)


# "550 <address>: User unknown" / "Recipient address rejected": the answer to RCPT TO,
# which names the recipient it refuses (Postfix smtpd and others).
_RECIPIENT_REPLY = re.compile(
    r"<[^<>\s@]+@[^<>\s]+>:\s*(user unknown|recipient address rejected)", re.IGNORECASE
)
_CONNECT_PHASE = re.compile(
    r"after\s+initial\s+connection|during greeting|server after (ehlo|helo)\b|"
    r"my name was rejected|refused\s+to\s+talk\s+to\s+me",
    re.I,
)


def _phase(text: str) -> str:
    """The SMTP command the remote server refused first, when the bounce says so."""
    if _CONNECT_PHASE.search(text):
        return "connect"
    found = _PHASE.search(text)
    phase = found.group(1).split()[0].lower() if found else ""
    if not phase:
        qmail = _QMAIL_PHASE.search(text)
        phase = ("mail" if qmail.group(1) else "rcpt") if qmail else ""
    if not phase and _RECIPIENT_REPLY.search(text):
        phase = "rcpt"
    if phase == "text":  # Exim's and 1&1's name for the message content step
        phase = "data"
    return phase


# An enhanced code right after an SMTP reply code is the remote server's own (RFC 2034).
_REPLIED_STATUS = re.compile(r"\b[45]\d\d[ -]'?([245]\.\d{1,3}\.\d{1,3})\b")


def _status(fields: str, text: str) -> str:
    """The RFC 3464 Status field; a more specific code in the text beats a bare X.0.0."""
    field = re.search(r"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", fields, re.I | re.M)
    text = text[:_NOTICE_LIMIT]
    replied = [m.group(1) for m in _REPLIED_STATUS.finditer(text) if m.group(1)[0] != "2"]
    found = replied + [m.group(0) for m in _STATUS.finditer(text) if m.group(1) != "2"]
    if field:
        status = field.group(1)
        if replied and replied[0] == status:  # the remote server itself said no more
            return status
        specific = [f for f in found if f[0] == status[0] and not f.endswith(".0.0")]
        return specific[0] if status.endswith(".0.0") and specific else status
    if found:
        return found[0]
    code = _REPLY_CODE.search(text)
    if code:
        return f"{code.group(1)[0]}.0.0"
    return ""


# Amazon SES puts the RFC 3463 title of its own status before the remote server's answer
# ("5.1.0 - Unknown address error 550-'...'"): the title is not the remote's words.
_SES_TITLE = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3}) - [a-z][a-z ]{0,60}?(?= [245]\d\d[ -])", re.I)


def _diagnostic(report: str) -> str:
    """The first recipient's Diagnostic-Code (unfolded): the one the recipient field names."""
    found = re.search(
        r"^Diagnostic-Code:\s*(.+(?:\n[ \t]+.+)*)", report, re.IGNORECASE | re.MULTILINE
    )
    return _SES_TITLE.sub(r"\1", " ".join(found.group(1)[:_NOTICE_LIMIT].split())) if found else ""


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

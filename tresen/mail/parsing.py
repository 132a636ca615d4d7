"""Raw mail bytes to a `ParsedMail`: pure (no database, no network), survives broken mail.

Structure comes from the compat32 parser, which never raises on headers it cannot read;
headers and bodies are decoded here (charsets.py). HTML is sanitised by the allow-list before
it leaves this module. Limits (size, parts, depth, header length, recipients) raise
`MailLimitExceeded` with the reason intake records.
"""

from __future__ import annotations

import binascii
import email.parser
import email.policy
import email.utils
import mimetypes
import re
from dataclasses import dataclass, field
from email.message import Message

from tresen.core.html import html_to_text, sanitise_html
from tresen.mail.charsets import decode_bytes, decode_header_value


@dataclass(frozen=True)
class MailLimits:
    max_bytes: int = 40 * 1024 * 1024
    max_parts: int = 500
    max_depth: int = 20
    max_header_chars: int = 16 * 1024
    max_recipients: int = 200


class MailLimitExceeded(Exception):
    """The message is beyond a configured limit; `reason` says which one."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class Unparseable(Exception):
    """Nothing usable could be taken out of the message."""


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedMail:
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    return_path: str | None = None
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    # Every header, decoded and length-limited, lower-case names: what postmaster filters see.
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # Delivery reports and returned headers, kept for bounce analysis.
    reports: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        """The first header of that name, or ''."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k == lowered), "")

    def header_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self.headers if k == lowered]


_MSGID = re.compile(r"<[^<>\s]+>")


def message_ids(value: str) -> list[str]:
    """The Message-IDs in a References or In-Reply-To header, angle brackets kept."""
    found = _MSGID.findall(value or "")
    if not found and value.strip() and " " not in value.strip():
        found = [f"<{value.strip().strip('<>')}>"]
    return found


_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    """getaddresses, or a plain pattern search where the stdlib gives up (it recurses)."""
    joined = [v[:4096] for v in values]
    try:
        return email.utils.getaddresses(joined)
    except Exception:
        return [("", found) for v in joined for found in _ADDRESS.findall(v)]


def addresses(values: list[str], limit: int) -> list[str]:
    result: list[str] = []
    for _name, address in _pairs(values):
        address = address.strip().strip("<>").lower()
        if "@" in address and address not in result:
            result.append(address)
    return result[:limit]


def parse_message(raw: bytes, limits: MailLimits | None = None) -> ParsedMail:
    """Parse raw message bytes; raise MailLimitExceeded or Unparseable when it cannot be used."""
    limits = limits or MailLimits()
    if len(raw) > limits.max_bytes:
        raise MailLimitExceeded("too large")
    message = _structure(raw)
    parsed = ParsedMail()
    _read_headers(message, parsed, limits)
    _Walker(parsed, limits).walk(message, depth=0)
    if not parsed.text and parsed.html:
        parsed.text = html_to_text(parsed.html)
    if not (parsed.headers or parsed.text or parsed.attachments):
        raise Unparseable("no headers and no content")
    return parsed


_CHUNK = 256 * 1024
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:[ \t]")


def _feed(raw: bytes) -> Message:
    # Fed in slices: parsebytes() would first make one str of the whole message and a
    # StringIO of it, several times the message's size for a large attachment.
    parser = email.parser.BytesFeedParser(policy=email.policy.compat32)
    view = memoryview(raw)
    for start in range(0, len(raw), _CHUNK):
        parser.feed(bytes(view[start : start + _CHUNK]))
    return parser.close()


def _structure(raw: bytes) -> Message:
    """The MIME structure; when the first line is garbage (so the parser saw no headers at
    all), parse again from the first line that looks like a header."""
    try:
        message = _feed(raw)
        if message.keys() or not raw:
            return message
        lines = raw[:8192].splitlines(keepends=True)
        skipped = 0
        for line in lines[:5]:
            if _HEADER_LINE.match(line):
                return _feed(raw[skipped:])
            skipped += len(line)
        return message
    except Exception as exc:  # the parser should not raise, but real mail finds ways
        raise Unparseable(f"parser failed: {exc.__class__.__name__}") from exc


def _read_headers(message: Message, parsed: ParsedMail, limits: MailLimits) -> None:
    for name, value in message.raw_items():
        text = decode_header_value(value)
        if len(text) > limits.max_header_chars:
            parsed.defects.append(f"header {name.lower()} truncated")
            text = text[: limits.max_header_chars]
        parsed.headers.append((str(name).strip().lower(), text))
    parsed.subject = " ".join(parsed.header("subject").split())
    name, address = (_pairs([parsed.header("from")]) or [("", "")])[0]
    if "@" not in address:
        name, address = (_pairs([parsed.header("sender")]) or [("", "")])[0]
    parsed.from_name = name.strip().strip('"')
    parsed.from_address = address.strip().lower() if "@" in address else ""
    parsed.to = addresses(parsed.header_all("to"), limits.max_recipients)
    parsed.cc = addresses(parsed.header_all("cc"), limits.max_recipients)
    parsed.delivered_to = addresses(
        parsed.header_all("delivered-to") + parsed.header_all("x-original-to"),
        limits.max_recipients,
    )
    if "return-path" in (k for k, _ in parsed.headers):
        return_path = parsed.header("return-path").strip()
        parsed.return_path = return_path.strip("<> ").lower()
    ids = message_ids(parsed.header("message-id"))
    parsed.message_id = ids[0][:500] if ids else ""
    parsed.in_reply_to = message_ids(parsed.header("in-reply-to"))[:50]
    parsed.references = message_ids(parsed.header("references"))[-50:]


class _Walker:
    """Walks the MIME tree once, collecting body text, HTML and attachments."""

    def __init__(self, parsed: ParsedMail, limits: MailLimits) -> None:
        self.parsed = parsed
        self.limits = limits
        self.parts = 0

    def walk(self, part: Message, depth: int) -> None:
        self.parts += 1
        if self.parts > self.limits.max_parts:
            raise MailLimitExceeded("too many parts")
        if depth > self.limits.max_depth:
            raise MailLimitExceeded("too deeply nested")
        content_type = part.get_content_type()
        if content_type == "message/rfc822" or (
            content_type.startswith("message/") and isinstance(part.get_payload(), list)
        ):
            self._forwarded(part, content_type)
        elif part.is_multipart():
            payload = part.get_payload()
            for child in payload if isinstance(payload, list) else []:
                if isinstance(child, Message):
                    self.walk(child, depth + 1)
        else:
            self._leaf(part, content_type)

    def _forwarded(self, part: Message, content_type: str) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            self.parsed.reports.append(_as_text(part))
            return
        # A forwarded message sent base64-encoded arrives as a plain payload, not parsed.
        data = _message_bytes(inner) if isinstance(inner, Message) else _payload_bytes(part)
        if content_type not in ("message/rfc822", "message/external-body", "message/global"):
            self.parsed.reports.append(decode_bytes(data))
            return
        subject = (
            decode_header_value(_raw_header(inner, "subject")) if isinstance(inner, Message) else ""
        )
        self.parsed.reports.append(decode_bytes(data[: 64 * 1024]))
        name = _file_name(part) or (_safe_stem(subject) or "forwarded message") + ".eml"
        self._attach(name, content_type, data, part)

    def _leaf(self, part: Message, content_type: str) -> None:
        data = _payload_bytes(part)
        name = _file_name(part)
        disposition = _disposition(part)
        if content_type in ("message/delivery-status", "text/rfc822-headers"):
            self.parsed.reports.append(decode_bytes(data, part.get_content_charset()))
            self._attach(
                name or _generated_name(content_type, self.parts), content_type, data, part
            )
            return
        is_body = (
            content_type in ("text/plain", "text/html") and disposition != "attachment" and not name
        )
        if is_body:
            text = decode_bytes(data, part.get_content_charset())
            if content_type == "text/plain":
                self.parsed.text = f"{self.parsed.text}\n\n{text}" if self.parsed.text else text
            else:
                clean = sanitise_html(text)
                self.parsed.html = f"{self.parsed.html}\n{clean}" if self.parsed.html else clean
            return
        is_tnef = content_type == "application/ms-tnef" or (name or "").lower() == "winmail.dat"
        if is_tnef and self._tnef(data):
            return
        self._attach(name or _generated_name(content_type, self.parts), content_type, data, part)

    def _tnef(self, data: bytes) -> bool:
        from tresen.mail.tnef import extract_tnef

        extracted = extract_tnef(data)
        if extracted is None:
            self.parsed.defects.append("winmail.dat could not be read; kept as is")
            return False
        body, files = extracted
        if body and not self.parsed.text:
            self.parsed.text = body
        self.parsed.attachments.extend(files)
        return True

    def _attach(self, name: str, content_type: str, data: bytes, part: Message) -> None:
        content_id = decode_header_value(_raw_header(part, "content-id")).strip().strip("<>")
        disposition = _disposition(part)
        self.parsed.attachments.append(
            ParsedAttachment(
                filename=name,
                content_type=content_type,
                data=data,
                content_id=content_id[:255],
                inline=bool(content_id) and disposition != "attachment",
            )
        )


def _raw_header(part: Message, name: str) -> str:
    """The header as it came (8-bit bytes surrogate-escaped), not compat32's lossy Header."""
    lowered = name.lower()
    return next((str(v) for k, v in part.raw_items() if k.lower() == lowered), "")


def _disposition(part: Message) -> str:
    return str(part.get("content-disposition") or "").split(";")[0].strip().lower()


def _payload_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    encoding = str(part.get("content-transfer-encoding") or "").strip().lower()
    if encoding == "base64" and isinstance(payload, str):
        # Decoded in one pass (line breaks skipped by binascii): the standard library splits
        # the payload into lines first, several times its size for a large attachment.
        try:
            return binascii.a2b_base64(payload)
        except (binascii.Error, ValueError):
            pass  # bad padding or 8-bit garbage: the lenient decoder below copes
    try:
        data = part.get_payload(decode=True)
    except Exception:  # broken base64 or quoted-printable: keep what is there
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _message_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes(policy=email.policy.compat32)
    except Exception:
        try:
            return message.as_string(policy=email.policy.compat32).encode("utf-8", "replace")
        except Exception:
            return b""


def _as_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n\n".join(
            "\n".join(f"{k}: {decode_header_value(v)}" for k, v in block.items())
            for block in payload
            if isinstance(block, Message)
        )
    return decode_bytes(_payload_bytes(part))


def _file_name(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # an RFC 2231 value the parser did not collapse
        name = email.utils.collapse_rfc2231_value(name)
    name = decode_header_value(name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip()[:255]


def _safe_stem(text: str) -> str:
    return re.sub(r"[^\w .,()-]+", "_", text).strip(" ._")[:100]


def _generated_name(content_type: str, index: int) -> str:
    if content_type == "text/calendar":
        return "invitation.ics"
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"part-{index}{extension}"

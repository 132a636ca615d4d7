"""Outgoing messages put together with the standard `email` package: pure, no database.

Everything that ends up in a header passes through here. Values that came from people (ticket
titles, names, Message-IDs of inbound mail) never carry CR, LF or other control characters
into a header: they are folded to spaces, or dropped where a syntax is required.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime, getaddresses

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")
_MESSAGE_ID = re.compile(r"^<[!#-;=?-~]{1,250}@[!#-;=?-~]{1,250}>$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,75}$")
# Headers the outbox writes itself; a caller's `headers` may not replace them.
RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "message-id",
        "date",
        "reply-to",
        "sender",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
    }
)
MAX_REFERENCES = 10


@dataclass(frozen=True)
class FilePart:
    filename: str
    content_type: str
    data: bytes
    # An image the HTML refers to as `cid:<content_id>`; sent inline, next to the HTML.
    content_id: str = ""


def header_text(value: str, *, limit: int = 500) -> str:
    """Return `value` as one header line: control characters folded to single spaces."""
    return " ".join(_CONTROL.sub(" ", value or "").split())[:limit]


def header_name(name: str) -> str:
    """Return a caller's header name if it is a plain token and not one the outbox owns."""
    if not _HEADER_NAME.match(name or "") or name.lower() in RESERVED_HEADERS:
        raise ValueError(f"The header name {name!r} cannot be set.")
    return name


def mailbox(address: str) -> str:
    """Return the bare, lower-case addr-spec of `address` ("Name <a@b>" or "a@b")."""
    if _CONTROL.search(address or ""):
        raise ValueError("An address cannot contain control characters.")
    parsed = getaddresses([address or ""])
    if len(parsed) != 1 or not parsed[0][1]:
        raise ValueError(f"{address!r} is not one e-mail address.")
    spec = parsed[0][1].strip().lower()
    try:
        validate_email(spec)
    except DjangoValidationError:
        raise ValueError(f"{address!r} is not an e-mail address.") from None
    return spec


def named_address(name: str, address: str) -> str:
    """Return a From/Reply-To value with a display name, quoted and encoded as needed."""
    spec = mailbox(address)
    local, _, domain = spec.rpartition("@")
    return str(Address(display_name=header_text(name, limit=100), username=local, domain=domain))


def new_message_id(domain: str) -> str:
    """Return a fresh Message-ID: 128 random bits at our own domain, nothing else inside."""
    safe_domain = re.sub(r"[^a-z0-9.-]", "", (domain or "").lower()) or "tresen.invalid"
    return f"<{secrets.token_hex(16)}@{safe_domain}>"


def valid_message_id(value: str) -> str | None:
    """Return a Message-ID from inbound mail if it is well-formed, else None."""
    candidate = (value or "").strip()
    return candidate if _MESSAGE_ID.match(candidate) else None


def thread_headers(previous_ids: Sequence[str]) -> dict[str, str]:
    """Return In-Reply-To and References for a mail that follows `previous_ids` (oldest first).

    References keeps the first message (the thread's root) and the latest ones, so the header
    stays short on long tickets and mail programs still find the thread.
    """
    ids = [i for i in (valid_message_id(v) for v in previous_ids) if i]
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    return {"In-Reply-To": ids[-1], "References": " ".join(ids)}


def tagged_subject(subject: str, tag: str) -> str:
    """Return the subject with the ticket tag `[tag]` in front, unless it carries it already."""
    clean = header_text(subject, limit=400)
    if not tag:
        return clean
    marker = f"[{tag}]"
    return clean if marker in clean else header_text(f"{marker} {clean}")


def build_message(
    *,
    message_id: str,
    from_address: str,
    to: Iterable[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: str = "",
    language: str = "",
    headers: dict[str, str] | None = None,
    date: datetime.datetime | None = None,
    attachments: Sequence[FilePart] = (),
    policy: Policy = email_policy.default,
) -> EmailMessage:
    """Return the complete message, multipart where HTML or files go with the text."""
    message = EmailMessage(policy=policy)
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date or datetime.datetime.now(datetime.UTC))
    message["From"] = from_address
    message["To"] = ", ".join(to)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = header_text(subject)
    for name, value in (headers or {}).items():
        message[header_name(name)] = header_text(value, limit=2000)
    message.set_content(text or "\n")
    if html:
        message.add_alternative(html, subtype="html")
    html_part = message.get_body(("html",)) if html else None
    for part in attachments:
        maintype, _, subtype = (part.content_type or "application/octet-stream").partition("/")
        maintype, subtype = maintype or "application", subtype or "octet-stream"
        filename = header_text(part.filename, limit=255) or "attachment"
        content_id = valid_message_id(f"<{part.content_id.strip('<>')}>")
        if html_part is not None and part.content_id and content_id:
            html_part.add_related(
                part.data,
                maintype=maintype,
                subtype=subtype,
                filename=filename,
                cid=content_id,
                disposition="inline",
            )
        else:
            message.add_attachment(part.data, maintype=maintype, subtype=subtype, filename=filename)
    if language:  # after the body: setting content drops every Content-* header
        message["Content-Language"] = header_text(language, limit=16)
    return message

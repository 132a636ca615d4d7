"""Signed reply addresses: `helpdesk+t<ticket id>-<signature>@example.com`.

The signature binds the ticket id to this installation's SECRET_KEY, so a sender cannot attach
mail to a ticket by guessing its id or number (the number is shown to people; the id is
short). 80 bits of HMAC-SHA256, written in lower-case base32 because some mail servers fold
the case of local parts. Keys in SECRET_KEY_FALLBACKS still verify, so rotating the key does
not orphan replies to mail that was sent before.
"""

from __future__ import annotations

import base64
import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "tresen.mail.reply_address"
_SIGNATURE_BYTES = 10  # 80 bits
_SIGNATURE_CHARS = 16  # base32 of 10 bytes, no padding
_TOKEN = re.compile(r"\+t(?P<ticket>[0-9]{1,18})-(?P<signature>[a-z2-7]{16})$")


def _signature(ticket_id: int, secret: str | bytes) -> str:
    digest = salted_hmac(_SALT, f"ticket:{ticket_id}", secret=secret, algorithm="sha256").digest()
    return base64.b32encode(digest[:_SIGNATURE_BYTES]).decode("ascii").lower()


def make_reply_address(ticket_id: int, base_address: str) -> str:
    """Return `base_address` with the signed token of `ticket_id` added to its local part."""
    if ticket_id <= 0:
        raise ValueError("A ticket id is a positive integer.")
    local, at, domain = base_address.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError("The base address needs a local part and a domain.")
    return f"{local}+t{ticket_id}-{_signature(ticket_id, settings.SECRET_KEY)}@{domain}"


def parse_reply_address(address: str) -> int | None:
    """Return the ticket id of a signed reply address, or None if it carries no valid token."""
    local = (address or "").strip().strip("<>").rpartition("@")[0].lower()
    found = _TOKEN.search(local)
    if found is None:
        return None
    ticket_id = int(found["ticket"])
    if ticket_id <= 0:
        return None
    given = found["signature"]
    valid = False
    # Check every key without stopping early, so timing says nothing about which one matched.
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        valid |= constant_time_compare(given, _signature(ticket_id, secret))
    return ticket_id if valid else None

"""Files out of winmail.dat (Outlook's TNEF), so people get the documents instead of a blob."""

from __future__ import annotations

import mimetypes

from tresen.mail.charsets import decode_bytes
from tresen.mail.parsing import ParsedAttachment


def extract_tnef(data: bytes) -> tuple[str, list[ParsedAttachment]] | None:
    """Return (body text, files) of a TNEF blob, or None when it cannot be read."""
    try:
        from tnefparse import TNEF

        tnef = TNEF(data)
    except Exception:  # tnefparse raises on many kinds of damage; the caller keeps the blob
        return None
    files: list[ParsedAttachment] = []
    for index, item in enumerate(getattr(tnef, "attachments", []) or [], start=1):
        try:
            name = item.long_filename() or item.name or f"attachment-{index}"
            payload = item.data
        except Exception:  # noqa: S112 (one damaged attachment must not cost the others)
            continue
        if isinstance(name, bytes):
            name = decode_bytes(name)
        if not isinstance(payload, bytes):
            continue
        name = str(name).replace("\x00", "").strip() or f"attachment-{index}"
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        files.append(ParsedAttachment(filename=name, content_type=content_type, data=payload))
    body = ""
    raw_body = getattr(tnef, "body", None)
    if isinstance(raw_body, bytes):
        body = decode_bytes(raw_body)
    elif isinstance(raw_body, str):
        body = raw_body
    if not files and not body:
        return None
    return body.strip(), files

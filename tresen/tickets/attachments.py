"""Attachment content: type detected from the bytes, stored once by SHA-256, size-limited."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tresen.core.errors import ValidationError
from tresen.core.rows import insert_row_unless_conflict
from tresen.tickets.models import Blob

# Signatures of the types we accept, checked against the first bytes of the content.
_MAGIC: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"RIFF", 0, "image/webp"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),
    (b"\x78\x9f\x3e\x22", 0, "application/ms-tnef"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
]
# Content that runs somewhere: refused whatever the name says.
_EXECUTABLE: list[bytes] = [b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!"]
# Names that Windows or a desktop runs on a double click, even when the content is plain text
# (scripts) or a zip (jar): refused by name, since the person downloading sees only the name.
_EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "dll", "cpl", "hta", "jar",
        "js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "lnk", "reg", "sh", "app",
        "apk", "deb", "rpm", "appimage", "iso", "img", "vhd", "scf", "url", "desktop",
    }
)  # fmt: skip
# Containers whose real type is given by the file name (Office documents are zip or OLE).
_CONTAINERS = {"application/zip", "application/x-ole-storage"}


@dataclass(frozen=True)
class DetectedType:
    content_type: str
    executable: bool


def detect_type(data: bytes) -> DetectedType:
    head = data[:16]
    binary = b"\x00" in data[:64]
    for signature in _EXECUTABLE:
        # Two-byte signatures ("MZ") also start ordinary text; programs have NULs early on.
        if head.startswith(signature) and (binary or signature == b"#!"):
            return DetectedType("application/x-executable", True)
    for signature, offset, content_type in _MAGIC:
        if head[offset:].startswith(signature):
            if content_type == "image/webp" and data[8:12] != b"WEBP":
                continue
            if content_type == "image/bmp" and data[6:10] != b"\x00\x00\x00\x00":
                continue
            return DetectedType(content_type, False)
    sample = data[:4096]
    if b"\x00" not in sample:
        try:
            sample.decode("utf-8")
            return DetectedType("text/plain", False)
        except UnicodeDecodeError:
            if not any(b < 9 for b in sample):
                return DetectedType("text/plain", False)
    return DetectedType("application/octet-stream", False)


def checked_content_type(filename: str, claimed: str, data: bytes) -> str:
    """Return the content type to store; raise ValidationError when content contradicts name.

    The name's type is trusted only where the content agrees with it (a PDF named .pdf, an
    Office document that is a zip) or where the content is opaque but harmless.
    """
    detected = detect_type(data)
    extension = filename.rpartition(".")[2].lower().strip() if "." in filename else ""
    if detected.executable or extension in _EXECUTABLE_EXTENSIONS:
        raise ValidationError(
            _("“%(name)s” is a program; programs are not accepted as attachments.")
            % {"name": filename}
        )
    by_name = mimetypes.guess_type(filename)[0] or claimed or "application/octet-stream"
    if detected.content_type in ("application/octet-stream",):
        return "application/octet-stream"
    if detected.content_type == "text/plain":
        # Text is harmless as a download; keep text-like names' types, never HTML or SVG.
        if by_name in ("text/html", "image/svg+xml", "application/xhtml+xml"):
            return "text/plain"
        return (
            by_name
            if by_name.startswith("text/") or by_name.endswith(("json", "xml"))
            else "text/plain"
        )
    if detected.content_type in _CONTAINERS:
        return by_name if by_name.startswith("application/") else detected.content_type
    if by_name.startswith("image/") and detected.content_type.startswith("image/"):
        return detected.content_type
    if by_name != detected.content_type and by_name not in ("application/octet-stream",):
        raise ValidationError(
            _("“%(name)s” does not contain what its name says (%(kind)s).")
            % {"name": filename, "kind": detected.content_type}
        )
    return detected.content_type


def check_sizes(sizes: list[int]) -> None:
    """Raise ValidationError when a file or the article's files together are too large."""
    limit = settings.TRESEN_MAX_ATTACHMENT_BYTES
    for size in sizes:
        if size > limit:
            raise ValidationError(
                _("A file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            )
    total_limit = settings.TRESEN_MAX_ARTICLE_ATTACHMENT_BYTES
    if sum(sizes) > total_limit:
        raise ValidationError(
            _("The files together are larger than %(limit)s.")
            % {"limit": filesizeformat(total_limit)}
        )


def store_blob(data: bytes, content_type: str) -> Blob:
    """Return the Blob holding `data`, writing the file only if this content is new."""
    digest = hashlib.sha256(data).hexdigest()
    existing = Blob.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    blob = Blob(sha256=digest, size=len(data), content_type=content_type)
    # Generated storage name: the hash, never the sender's file name.
    blob.file.save(f"{digest[:2]}/{digest}", ContentFile(data), save=False)
    # Stored concurrently by another writer: theirs is the row (no savepoint needed).
    return insert_row_unless_conflict(blob) or Blob.objects.get(sha256=digest)

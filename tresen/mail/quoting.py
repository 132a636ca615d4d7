"""Where the new text of a reply ends: quoted history and signatures, marked but kept.

Pure. Returns the offset at which the collapsible part starts; the display collapses what
follows and the full text stays in the article.
"""

from __future__ import annotations

import re

# Reply markers of the common clients in English and German. Each must sit on its own line.
_MARKERS = [
    re.compile(r"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Forwarded message)\s*-{2,}"),
    re.compile(r"^_{10,}\s*$"),
    re.compile(r"^On .{4,200}(wrote|writes):\s*$", re.DOTALL),
    re.compile(r"^Am .{4,200}(schrieb|schreibt) .{0,200}:\s*$", re.DOTALL),
    re.compile(r"^(From|Von): .+\n(\s*\n)?(Sent|Gesendet|Date|Datum): ", re.MULTILINE),
    re.compile(r"^>"),
]
_SIGNATURE = re.compile(r"^-- ?$")
# Every marker starts with one of these; lines that do not are skipped cheaply.
_STARTS = ("-", "_", "On ", "Am ", "From:", "Von:", ">")


def split_reply(text: str) -> int | None:
    """Return the offset where quoted history or the signature begins, or None."""
    lines = text.splitlines(keepends=True)
    offset = 0
    for index, line in enumerate(lines):
        stripped = line.rstrip("\r\n")
        if not stripped.startswith(_STARTS):
            offset += len(line)
            continue
        # "On ... wrote:" is often wrapped onto two lines by the sending client.
        window = stripped + (
            "\n" + lines[index + 1].rstrip("\r\n") if index + 1 < len(lines) else ""
        )
        if (
            _SIGNATURE.match(stripped)
            or any(marker.match(stripped) or marker.match(window) for marker in _MARKERS)
        ) and text[:offset].strip():
            return offset
        offset += len(line)
    return None

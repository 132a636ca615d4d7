"""Snippets as safe HTML: the database marks matches with control characters, we escape the rest.

The text of a snippet comes from mail and is untrusted. The database is asked to wrap matches in
START and STOP (characters that cannot occur in indexed text: `index.clean_text` removes them),
and only here do they become `<mark>` tags, after everything else was escaped.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

START = "\x02"
STOP = "\x03"
ELLIPSIS = "…"


def snippet_html(marked: str) -> SafeString:
    """Escape `marked` and turn its START/STOP pairs into <mark> elements."""
    parts: list[str] = []
    open_mark = False
    for chunk in _split_markers(marked or ""):
        if chunk == START:
            if not open_mark:
                parts.append("<mark>")
                open_mark = True
        elif chunk == STOP:
            if open_mark:
                parts.append("</mark>")
                open_mark = False
        else:
            parts.append(escape(chunk))
    if open_mark:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above was escaped


def _split_markers(text: str) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    for char in text:
        if char in (START, STOP):
            if current:
                chunks.append("".join(current))
                current = []
            chunks.append(char)
        else:
            current.append(char)
    if current:
        chunks.append("".join(current))
    return chunks


def has_match(marked: str) -> bool:
    return START in (marked or "")

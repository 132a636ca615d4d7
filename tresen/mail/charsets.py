"""Text out of mail bytes whatever the sender declared: wrong, missing or unknown charsets.

Pure functions, no database. Headers arrive as str with surrogate escapes for raw 8-bit bytes
(the compat32 parser keeps them that way); bodies arrive as bytes.
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header

# Names seen in real mail that Python does not know, or knows as something narrower than
# what the senders really used.
_ALIASES = {
    "unknown-8bit": "cp1252",
    "x-unknown": "cp1252",
    "unknown": "cp1252",
    "iso-8859-1": "cp1252",  # senders who say Latin-1 mostly mean Windows-1252
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "x-mac-roman": "mac_roman",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-user-defined": "cp1252",
}
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def codec_for(charset: str | None) -> str | None:
    """Return a Python codec for a declared charset, or None if it is unusable."""
    if not charset:
        return None
    name = charset.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode body bytes: the declared charset if it fits, else UTF-8, else Windows-1252.

    NUL characters are dropped: no database text column takes them, and they mean nothing.
    """
    return _decode_bytes(data, declared).replace("\x00", "")


def _decode_bytes(data: bytes, declared: str | None) -> str:
    codec = codec_for(declared)
    if codec and codec not in ("cp1252", "utf-8"):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec and codec != "utf-8":
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace")


def _raw_text(value: str) -> str:
    """Turn surrogate-escaped 8-bit header bytes into text (UTF-8 first, then Windows-1252)."""
    try:
        value.encode("ascii")
        return value
    except UnicodeEncodeError:
        pass
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return decode_bytes(data)


def decode_header_value(value: object) -> str:
    """Decode a header: RFC 2047 encoded words, raw 8-bit bytes, folded lines."""
    if value is None:
        return ""
    text = _raw_text(str(value))
    if _ENCODED_WORD.search(text):
        try:
            pieces = decode_header(text)
        except Exception:  # malformed encoded words: keep the text as it came
            pieces = [(text, None)]
        out: list[str] = []
        for piece, charset in pieces:
            if isinstance(piece, bytes):
                out.append(decode_bytes(piece, charset))
            else:
                out.append(piece)
        # decode_header keeps unencoded runs verbatim, including the whitespace that
        # separated them from encoded words.
        text = "".join(out)
    text = re.sub(r"\r?\n[ \t]+", " ", text)
    if text.isprintable():  # nearly every header: no need to look at each character
        return text.strip()
    return "".join(ch if ch.isprintable() or ch == "\t" else " " for ch in text).strip()

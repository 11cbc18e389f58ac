"""Bytes to text: `decode`, with the charset detection browsers would do.

Tries, in order: a byte-order mark; the declared charset (e.g. from HTTP); an HTML
``<meta charset>`` / http-equiv or XML declaration in the first few KB; UTF-8; and detection with
charset-normalizer. Binary data is refused with an InputError.
"""

from __future__ import annotations

import codecs
import logging
import re

import charset_normalizer

from index.errors import InputError

log = logging.getLogger(__name__)

_BINARY = "this looks like a binary file, not text"

# UTF-32 LE before UTF-16 LE: its BOM starts with the same two bytes.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# What browsers (the WHATWG Encoding Standard) actually use for some declared charsets: a page
# declaring ISO-8859-1 or ASCII is in practice windows-1252, and so on. Keys: codecs.lookup names.
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
_WIDE_CODECS = ("utf-16", "utf-32")  # prefixes: these contain NUL bytes by design

# <meta charset="x">, <meta http-equiv="Content-Type" content="text/html; charset=x">, and the
# XML declaration of XHTML pages.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_SNIFF_BYTES = 8192

# C0 control bytes that never occur in text (tab, newlines, form feed and ESC excluded) and DEL.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x84\x86-\x9f]")
_MAX_CONTROL_RATIO = 0.05

# Detected encodings never to believe without a BOM or a declaration: wide encodings (we refuse NUL
# bytes without one) and EBCDIC code pages, which fit short Western texts by accident.
_UNLIKELY_DETECTIONS = frozenset({"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"})
# A detection within this much "chaos" of the best one is as good; windows-1252 then wins, being
# by far the most common legacy encoding of the (mostly English and Western) articles we get.
_CHAOS_TOLERANCE = 0.1
# A text with this many well-formed non-ASCII UTF-8 characters per damaged place is UTF-8.
_UTF8_PER_DAMAGE = 2


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text.

    Tries, in order: a byte-order mark; the declared charset (e.g. from HTTP); an HTML
    ``<meta charset>`` / http-equiv or XML declaration in the first few KB; UTF-8; and detection
    with charset-normalizer. Raises InputError for binary data (NUL bytes, many control
    characters, or no plausible encoding).
    """
    text = _decode(data, declared)
    if text and len(_CONTROL_CHARS.findall(text)) > _MAX_CONTROL_RATIO * len(text):
        raise InputError(_BINARY)
    return text


def _decode(data: bytes, declared: str | None) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                break  # a stray BOM: carry on as if there were none
    if declared and _codec_name(declared).startswith(_WIDE_CODECS):
        text = _decode_as(data, declared)
        if text is not None:
            return text
    if b"\x00" in data or _count_control_bytes(data) > _MAX_CONTROL_RATIO * len(data):
        raise InputError(_BINARY)
    for label in (declared, _sniff_charset(data[:_SNIFF_BYTES])):
        if label:
            text = _decode_as(data, label)
            if text is not None:
                return text
    text = _decode_utf8(data)
    if text is not None:
        return text
    return _detect(data)


def _codec_name(label: str) -> str:
    try:
        return codecs.lookup(label.strip()).name
    except (LookupError, ValueError):
        return ""


def _decode_as(data: bytes, label: str) -> str | None:
    """Decode with a declared charset (or its usual superset); None if it does not fit."""
    name = _codec_name(label)
    if not name:
        log.debug("unknown charset label %r", label)
        return None
    for codec in (_SUPERSETS.get(name), name):
        if codec is None:
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):  # LookupError: not a text codec (e.g. base64)
            continue
    return None


def _sniff_charset(head: bytes) -> str | None:
    """The charset an HTML/XHTML document declares in its markup, if any."""
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii")
    # A document whose markup we could read as ASCII is not UTF-16/32, whatever it says (WHATWG).
    return "utf-8" if _codec_name(label).startswith(_WIDE_CODECS) else label


def _count_control_bytes(data: bytes) -> int:
    return len(data) - len(data.translate(None, _CONTROL_BYTES))


def _decode_utf8(data: bytes) -> str | None:
    """UTF-8, forgiving a character cut off at the end or a few damaged bytes in a UTF-8 text.

    A text with at least as many well-formed UTF-8 characters beyond ASCII as damaged places
    is UTF-8 with damage (each damaged place becomes U+FFFD). In legacy 8-bit and multi-byte
    encodings nearly every byte beyond ASCII is malformed UTF-8, and well-formed sequences occur
    only by accident, so those texts go on to detection.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.reason == "unexpected end of data" and err.start >= len(data) - 3:
            text = data[: err.start].decode("utf-8")  # valid up to the first error
            if not text.isascii():  # other UTF-8 characters: the last one was cut off
                return text
    lenient = data.decode("utf-8", errors="replace")
    damaged = lenient.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(lenient) - len(lenient.encode("ascii", "ignore")) - damaged
    if non_ascii >= _UTF8_PER_DAMAGE * damaged:
        return lenient
    return None


def _detect(data: bytes) -> str:
    matches = [
        m
        for m in charset_normalizer.from_bytes(data)
        if m.encoding not in _UNLIKELY_DETECTIONS
        and not m.encoding.startswith(("utf_16", "utf_32"))
    ]
    if not matches:
        raise InputError(_BINARY)
    best = matches[0]
    for match in matches:
        if match.chaos <= best.chaos + _CHAOS_TOLERANCE and "cp1252" in match.could_be_from_charset:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                break
    return str(best)

"""One-line messages for users, shared by `index.web` and `index.ingest`.

Untrusted text (a file name, a host, a header) shown safely, sizes in words, and the one
wording of "too large" for files, uploads and pages.
"""

from __future__ import annotations

import math

_KB = 1024
_MB = 1024 * 1024


def show(text: object, limit: int = 80, *, keep_end: bool = False) -> str:
    """Untrusted text made safe for a one-line message.

    Unprintable characters become "?"; text longer than `limit` is cut with "…", keeping its
    start, or with `keep_end` its end (a path, whose file name is what matters).
    """
    shown = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    if len(shown) <= limit:
        return shown
    return "…" + shown[-(limit - 1) :] if keep_end else shown[: limit - 1] + "…"


def size_text(size: int, *, round_up: bool) -> str:
    """A size in MB to one decimal (rounded up for a size, down for a limit); small ones in KB."""
    if size < _KB:
        return f"{size} bytes"
    tenths = size * 10 / _MB
    if tenths < 1:
        return f"{size / _KB:.0f} KB"
    return f"{(math.ceil(tenths) if round_up else math.floor(tenths)) / 10:g} MB"


def too_large(what: str, limit: int, size: int | None = None) -> str:
    """'big.txt is too large (10.1 MB); the limit is 10 MB'; without the size when unknown."""
    known = f" ({size_text(size, round_up=True)})" if size is not None else ""
    return f"{what} is too large{known}; the limit is {size_text(limit, round_up=False)}"

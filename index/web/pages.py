"""What a fetch is, without fetching: its limits (`FetchSettings`), the page it brings
(`Fetched`), its error and the parsing of a Content-Type header.

Apart from `index.web.fetch` so that what only reads, adds files or asks never imports aiohttp
(a seventh of the command line's start-up); `fetch` is imported when a link is first fetched.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.errors import InputError
from index.web.messages import show

_MB = 1024 * 1024

DEFAULT_USER_AGENT = "citebot/0.1 (+https://github.com/citebot; article fetcher)"


@dataclass(frozen=True)
class FetchSettings:
    """Limits of a fetch; `allow_private` (tests, intranets) allows connecting to any address."""

    connect_timeout: float = 10.0  # seconds, DNS lookup and TCP/TLS connect of one hop
    total_timeout: float = 30.0  # seconds, the whole fetch: every hop and the body
    max_bytes: int = 10 * _MB  # the decoded (decompressed) body
    max_redirects: int = 5
    allow_private: bool = False
    user_agent: str = DEFAULT_USER_AGENT


@dataclass(frozen=True)
class Fetched:
    """A fetched page."""

    url: str  # the final URL after redirects (normalized)
    content_type: str | None  # the media type, e.g. "text/html" (no parameters)
    charset: str | None  # from the Content-Type header, if any
    data: bytes  # decoded (decompressed) body, <= max_bytes
    etag: str | None = None  # the validators the server gave, to ask next time whether the
    last_modified: str | None = None  # page changed (`fetch(..., validators=...)`)
    not_modified: bool = False  # it did not: 304 Not Modified, no body


class FetchError(InputError):
    """A page could not be fetched; the message is one line a user can act on."""


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """'text/html; charset="UTF-8"' -> ('text/html', 'UTF-8'); None for what is not given.

    The media type is lower-cased; the first non-empty charset counts. Both are made safe to
    show in a message (they come from a server or an upload).
    """
    if not value:
        return None, None
    mime, *params = value.split(";")
    charset = None
    for param in params:
        key, _, raw = param.partition("=")
        if key.strip().lower() == "charset" and charset is None:
            charset = show(raw.strip(" \t\"'"), 40) or None
    return show(mime.strip().lower(), 100) or None, charset

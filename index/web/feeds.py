"""Feeds: parsing RSS and Atom feeds (`parse_feed`) and finding the feed a page links to
(`discover_feed`).

Both are pure: parsing is feedparser's (given bytes, it never fetches anything itself), and every
fetch goes through `index.web.fetch` with the same safety rules as any link. Polling is
`Library.poll_feeds`; the bot runs it on a schedule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

log = logging.getLogger(__name__)

MAX_ENTRIES_PER_POLL = 30  # the newest entries of a feed considered in one poll
MAX_TITLE = 200  # characters of a feed's title kept (a remote feed's title has no limit)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


@dataclass(frozen=True)
class Entry:
    """One entry of a feed: a link to an article."""

    key: str  # the entry's id, or else its link
    url: str
    title: str | None


@dataclass(frozen=True)
class ParsedFeed:
    """A feed as read: its title and its newest entries."""

    title: str | None
    entries: list[Entry]


def parse_feed(data: bytes) -> ParsedFeed | None:
    """A feed's title and entries (newest first, as feeds list them), or None if `data` is not
    an RSS or Atom feed."""
    import feedparser  # imported when first needed

    parsed: Any = feedparser.parse(data)
    if not parsed.get("version"):
        return None
    entries = []
    for item in parsed.entries[:MAX_ENTRIES_PER_POLL]:
        link = item.get("link")
        if not isinstance(link, str) or not link.strip():
            continue
        key = item.get("id") or link
        entries.append(Entry(str(key), link.strip(), item.get("title")))
    return ParsedFeed(_title(parsed.feed.get("title")), entries)


def _title(title: object) -> str | None:
    """A feed's title on one line, at most `MAX_TITLE` characters; None when it has none."""
    if not isinstance(title, str):
        return None
    text = " ".join(title[: MAX_TITLE * 4].split())
    if len(text) > MAX_TITLE:
        text = text[: MAX_TITLE - 1].rstrip() + "…"
    return text or None


class _FeedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name: (value or "") for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        feed_type = values.get("type", "").lower() in _FEED_TYPES
        if "alternate" in rel and feed_type and values.get("href"):
            self.links.append(values["href"])


def discover_feed(html: str, base_url: str) -> str | None:
    """The first feed a page links to (``<link rel="alternate" type="application/rss+xml">``)."""
    finder = _FeedLinks()
    try:
        finder.feed(html)
    except Exception:  # a broken page has no feed we can trust
        return None
    return urljoin(base_url, finder.links[0]) if finder.links else None


@dataclass(frozen=True)
class FeedReport:
    """What one poll of one feed did."""

    feed_id: int
    url: str
    added: int
    failed: int
    error: str | None  # the feed itself could not be read

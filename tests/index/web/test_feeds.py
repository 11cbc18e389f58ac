"""Tests for index.web.feeds: parsing feeds and finding the feed a page links to (pure)."""

from __future__ import annotations

import json

import pytest

from index.web.feeds import MAX_ENTRIES_PER_POLL, Entry, ParsedFeed, discover_feed, parse_feed
from tests.helpers.documents import rss

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Harbour Log</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-05-02T10:00:00Z</updated>
  <entry>
    <title>The new quay</title>
    <link href="https://harbour.example/quay"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2024-05-02T10:00:00Z</updated>
  </entry>
  <entry>
    <title>Dredging done</title>
    <link href="https://harbour.example/dredging"/>
    <id>tag:harbour.example,2024:dredging</id>
    <updated>2024-04-01T10:00:00Z</updated>
  </entry>
</feed>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Coast News",
        "items": [{"id": "1", "url": "https://coast.example/one", "title": "One"}],
    }
).encode()


def page_linking(*links: str) -> str:
    """An HTML page whose head holds the given <link> elements."""
    return f"<html><head><title>Coast</title>{''.join(links)}</head><body><p>Hi.</p></body></html>"


# --- parse_feed --------------------------------------------------------------------------------


def test_rss_feed_is_parsed() -> None:
    """An RSS 2.0 feed gives its title and its items, keyed by guid, in feed order."""
    data = rss(
        [("Lighthouse", "https://coast.example/one"), ("Harbour", "https://coast.example/two")]
    )
    assert parse_feed(data.encode()) == ParsedFeed(
        "Coast News",
        [
            Entry("https://coast.example/one", "https://coast.example/one", "Lighthouse"),
            Entry("https://coast.example/two", "https://coast.example/two", "Harbour"),
        ],
    )


def test_atom_feed_is_parsed() -> None:
    """An Atom feed gives its title and its entries, keyed by their ids."""
    assert parse_feed(ATOM) == ParsedFeed(
        "Harbour Log",
        [
            Entry(
                "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
                "https://harbour.example/quay",
                "The new quay",
            ),
            Entry(
                "tag:harbour.example,2024:dredging",
                "https://harbour.example/dredging",
                "Dredging done",
            ),
        ],
    )


def test_entry_without_id_is_keyed_by_its_link() -> None:
    """An item with no guid has its link as its key."""
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>'
        b"<item><title>T</title><link>https://coast.example/a</link></item></channel></rss>"
    )
    parsed = parse_feed(data)
    assert parsed is not None
    assert parsed.entries == [Entry("https://coast.example/a", "https://coast.example/a", "T")]


def test_entry_without_link_is_skipped() -> None:
    """An item with no link cannot be fetched and is left out."""
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>'
        b'<item><title>No link</title><guid isPermaLink="false">x</guid></item>'
        b"<item><title>T</title><link>https://coast.example/a</link></item></channel></rss>"
    )
    parsed = parse_feed(data)
    assert parsed is not None
    assert [entry.title for entry in parsed.entries] == ["T"]


def test_blank_feed_title_is_none() -> None:
    """A feed whose title is blank has no title."""
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>  </title></channel></rss>'
    assert parse_feed(data) == ParsedFeed(None, [])


def test_entries_are_capped() -> None:
    """Only the first MAX_ENTRIES_PER_POLL entries of a long feed are kept."""
    items = [(f"Story {n}", f"https://coast.example/{n}") for n in range(MAX_ENTRIES_PER_POLL + 5)]
    parsed = parse_feed(rss(items).encode())
    assert parsed is not None
    assert len(parsed.entries) == MAX_ENTRIES_PER_POLL
    assert parsed.entries[-1].url == f"https://coast.example/{MAX_ENTRIES_PER_POLL - 1}"


def test_json_feed_is_not_read() -> None:
    """A JSON Feed is not a feed feedparser 6.0 reads: None (feeds are RSS or Atom)."""
    assert parse_feed(JSON_FEED) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"<html><body><p>Just a page.</p></body></html>", b"{}"],
)
def test_what_is_not_a_feed_is_none(data: bytes) -> None:
    """Empty, binary, HTML and other data is not a feed."""
    assert parse_feed(data) is None


# --- discover_feed -----------------------------------------------------------------------------


def test_rss_link_is_discovered() -> None:
    """A <link rel=alternate type=application/rss+xml> gives the feed's absolute URL."""
    html = page_linking(
        '<link rel="alternate" type="application/rss+xml" href="https://coast.example/feed.xml">'
    )
    assert discover_feed(html, "https://coast.example/") == "https://coast.example/feed.xml"


def test_relative_feed_link_is_resolved_against_the_page() -> None:
    """A relative href is resolved against the page's URL."""
    html = page_linking('<link rel="alternate" type="application/atom+xml" href="atom.xml">')
    assert discover_feed(html, "https://coast.example/blog/post") == (
        "https://coast.example/blog/atom.xml"
    )


def test_root_relative_feed_link_is_resolved_against_the_host() -> None:
    """An href starting with / is resolved against the page's host."""
    html = page_linking('<link rel="alternate" type="application/rss+xml" href="/feed.xml">')
    assert discover_feed(html, "https://coast.example/a/b") == "https://coast.example/feed.xml"


def test_first_feed_link_wins() -> None:
    """Of several feed links, the first one is taken."""
    html = page_linking(
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">',
        '<link rel="alternate" type="application/rss+xml" href="/rss.xml">',
    )
    assert discover_feed(html, "https://coast.example/") == "https://coast.example/atom.xml"


def test_rel_and_type_are_matched_whatever_their_case() -> None:
    """rel="Alternate Home" and an upper-case type still name a feed."""
    html = page_linking('<LINK REL="Alternate Home" TYPE="Application/RSS+XML" HREF="/f.xml">')
    assert discover_feed(html, "https://coast.example/") == "https://coast.example/f.xml"


def test_alternate_link_of_another_type_is_ignored() -> None:
    """An alternate link to a translation (text/html) is not a feed."""
    html = page_linking('<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">')
    assert discover_feed(html, "https://coast.example/") is None


def test_feed_link_without_alternate_rel_is_ignored() -> None:
    """A link with a feed type but another rel (e.g. stylesheet) is not the page's feed."""
    html = page_linking('<link rel="stylesheet" type="application/rss+xml" href="/feed.xml">')
    assert discover_feed(html, "https://coast.example/") is None


def test_page_without_feed_link_gives_none() -> None:
    """A page that links no feed gives None."""
    assert discover_feed(page_linking(), "https://coast.example/") is None


@pytest.mark.parametrize("html", ["", "<<<>>><?xml ?><!DOCTYPE <html <body", "\x00\ufffd<link"])
def test_garbage_gives_none(html: str) -> None:
    """Text that is no page at all gives None, not an exception."""
    assert discover_feed(html, "https://coast.example/") is None

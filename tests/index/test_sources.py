"""Tests for index.sources through the library: links and feeds, against a real HTTP server on
127.0.0.1 (the `site` fixture)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from index import indexing
from index.analyzer import Analyzer
from index.errors import InputError
from index.indexing import Preparation
from index.ingest import Document
from index.library import Library
from index.settings import LibrarySettings
from index.sources import Sources
from index.store.columns import NewPassages, Ragged
from index.web import FetchSettings
from tests.helpers.documents import LIGHTHOUSE, make_pdf, page, rss
from tests.helpers.website import Site

GUARDIAN = "theguardian.com"


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[Library]:
    # The test server is on loopback, which citebot refuses by default (SSRF guard).
    settings = LibrarySettings(fetch=FetchSettings(allow_private=True, total_timeout=10))
    async with Library.open(tmp_path / "lib.db", settings) as opened:
        yield opened


async def test_a_real_news_page_is_added_and_answered(
    site: Site, library: Library, shared: Path
) -> None:
    """A real article page is fetched, extracted and answers a question about it."""
    manifest = json.loads((shared / "articles/manifest.json").read_text())
    entry = next(p for p in manifest["pages"] if p["id"].startswith(GUARDIAN))
    url = site.put("/news/story", (shared / "articles" / entry["html"]).read_bytes())
    result = await library.add_url("c", url, added_by="admin")
    assert result.status == "added"
    assert result.article.url == entry["url"]  # the page's canonical link
    assert result.article.passages > 1
    _, text = await library.get("c", result.article.id)
    gold = (shared / "articles" / entry["gold_text"]).read_text()
    first_gold_sentence = gold.split(".")[0]
    assert first_gold_sentence[:40] in text


async def test_the_same_link_with_tracking_parameters_is_not_fetched_again(
    site: Site, library: Library
) -> None:
    """utm_* and fbclid variants of a link are the same article, found without a fetch."""
    url = site.put("/lighthouse", page("The northern lighthouse", LIGHTHOUSE))
    first = await library.add_url("c", url)
    again = await library.add_url("c", url + "?utm_source=discord&fbclid=abc#top")
    assert (first.status, again.status) == ("added", "duplicate")
    assert again.article.id == first.article.id
    assert site.hits["/lighthouse"] == 1


async def test_the_canonical_link_identifies_the_article(site: Site, library: Library) -> None:
    """A page reached by another address but naming its canonical link is not added twice."""
    canonical = site.put("/canonical", page("The northern lighthouse", LIGHTHOUSE))
    head = f'<link rel="canonical" href="{canonical}">'
    mirror = site.put("/amp/lighthouse", page("The northern lighthouse", LIGHTHOUSE, head))
    first = await library.add_url("c", mirror)
    assert first.article.url == canonical
    again = await library.add_url("c", canonical)
    assert again.status == "duplicate"
    assert site.hits["/canonical"] == 0


async def test_a_pdf_link_is_read(site: Site, library: Library) -> None:
    """A PDF served over HTTP becomes an article."""
    lines = [
        "The lighthouse keeper lived alone on the rock for thirty years and kept the",
        "lamp burning every single night of the year, even in the great storm of 1881.",
    ]
    url = site.put("/report.pdf", make_pdf([lines], title="Keeper report"), "application/pdf")
    result = await library.add_url("c", url)
    assert result.article.title == "Keeper report"
    answer = await library.ask("c", "How long did the keeper live on the rock?")
    assert "thirty years" in answer.results[0].quote


@pytest.mark.parametrize(
    ("path", "body", "content_type", "message"),
    [
        ("/photo.png", b"\x89PNG\r\n\x1a\n" + bytes(500), "image/png", "cannot read this kind"),
        ("/video", b"\x00\x00\x00\x18ftypmp42" + bytes(500), "video/mp4", "cannot read this kind"),
        ("/empty", b"", "text/html", "empty"),
        ("/nav", page("Menu", []).encode(), "text/html", "no article text"),
        ("/missing", None, "text/html", "404"),
    ],
)
async def test_unreadable_links_are_one_line_errors_and_store_nothing(
    site: Site,
    library: Library,
    path: str,
    body: bytes | None,
    content_type: str,
    message: str,
) -> None:
    """Images, videos, empty pages, pages without an article and 404s are refused clearly."""
    url = site.base + path if body is None else site.put(path, body, content_type)
    with pytest.raises(InputError, match=message) as err:
        await library.add_url("c", url)
    assert "\n" not in str(err.value)
    assert await library.articles("c") == []


async def test_private_addresses_are_refused_by_default(site: Site, tmp_path: Path) -> None:
    """Without allow_private, a loopback link is refused before any request is made."""
    url = site.put("/lighthouse", page("The northern lighthouse", LIGHTHOUSE))
    async with Library.open(tmp_path / "lib.db") as library:
        with pytest.raises(InputError, match="private"):
            await library.add_url("c", url)
    assert site.hits["/lighthouse"] == 0


async def test_refresh_replaces_the_passages_when_the_page_changed(
    site: Site, library: Library
) -> None:
    """After the page changes, refresh re-indexes it: new text found, old text gone."""
    url = site.put("/lighthouse", page("The northern lighthouse", LIGHTHOUSE))
    added = await library.add_url("c", url)
    unchanged = await library.refresh("c", added.article.id)
    assert unchanged.status == "unchanged"
    changed = [*LIGHTHOUSE[:3], "In 2024 the museum closed for repairs to the lantern gallery."]
    site.put("/lighthouse", page("The northern lighthouse", changed))
    updated = await library.refresh("c", added.article.id)
    assert updated.status == "updated"
    assert updated.article.id == added.article.id
    assert (await library.ask("c", "museum closed repairs lantern gallery")).results
    assert not (await library.ask("c", "climb 140 steps summer weekends")).results


async def test_refresh_of_a_pasted_article_says_there_is_nothing_to_fetch(
    library: Library,
) -> None:
    """Only articles added from a link can be refreshed."""
    added = await library.add("c", Document(title="Note", text="Pasted words about owls."))
    with pytest.raises(InputError, match="not added from a link"):
        await library.refresh("c", added.article.id)


async def test_a_feed_adds_new_entries_once(site: Site, library: Library) -> None:
    """Polling adds new entries, skips known ones and records a broken one on the feed."""
    one = site.put("/one", page("Lighthouse", LIGHTHOUSE))
    feed_url = site.put("/feed.xml", rss([("Lighthouse", one)]), "application/rss+xml")
    feed = await library.add_feed("c", feed_url)
    assert feed.title == "Coast News"
    first = await library.poll_feeds("c")
    assert [(r.added, r.failed, r.error) for r in first] == [(1, 0, None)]

    harbour = [
        "The harbour was dredged in 1910 so that steamships could dock at any tide.",
        "Its granite quay, finished two years later, still carries the old iron bollards.",
        "Fishing boats moved to the new marina in 1975, leaving the quay to ferries.",
    ]
    two = site.put("/two", page("Harbour", harbour))
    items = [("Harbour", two), ("Gone", site.base + "/gone"), ("Lighthouse", one)]
    site.put("/feed.xml", rss(items), "application/rss+xml")
    second = await library.poll_feeds("c")
    assert [(r.added, r.failed) for r in second] == [(1, 1)]
    assert site.hits["/one"] == 1
    assert len(await library.articles("c")) == 2
    [info] = await library.feeds("c")
    assert (info.entries, info.articles, info.last_error) == (3, 2, None)


async def test_a_failing_feed_is_recorded_and_others_still_polled(
    site: Site, library: Library
) -> None:
    """One feed's failure is kept on that feed; the next feed is still read."""
    one = site.put("/one", page("Lighthouse", LIGHTHOUSE))
    bad = site.put("/bad.xml", rss([]), "application/rss+xml")
    good = site.put("/good.xml", rss([("Lighthouse", one)]), "application/rss+xml")
    await library.add_feed("c", bad)
    await library.add_feed("c", good)
    del site.pages["/bad.xml"]
    reports = await library.poll_feeds("c")
    assert "404" in (reports[0].error or "")
    assert reports[1].added == 1
    assert "404" in ((await library.feeds("c"))[0].last_error or "")


async def test_a_page_linking_its_feed_is_followed_through_it(site: Site, library: Library) -> None:
    """Given a site's page, the feed it links to is registered."""
    feed_url = site.put("/feed.xml", rss([]), "application/rss+xml")
    head = '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    home = site.put("/", page("Coast News", LIGHTHOUSE, head))
    feed = await library.add_feed("c", home)
    assert feed.url == feed_url


async def test_a_page_without_a_feed_is_refused(site: Site, library: Library) -> None:
    """A page with no feed link gets a clear message."""
    home = site.put("/plain", page("Plain", LIGHTHOUSE))
    with pytest.raises(InputError, match="no RSS or Atom feed"):
        await library.add_feed("c", home)


async def test_a_page_without_content_type_is_read_by_its_content(
    site: Site, library: Library
) -> None:
    """A server that sends no content type for /story.php still gets its page read."""
    url = site.put("/story.php", page("The northern lighthouse", LIGHTHOUSE), "")
    result = await library.add_url("c", url)
    assert result.article.title == "The northern lighthouse"


RUSSIAN = (
    "Городской совет во вторник обсудил новый бюджет и расходы на ремонт старого моста. "
    "Депутаты спорили несколько часов, но так и не приняли решения до полуночи."
)


async def test_a_page_is_decoded_with_the_charset_its_server_declares(
    site: Site, library: Library
) -> None:
    """A plain-text page served as koi8-r is read with that charset (passed apart from its type)."""
    url = site.put("/note", RUSSIAN.encode("koi8-r"), "text/plain; charset=koi8-r")
    result = await library.add_url("c", url)
    _, text = await library.get("c", result.article.id)
    assert text == RUSSIAN


async def test_an_upload_is_decoded_with_the_charset_of_its_content_type(
    library: Library,
) -> None:
    """An upload's Content-Type header with a charset decides how its bytes are decoded."""
    data = RUSSIAN.encode("koi8-r")
    result = await library.add_bytes("c", data, "note", "text/plain; charset=koi8-r")
    _, text = await library.get("c", result.article.id)
    assert text == RUSSIAN


def _preparation(text: str) -> Preparation:
    settings = LibrarySettings()
    document = Document("Harbours", text)
    return Preparation(document, "c", "admin", settings.analyzer, settings.passages)


async def test_a_large_article_is_analysed_in_the_reader_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over `LARGE_TEXT`, an article is not analysed in this process (its GIL is the event
    loop's): the analysis here is made to fail, and the add still comes back."""
    monkeypatch.setattr(indexing, "LARGE_TEXT", 1_000)
    monkeypatch.setattr(Preparation, "prepared", _not_here)
    sources = Sources(FetchSettings(), 20)
    try:
        analysed, article = await sources.prepare(_preparation(HARBOUR * 40), Analyzer())
    finally:
        await sources.close()
    assert (len(analysed.passages), article.title) == (4, "Harbours")


def _not_here(*_: object) -> None:
    raise AssertionError("analysed in this process")


async def test_an_article_analysed_in_the_child_is_what_a_thread_makes_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child's passages, terms, tokens and article are those of the analysis in a thread."""
    job = _preparation((HARBOUR * 40 + "\r\n\r\n") * 3)  # normalising changes the text
    here = job.prepared(Analyzer())
    monkeypatch.setattr(indexing, "LARGE_TEXT", 1_000)
    sources = Sources(FetchSettings(), 20)
    try:
        there = await sources.prepare(job, Analyzer())
    finally:
        await sources.close()
    assert there[1] == here[1] and there[0].distinct == here[0].distinct
    assert there[0].digest == here[0].digest
    assert _columns(there[0].passages) == _columns(here[0].passages)


def _columns(passages: NewPassages) -> list[tuple[str, bytes]]:
    """Every array of `passages` (each ragged column's values and row ends), as bytes."""
    columns = [(f.name, getattr(passages, f.name)) for f in fields(passages)]
    arrays = [(n, c) for n, c in columns if isinstance(c, np.ndarray)]
    arrays += [
        (n + part, getattr(c, part))
        for n, c in columns
        for part in ("values", "ends")
        if isinstance(c, Ragged)
    ]
    return [(name, array.dtype.str.encode() + array.tobytes()) for name, array in arrays]


HARBOUR = "The harbour was rebuilt in stone after the storm of 1703. "

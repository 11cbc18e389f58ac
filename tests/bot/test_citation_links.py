"""Citation links in a real browser: each answer's link, opened in headless Chromium, highlights
exactly its quote (bot/render.py's link, index/fragments.py's directive)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from bot import render
from index import FetchSettings, Library, LibrarySettings, Result
from index import quotes as quoting
from tests.helpers.browser import HIGHLIGHT_CSS
from tests.helpers.browser import chromium as chromium_browser
from tests.helpers.documents import LIGHTHOUSE, page
from tests.helpers.website import Site

# Questions about the sample article, and what makes each quote's link hard to get right.
QUESTIONS = {
    "curly quotes": "Are Sino-Russian relations affected by interference by any other factors?",
    "hyphens": "How did the two countries work together against the COVID-19 pandemic?",
    "U.S. and a repeated opening": "Would the U.S. take a more rational position?",
    "a cut quote": "What did Joe Biden say about intellectual property and human rights?",
}
# ... and one about a page with furniture around short paragraphs: a quote over two of them.
TWO_PARAGRAPHS = "When was the lighthouse built, and who was its first keeper?"


def _page(text: str) -> str:
    """The article as a plain web page: its headline, then one paragraph a line of text."""
    headline, *paragraphs = [line for line in text.split("\n") if line.strip()]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(headline)}"
        f"</title><style>body {{ font: 15px sans-serif; }} {HIGHLIGHT_CSS}</style></head>"
        f"<body><article><h1>{html.escape(headline)}</h1>\n{body}</article></body></html>"
    )


def _link(result: Result) -> str:
    """The link of an answer as the bot renders it."""
    found = re.search(r"\]\(<([^>]+)>\)", render.render_result(result))
    assert found is not None
    return found.group(1)


async def test_each_citation_link_highlights_exactly_its_quote(
    site: Site, shared: Path, tmp_path: Path, chromium: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Curly quotes, hyphens, "U.S.", a quote cut inside its sentence, one whose opening words
    also open an earlier sentence, and one over two paragraphs of a page with a menu and a
    footer: each link highlights its quote, no word more or less. (The sample's sentences are
    short enough to be quoted whole: here a quote is completed within its sentence only up to
    the word limit, so that one is cut.)"""
    monkeypatch.setattr(quoting, "SENTENCE_WORDS", quoting.MAX_QUOTE_WORDS)
    text = (shared / "samples/china-russia-article.txt").read_text(encoding="utf-8")
    sample = site.put("/china-russia", _page(text))
    lighthouse = site.put(
        "/lighthouse", page("The lighthouse", LIGHTHOUSE, f"<style>{HIGHLIGHT_CSS}</style>")
    )
    settings = LibrarySettings(fetch=FetchSettings(allow_private=True))
    async with Library.open(tmp_path / "lib.db", settings) as library:
        await library.add_url("c", sample)
        await library.add_url("light", lighthouse)
        results = {
            case: (await library.ask("c", q, k=1)).results[0] for case, q in QUESTIONS.items()
        }
        results["two paragraphs"] = (await library.ask("light", TWO_PARAGRAPHS)).results[0]
    quotes = {case: result.quote for case, result in results.items()}
    assert "“" in quotes["curly quotes"] and "COVID-19" in quotes["hyphens"]
    repeated = quotes["U.S. and a repeated opening"]
    assert repeated.startswith("Andrey Denisov said that it") and "U.S." in repeated
    assert text.count("Andrey Denisov said that") == 2
    assert results["a cut quote"].quote_cut != (False, False)
    assert quotes["two paragraphs"] == "\n\n".join(LIGHTHOUSE[:2])
    async with chromium_browser(chromium) as browser:
        for case, result in results.items():
            assert await browser.highlighted(_link(result)) == " ".join(result.quote.split()), case

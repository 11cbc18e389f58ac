"""Tests for index.ingest.html: the main text and metadata of HTML pages."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest

from index.errors import InputError
from index.ingest.html import extract_html
from tests.index.ingest.samples import ARTICLES, PARAGRAPH, message


def bag_f1(predicted: str, gold: str) -> float:
    """Bag-of-words F1 between two texts (tokens: lower-cased \\w+)."""
    pred = Counter(re.findall(r"\w+", predicted.lower()))
    true = Counter(re.findall(r"\w+", gold.lower()))
    overlap = sum((pred & true).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(pred.values())
    recall = overlap / sum(true.values())
    return 2 * precision * recall / (precision + recall)


def english_pages() -> list[dict[str, Any]]:
    """Four English pages of the shared benchmark (those trafilatura is known to handle)."""
    wanted = ("theguardian.com", "techcrunch.com", "reuters.com", "hosted.ap.org")
    pages = json.loads((ARTICLES / "manifest.json").read_text(encoding="utf-8"))["pages"]
    return [p for p in pages if p["language"] == "en" and p["id"].startswith(wanted)]


@pytest.mark.parametrize("page", english_pages(), ids=lambda p: str(p["id"]))
def test_real_page_matches_gold(page: dict[str, Any]) -> None:
    """The main text of a real news page has bag-of-words F1 >= 0.85 against the gold text."""
    html = (ARTICLES / page["html"]).read_text(encoding="utf-8")
    gold = (ARTICLES / page["gold_text"]).read_text(encoding="utf-8")
    doc = extract_html(html, url=page["url"])
    assert bag_f1(doc.text, gold) >= 0.85
    assert doc.title is not None
    assert doc.title.strip()


def test_real_pages_selected() -> None:
    """The shared benchmark still has the four English pages the test above uses."""
    assert len(english_pages()) == 4


def test_paragraphs_separated_by_blank_line() -> None:
    """Extracted paragraphs are joined by exactly one blank line."""
    second = "The mayor said the work would start in spring and end before the autumn."
    page = f"<html><body><article><p>{PARAGRAPH}</p><p>{second}</p></article></body></html>"
    assert extract_html(page).text == f"{PARAGRAPH}\n\n{second}"


LEAD = (
    "Following the 16-inch MacBook Pro, Apple plans to release a new 13-inch MacBook Pro with a "
    "scissor switch keyboard in the first half of 2020, according to industry sources."
)
REST = "The report claims the display size will remain 13.3 inches, although a larger one may come."


def test_opening_text_beside_a_paragraph_is_kept() -> None:
    """A lead sentence that is its container's own text, with a paragraph after it, is read
    (trafilatura alone drops it: MacRumors' pages are built so)."""
    page = f"<html><body><div class='article'><div>{LEAD}<p>{REST}</p></div></div></body></html>"
    text = extract_html(page).text
    assert text.startswith(LEAD)
    assert REST in text


def test_opening_text_before_a_line_break_is_its_own_paragraph() -> None:
    """The opening text ends at the first line break: what follows it is not joined to it."""
    page = (
        f"<html><body><div>{LEAD}<br><br>{REST}<br><br>{REST}"
        f"<figure><img src='a.jpg'></figure>{REST}</div></body></html>"
    )
    assert extract_html(page).text.split("\n\n")[:2] == [LEAD, REST]


def test_opening_caption_beside_a_paragraph_stays_out() -> None:
    """Opening text that is not prose (a photo credit) is not made a paragraph."""
    page = f"<html><body><div>Photo: GETTY<p>{LEAD}</p><p>{REST}</p></div></body></html>"
    assert "GETTY" not in extract_html(page).text


def bylined(author: str) -> str:
    """An article page whose author meta is `author`, on the site "Business Insider Deutschland"."""
    return (
        "<html><head><title>Roads to be mended</title>"
        f"<meta name='author' content='{author}'>"
        "<meta property='og:site_name' content='Business Insider Deutschland'></head><body>"
        f"<article><h1>Roads to be mended</h1><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></article>"
        "</body></html>"
    )


@pytest.mark.parametrize(
    ("found", "shown"),
    [
        ("Charlie Wood; Business Insider", "Charlie Wood"),  # the publisher: the site's start
        ("Troy Smith; Troy L Smith", "Troy Smith"),  # the same person twice
        ("Carrie Arnold November", "Carrie Arnold"),  # the byline's date began
        ("Theresa May", "Theresa May"),  # a surname that is a month
        ("Al Root; Example", "Al Root"),  # the host's name
    ],
)
def test_author_is_the_people_who_wrote(found: str, shown: str) -> None:
    """The author shown is the people who wrote the article, not its publisher, a repeat or
    the date that followed their names."""
    assert extract_html(bylined(found), url="https://www.example.com/roads").author == shown


def test_canonical_url_preferred() -> None:
    """The page's <link rel=canonical> (resolved against the URL) is the document's URL."""
    page = (
        '<html><head><title>Budget</title><link rel="canonical" href="/news/budget"></head>'
        f"<body><article><p>{PARAGRAPH}</p></article></body></html>"
    )
    doc = extract_html(page, url="https://example.com/news/budget?utm_source=x")
    assert doc.url == "https://example.com/news/budget"
    assert doc.title == "Budget"


def test_canonical_link_without_a_host_ignored() -> None:
    """A canonical link that is not an absolute http(s) link with a host is not the URL."""
    page = (
        '<html><head><title>Budget</title><link rel="canonical" href="http:///budget"></head>'
        f"<body><article><p>{PARAGRAPH}</p></article></body></html>"
    )
    assert extract_html(page, url="https://example.com/a").url == "https://example.com/a"


def test_page_without_article_rejected() -> None:
    """A page of navigation links only has no article text."""
    links = "".join(
        f'<li><a href="/s{n}">Section number {n} of the site</a></li>' for n in range(12)
    )
    page = f"<html><head><title>Home</title></head><body><nav><ul>{links}</ul></nav></body></html>"
    with pytest.raises(InputError) as err:
        extract_html(page)
    assert message(err) == "no article text found on this page"


RACES = [
    ("2 March", "Bahrain Grand Prix", "Sakhir"),
    ("9 March", "Saudi Arabian Grand Prix", "Jeddah"),
    ("24 March", "Australian Grand Prix", "Melbourne"),
    ("7 April", "Japanese Grand Prix", "Suzuka"),
    ("21 April", "Chinese Grand Prix", "Shanghai"),
    ("5 May", "Miami Grand Prix", "Miami"),
    ("19 May", "Emilia Romagna Grand Prix", "Imola"),
    ("26 May", "Monaco Grand Prix", "Monte Carlo"),
]
SEASON = (
    "The season opens in Bahrain on the second of March and ends in Abu Dhabi in December. "
    "Every round below lists its circuit and the date of the race, and times are local."
)


def calendar_page(intro: str) -> str:
    """A list-like page: a racing calendar (no sentences) with an introduction."""
    rows = "".join(
        f"<li>{date} — <a href='/races/{n}'>{race}</a> — {circuit}</li>"
        for n, (date, race, circuit) in enumerate(RACES)
    )
    return (
        "<html><head><title>2024 Racing Calendar</title></head><body>"
        f"<h1>2024 Racing Calendar</h1>{intro}<ul class='calendar'>{rows}</ul></body></html>"
    )


def test_list_like_page_falls_back_to_recall_mode() -> None:
    """A calendar whose only prose precision and balanced modes drop is read in recall mode."""
    doc = extract_html(calendar_page(f"<aside><p>{SEASON}</p></aside>"))
    assert SEASON in doc.text
    assert "26 May — Monaco Grand Prix — Monte Carlo" in doc.text
    assert doc.title == "2024 Racing Calendar"


def test_page_that_only_the_baseline_reads_falls_back_to_it() -> None:
    """Prose that every trafilatura mode drops (a block classed as comments) is read by the
    plain-text baseline before the page is refused."""
    doc = extract_html(calendar_page(f"<div class='comments'>{SEASON}</div>"))
    assert SEASON in doc.text
    assert doc.title == "2024 Racing Calendar"


def test_paragraph_inside_100k_nested_divs_is_kept() -> None:
    """A paragraph below 100,000 nested <div>s (past the parser's depth limit) is still read."""
    depth = 100_000
    page = (
        "<html><head><title>Storm</title></head><body>"
        + "<div>" * depth
        + f"<p>{PARAGRAPH} {PARAGRAPH}</p>"
        + "</div>" * depth
        + "</body></html>"
    )
    doc = extract_html(page)
    assert doc.text == f"{PARAGRAPH} {PARAGRAPH}"
    assert doc.title == "Storm"


def test_nesting_past_the_limit_keeps_scripts_out_of_the_text() -> None:
    """Flattening a page nested too deep keeps scripts and styles out of the text."""
    page = (
        "<html><head><style>p { color: red }</style></head><body>"
        + "<section><span>" * 300
        + "<script>var hidden = 'secret code';</script>"
        + f"<p>{PARAGRAPH}</p><p>{PARAGRAPH}</p>"
        + "</span></section>" * 300
        + "</body></html>"
    )
    doc = extract_html(page)
    assert PARAGRAPH in doc.text
    assert "secret" not in doc.text and "color" not in doc.text


def test_garbage_html_rejected() -> None:
    """Markup soup without text is an InputError, not a parser exception."""
    with pytest.raises(InputError) as err:
        extract_html("<<<>>><?xml ?><!DOCTYPE <html <body")
    message(err)

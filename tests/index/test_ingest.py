"""Tests for index.ingest: decoding, cleaning pasted text, HTML extraction and file loading."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from index.errors import InputError
from index.ingest import (
    MAX_TEXT_BYTES,
    clean_text,
    decode,
    extract_html,
    load_bytes,
    load_file,
)
from tests.helpers.documents import make_pdf

SHARED = Path(__file__).parents[2] / ".." / "shared"
SAMPLE = SHARED / "samples" / "china-russia-article.txt"
ARTICLES = SHARED / "articles"


PARAGRAPH = (
    "The council met on Tuesday to discuss the new budget. Members argued for hours about "
    "the cost of repairing the old bridge, and no decision was reached before midnight."
)

# Paragraphs of Russian text, enough for an article.
RUSSIAN = [
    "Городской совет во вторник обсудил новый бюджет и расходы на ремонт старого моста.",
    "Депутаты спорили несколько часов, но так и не приняли решения до полуночи.",
    "Жители города надеются, что работы начнутся весной и закончатся к осени следующего года.",
]


def message(err: pytest.ExceptionInfo[InputError]) -> str:
    """The error's message, checked to be one line."""
    text = str(err.value)
    assert text
    assert "\n" not in text
    return text


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


# --- the real pasted sample --------------------------------------------------------------------


def test_sample_title_is_first_line() -> None:
    """The pasted article's headline (ending in 'U.S.') becomes the title."""
    raw = SAMPLE.read_text(encoding="utf-8")
    title, _ = clean_text(raw)
    assert title == raw.splitlines()[0].strip()


def test_sample_keeps_the_article() -> None:
    """The body keeps the first and the last real paragraphs verbatim."""
    _, body = clean_text(SAMPLE.read_text(encoding="utf-8"))
    assert "cannot be broken" in body
    assert body.endswith("cooperation in the development of the Arctic waterways.")
    assert "Belt and Road initiative" in body.split("\n\n")[-1]


def test_sample_drops_trailing_furniture() -> None:
    """Related posts, their headlines, repeated bylines and the comment prompt are gone."""
    _, body = clean_text(SAMPLE.read_text(encoding="utf-8"))
    for furniture in (
        "Related posts",
        "Jobs on Mars",
        "Nasiru Eneji Abdulrasheed",
        "Leave a Comment",
    ):
        assert furniture not in body


# --- clean_text ----------------------------------------------------------------------------------


def test_related_posts_in_a_sentence_stays() -> None:
    """A real last paragraph that mentions related posts is kept."""
    last = "She said the related posts on the forum were all wrong, and nobody disagreed."
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{last}")
    assert body.endswith(last)


def test_heading_in_the_middle_stays() -> None:
    """A 'Related posts' line followed by real paragraphs is not furniture."""
    text = f"Council meets\n\n{PARAGRAPH}\n\nRelated posts\n\n{PARAGRAPH}\n\nThe end of the story."
    _, body = clean_text(text)
    assert body == f"{PARAGRAPH}\n\nRelated posts\n\n{PARAGRAPH}\n\nThe end of the story."


def test_short_last_paragraph_stays() -> None:
    """A short closing line that is not furniture (a question) is kept."""
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\nWhat happens next?")
    assert body.endswith("What happens next?")


def test_you_may_also_like_block_dropped() -> None:
    """A 'You may also like' block of headlines at the end is dropped."""
    tail = "You may also like\n\nMayor opens a new library\n\nWill the river flood again?"
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{tail}")
    assert body == PARAGRAPH


def test_share_and_subscribe_prompts_dropped() -> None:
    """Share buttons, tags, a newsletter prompt and a copyright line at the end are dropped."""
    tail = (
        "Share this:\nFacebook\nTwitter\n\nTags: budget, bridge\n\n"
        "Subscribe to our newsletter\n\n© 2024 Example Media. All rights reserved."
    )
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{tail}")
    assert body == PARAGRAPH


def test_comment_form_dropped() -> None:
    """A 'Leave a Reply' comment form at the end is dropped."""
    tail = (
        "Leave a Reply Cancel reply\n\nYour email address will not be published.\n\n"
        "Comment\n\nName *\n\nEmail *\n\nWebsite"
    )
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{tail}")
    assert body == PARAGRAPH


def test_headline_byline_pairs_dropped() -> None:
    """A trailing list of headline/byline pairs (the byline repeated) is dropped."""
    tail = "\n".join(f"Other story number {n}\nJane Doe" for n in range(1, 4))
    _, body = clean_text(f"Council meets\n\n{PARAGRAPH}\n\n{PARAGRAPH}\n\n{tail}")
    assert body == f"{PARAGRAPH}\n\n{PARAGRAPH}"


def test_refrain_of_a_poem_stays() -> None:
    """Short lines repeated throughout a text (a refrain) are not taken for bylines."""
    poem = "The rain falls down\nLa la la\nThe sky is grey\nLa la la\nAnd so the day\nLa la la"
    _, body = clean_text(f"Ode\n\n{poem}")
    assert body == poem


def test_whitespace_normalised() -> None:
    """CRLF becomes LF, trailing spaces go, runs of blank lines collapse to one."""
    _, body = clean_text("Title\r\n\r\nFirst line.  \r\n\r\n\r\n\r\nSecond line.\t\r\n")
    assert body == "First line.\n\nSecond line."


def test_invisible_characters_removed() -> None:
    """Zero-width spaces, stray joiners, soft hyphens and control characters are removed."""
    _, body = clean_text("Title\n\nThe \u200ciPhone\u200c is in\u00adformation\u200b.\x07")
    assert body == "The iPhone is information."


def test_joiners_inside_words_kept() -> None:
    """A zero-width non-joiner between two Persian letters is part of the word."""
    word = "می\u200cخواهم"
    _, body = clean_text(f"Title\n\n{word} text.")
    assert body == f"{word} text."


def test_paragraph_per_line_text_split() -> None:
    """Long lines separated by single newlines become paragraphs separated by a blank line."""
    text = f"Title\n{PARAGRAPH}\n{PARAGRAPH}"
    title, body = clean_text(text)
    assert title == "Title"
    assert body == f"{PARAGRAPH}\n\n{PARAGRAPH}"


def test_hard_wrapped_text_kept() -> None:
    """Hard-wrapped lines of one paragraph stay together, and its first line is no title."""
    text = "The council met on Tuesday\nto discuss the new budget.\n\nThen it went home."
    title, body = clean_text(text)
    assert title is None
    assert body == text


def test_sentence_is_not_a_title() -> None:
    """A first line that ends a sentence stays in the body."""
    title, body = clean_text("It rained.\n\nThen it stopped.")
    assert title is None
    assert body == "It rained.\n\nThen it stopped."


def test_single_line_is_text_not_title() -> None:
    """A one-line text is the body; there is no title."""
    assert clean_text("Just one short line") == (None, "Just one short line")


# --- decode --------------------------------------------------------------------------------------


def test_cp1252_decoded() -> None:
    """Windows-1252 text (accents, curly quotes, euro sign) decodes correctly."""
    text = "Le café était plein. Une idée naïve : “ça coûte 5 €” — vraiment."
    assert decode(text.encode("cp1252")) == text


def test_short_cp1252_decoded() -> None:
    """Even a short Windows-1252 text is not mistaken for another code page."""
    text = "café naïve “quoted” €5"
    assert decode(text.encode("cp1252")) == text


def test_latin1_decoded() -> None:
    """ISO-8859-1 text decodes correctly."""
    text = "Über die Straße: café, naïve, São Paulo, señor."
    assert decode(text.encode("latin-1")) == text


def test_utf8_bom_removed() -> None:
    """A UTF-8 byte-order mark is honoured and not kept in the text."""
    assert decode(b"\xef\xbb\xbf" + "café naïve".encode()) == "café naïve"


def test_declared_charset_used() -> None:
    """A charset declared by the caller (e.g. HTTP) decides the decoding."""
    assert decode("Привет, мир".encode("koi8-r"), "koi8-r") == "Привет, мир"


def test_meta_charset_used() -> None:
    """An HTML <meta charset="windows-1251"> decides the decoding without an HTTP charset."""
    page = '<html><head><meta charset="windows-1251"></head><body><p>Привет, мир</p></body></html>'
    assert "Привет, мир" in decode(page.encode("cp1251"))


def test_utf8_cut_off_at_the_end() -> None:
    """A UTF-8 text whose last character was cut in half still decodes as UTF-8."""
    assert decode("café naïve €".encode()[:-1]) == "café naïve "


def test_binary_rejected() -> None:
    """PNG bytes are reported as binary."""
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(500)
    with pytest.raises(InputError) as err:
        decode(data)
    assert "binary" in message(err)


def test_control_bytes_rejected() -> None:
    """Data that is mostly control bytes (no NUL) is reported as binary."""
    with pytest.raises(InputError) as err:
        decode(b"ab\x01\x02\x03\x04\x05\x06cd" * 50)
    assert "binary" in message(err)


# --- load_bytes / load_file ----------------------------------------------------------------------


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_load_cp1252_file(tmp_path: Path) -> None:
    """A Windows-1252 .txt file loads with its accents and curly quotes."""
    text = f"Café society\n\nThe “naïve” café charged 5 € a cup. {PARAGRAPH}"
    doc = load_file(write(tmp_path / "cafe.txt", text.encode("cp1252")))
    assert doc.title == "Café society"
    assert doc.text == f"The “naïve” café charged 5 € a cup. {PARAGRAPH}"
    assert doc.source == "cafe.txt"


def test_load_latin1_file(tmp_path: Path) -> None:
    """An ISO-8859-1 .txt file loads correctly."""
    doc = load_file(write(tmp_path / "note.txt", "Der naïve Gast aß im Café.".encode("latin-1")))
    assert doc.text == "Der naïve Gast aß im Café."


def test_load_utf8_bom_file(tmp_path: Path) -> None:
    """A UTF-8 file with a BOM loads without the BOM in title or text."""
    doc = load_file(write(tmp_path / "bom.txt", "\ufeffTitle\n\nCafé naïve.".encode()))
    assert (doc.title, doc.text) == ("Title", "Café naïve.")


def test_load_windows_1251_html(tmp_path: Path) -> None:
    """A page declaring <meta charset="windows-1251"> loads as Russian text."""
    body = "".join(f"<p>{p}</p>" for p in RUSSIAN)
    page = (
        '<html><head><meta charset="windows-1251"><title>Новый бюджет</title></head>'
        f"<body><article><h1>Новый бюджет</h1>{body}</article></body></html>"
    )
    doc = load_file(write(tmp_path / "ru.html", page.encode("cp1251")))
    assert doc.title == "Новый бюджет"
    assert RUSSIAN[0] in doc.text
    assert RUSSIAN[-1] in doc.text


def test_title_falls_back_to_file_name(tmp_path: Path) -> None:
    """Without a title line, the tidied file name is the title."""
    doc = load_file(write(tmp_path / "council_budget-notes.txt", PARAGRAPH.encode()))
    assert doc.title == "Council budget notes"


def test_markdown_title_from_heading() -> None:
    """A leading '# Heading' is the title; the rest stays Markdown."""
    doc = load_bytes(b"# Budget *news*\n\nThe **council** met.\n\n## Later\n\n- a\n- b\n", "b.md")
    assert doc.title == "Budget *news*"
    assert doc.text == "The **council** met.\n\n## Later\n\n- a\n- b"


def test_content_type_decides() -> None:
    """A text/html content type (with charset) is used even without a file extension."""
    page = f"<html><body><article><p>{PARAGRAPH}</p></article></body></html>"
    doc = load_bytes(page.encode("cp1252"), "article", "text/html; charset=windows-1252")
    assert doc.text == PARAGRAPH


def test_empty_file_rejected(tmp_path: Path) -> None:
    """An empty file is reported as empty, by name."""
    with pytest.raises(InputError) as err:
        load_file(write(tmp_path / "empty.txt", b""))
    assert message(err) == "empty.txt is empty"


def test_whitespace_file_rejected(tmp_path: Path) -> None:
    """A file of whitespace only is reported as empty."""
    with pytest.raises(InputError) as err:
        load_file(write(tmp_path / "blank.txt", b" \n\t\r\n  \n"))
    assert message(err) == "blank.txt is empty"


def test_binary_file_behind_txt_name_rejected(tmp_path: Path) -> None:
    """A PNG renamed to .txt is reported as binary."""
    data = b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(2000)
    with pytest.raises(InputError) as err:
        load_file(write(tmp_path / "photo.txt", data))
    assert message(err) == "photo.txt: this looks like a binary file, not text"


def test_unknown_extension_rejected(tmp_path: Path) -> None:
    """A .png file is refused with the accepted kinds."""
    data = b"\x89PNG\r\n\x1a\n" + random.Random(3).randbytes(2000)
    with pytest.raises(InputError) as err:
        load_file(write(tmp_path / "photo.png", data))
    assert message(err) == "cannot read this kind of file (.png): use .txt, .md, .html or .pdf"


def test_directory_rejected(tmp_path: Path) -> None:
    """A directory is refused, naming it."""
    with pytest.raises(InputError) as err:
        load_file(tmp_path)
    assert "is a directory" in message(err)
    assert str(tmp_path) in message(err)


def test_missing_file_rejected(tmp_path: Path) -> None:
    """A missing file is reported with its path."""
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError) as err:
        load_file(missing)
    assert message(err) == f"file not found: {missing}"


def test_file_over_default_limit_rejected(tmp_path: Path) -> None:
    """A (sparse) file just over 10 MB is refused from its size, with size and limit in MB."""
    big = tmp_path / "big.txt"
    with big.open("wb") as file:
        file.truncate(MAX_TEXT_BYTES + 1)
    with pytest.raises(InputError) as err:
        load_file(big)
    assert message(err).endswith("big.txt is too large (10.1 MB); the limit is 10 MB")


def test_bytes_over_given_limit_rejected() -> None:
    """load_bytes refuses data over the limit it is given."""
    with pytest.raises(InputError) as err:
        load_bytes(b"x" * 3 * 1024 * 1024, "three.txt", max_bytes=2 * 1024 * 1024)
    assert message(err) == "three.txt is too large (3 MB); the limit is 2 MB"


# --- extract_html --------------------------------------------------------------------------------


@pytest.mark.parametrize("page", english_pages(), ids=lambda p: str(p["id"]))
def test_real_page_matches_gold(page: dict[str, Any]) -> None:
    """The main text of a real news page has bag-of-words F1 >= 0.85 against the gold text."""
    html = (ARTICLES / page["html"]).read_text(encoding="utf-8")
    gold = (ARTICLES / page["gold_text"]).read_text(encoding="utf-8")
    doc = extract_html(html, url=page["url"])
    assert bag_f1(doc.text, gold) >= 0.85
    assert doc.title.strip()


def test_real_pages_selected() -> None:
    """The shared benchmark still has the four English pages the test above uses."""
    assert len(english_pages()) == 4


def test_paragraphs_separated_by_blank_line() -> None:
    """Extracted paragraphs are joined by exactly one blank line."""
    second = "The mayor said the work would start in spring and end before the autumn."
    page = f"<html><body><article><p>{PARAGRAPH}</p><p>{second}</p></article></body></html>"
    assert extract_html(page).text == f"{PARAGRAPH}\n\n{second}"


def test_canonical_url_preferred() -> None:
    """The page's <link rel=canonical> (resolved against the URL) is the document's URL."""
    page = (
        '<html><head><title>Budget</title><link rel="canonical" href="/news/budget"></head>'
        f"<body><article><p>{PARAGRAPH}</p></article></body></html>"
    )
    doc = extract_html(page, url="https://example.com/news/budget?utm_source=x")
    assert doc.url == "https://example.com/news/budget"
    assert doc.title == "Budget"


def test_page_without_article_rejected() -> None:
    """A page of navigation links only has no article text."""
    links = "".join(
        f'<li><a href="/s{n}">Section number {n} of the site</a></li>' for n in range(12)
    )
    page = f"<html><head><title>Home</title></head><body><nav><ul>{links}</ul></nav></body></html>"
    with pytest.raises(InputError) as err:
        extract_html(page)
    assert message(err) == "no article text found on this page"


def test_garbage_html_rejected() -> None:
    """Markup soup without text is an InputError, not a parser exception."""
    with pytest.raises(InputError) as err:
        extract_html("<<<>>><?xml ?><!DOCTYPE <html <body")
    message(err)


# --- PDF ---------------------------------------------------------------------------------------

HARBOUR = [
    "The harbour of the old town was built in 1820 by local fishermen who needed",
    "a safe place for their boats during the winter storms that hit the coast.",
    "It is still used today.",
    "Every summer the town holds a festival on the quay, with music and food",
    "stalls, and thousands of visitors come from the cities inland to see it.",
]


def test_pdf_text_and_title_are_read() -> None:
    """A PDF's text comes out in paragraphs, its metadata title as the title."""
    doc = load_bytes(make_pdf([HARBOUR], title="Harbour history"), "harbour.pdf")
    assert doc.title == "Harbour history"
    assert doc.text.startswith("The harbour of the old town")
    assert "It is still used today.\n\nEvery summer" in doc.text


def test_pdf_is_recognised_by_content_type_and_by_content() -> None:
    """An upload named without extension, or served as application/pdf, is read as PDF."""
    data = make_pdf([HARBOUR])
    assert "festival" in load_bytes(data, "upload").text
    assert "festival" in load_bytes(data, "page", "application/pdf").text


def test_pdf_without_text_is_refused() -> None:
    """A PDF with no text layer (a scan) gets a clear message."""
    with pytest.raises(InputError) as err:
        load_bytes(make_pdf([[]]), "scan.pdf")
    assert "no text" in message(err)


def test_damaged_pdf_is_refused() -> None:
    """A truncated PDF is one clear line, not a pypdf traceback."""
    with pytest.raises(InputError) as err:
        load_bytes(make_pdf([HARBOUR])[:60], "broken.pdf")
    assert "PDF" in message(err)

"""Tests for index.ingest.load: files and uploads of every kind to a Document."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from index.errors import InputError
from index.ingest.load import MAX_TEXT_BYTES, load_bytes, load_file, read_file
from tests.index.ingest.samples import PARAGRAPH, RUSSIAN, message


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


def test_file_without_a_headline_has_no_title(tmp_path: Path) -> None:
    """Without a first line that looks like a headline, the title is unknown (None), not the
    file name: titles come from the text."""
    doc = load_file(write(tmp_path / "council_budget-notes.txt", PARAGRAPH.encode()))
    assert doc.title is None
    assert doc.source == "council_budget-notes.txt"


def test_file_takes_its_headline_as_title(tmp_path: Path) -> None:
    """A title-less file whose first line is a headline (short, no final full stop) takes it."""
    text = f"Council fails to agree on the bridge budget\n\n{PARAGRAPH}"
    doc = load_file(write(tmp_path / "council_budget-notes.txt", text.encode()))
    assert (doc.title, doc.text) == ("Council fails to agree on the bridge budget", PARAGRAPH)


def test_html_file_without_a_title_takes_a_headline_only() -> None:
    """An HTML file with no <title> or heading is untitled unless its first paragraph reads
    as a headline (it used to take the first sentence, cut at 100 characters)."""
    page = f"<html><body><article><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></article></body></html>"
    assert load_bytes(page.encode(), "notes.html").title is None


def test_markdown_title_from_heading() -> None:
    """A leading '# Heading' is the title; the rest is text without marks, headings kept."""
    doc = load_bytes(b"# Budget *news*\n\nThe **council** met.\n\n## Later\n\n- a\n- b\n", "b.md")
    assert doc.title == "Budget news"
    assert doc.text == "The council met.\n\n## Later\n\n- a\n- b"


def test_content_type_decides() -> None:
    """A text/html content type (with charset) is used even without a file extension."""
    page = f"<html><body><article><p>{PARAGRAPH}</p></article></body></html>"
    doc = load_bytes(page.encode("cp1252"), "article", "text/html; charset=windows-1252")
    assert doc.text == PARAGRAPH


def test_charset_given_apart_from_the_media_type() -> None:
    """A charset passed on its own (as a fetch reports it) decides the decoding."""
    text = "Привет, мир. " * 3
    doc = load_bytes(text.encode("koi8-r"), "note", "text/plain", charset="koi8-r")
    assert doc.text == text.strip()


def test_separate_charset_wins_over_the_header() -> None:
    """A charset passed on its own is used rather than the one in a Content-Type header."""
    text = "Привет, мир. " * 3
    doc = load_bytes(text.encode("koi8-r"), "note", "text/plain; charset=cp1251", charset="koi8-r")
    assert doc.text == text.strip()


def test_link_with_unknown_extension_is_sniffed() -> None:
    """A link's .php extension says nothing: without a content type its HTML is sniffed."""
    page = f"<!doctype html><html><body><article><p>{PARAGRAPH}</p></article></body></html>"
    doc = load_bytes(page.encode(), "https://example.com/story.php")
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


def test_unknown_media_type_rejected() -> None:
    """Bytes served as image/png are refused, naming the media type."""
    with pytest.raises(InputError) as err:
        load_bytes(b"\x89PNG\r\n\x1a\n", "https://example.com/photo", "image/png")
    assert message(err) == "cannot read this kind of file (image/png): use .txt, .md, .html or .pdf"


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


def test_read_file_over_a_small_limit_rejected(tmp_path: Path) -> None:
    """read_file refuses a file over the limit it is given, in KB for small sizes."""
    with pytest.raises(InputError) as err:
        read_file(write(tmp_path / "note.txt", b"x" * 3000), max_bytes=2048)
    assert message(err).endswith("note.txt is too large (3 KB); the limit is 2 KB")


def test_bytes_over_given_limit_rejected() -> None:
    """load_bytes refuses data over the limit it is given."""
    with pytest.raises(InputError) as err:
        load_bytes(b"x" * 3 * 1024 * 1024, "three.txt", max_bytes=2 * 1024 * 1024)
    assert message(err) == "three.txt is too large (3 MB); the limit is 2 MB"

"""Tests for index.ingest.pdf: the text and metadata of PDFs."""

from __future__ import annotations

import pytest

from index.errors import InputError
from index.ingest.load import load_bytes
from index.ingest.pdf import extract_pdf
from tests.helpers.documents import make_pdf
from tests.index.ingest.samples import HARBOUR, message


def test_pdf_text_and_title_are_read() -> None:
    """A PDF's text comes out in paragraphs, its metadata title as the title."""
    doc = load_bytes(make_pdf([HARBOUR], title="Harbour history"), "harbour.pdf")
    assert doc.title == "Harbour history"
    assert doc.text.startswith("The harbour of the old town")
    assert "It is still used today.\n\nEvery summer" in doc.text


def test_pdf_without_a_title_has_none() -> None:
    """A PDF with no metadata title and no title-like first line has no title (None)."""
    assert extract_pdf(make_pdf([HARBOUR])).title is None


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


def test_short_pdf_with_readable_text_is_accepted() -> None:
    """A short PDF whose text pypdf reads (one notice of a dozen words) is an article."""
    notice = "The harbour office is closed on Monday for the festival. It opens on Tuesday."
    doc = load_bytes(make_pdf([[notice]]), "notice.pdf")
    assert doc.text == notice


def test_damaged_pdf_is_refused() -> None:
    """A truncated PDF is one clear line, not a pypdf traceback."""
    with pytest.raises(InputError) as err:
        load_bytes(make_pdf([HARBOUR])[:60], "broken.pdf")
    assert "PDF" in message(err)

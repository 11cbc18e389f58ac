"""Reading documents in a child process with a time limit."""

from collections.abc import AsyncIterator

import pytest

from index.errors import InputError
from index.workers import Reader
from tests.helpers.documents import make_pdf


@pytest.fixture
async def reader() -> AsyncIterator[Reader]:
    opened = Reader(time_limit=20)
    yield opened
    await opened.close()


async def test_a_document_is_read_in_the_child(reader: Reader) -> None:
    """The child's Document comes back whole."""
    document = await reader.read(b"Title\n\nOtters hold hands while they sleep.", "otters.txt")
    assert (document.title, document.text) == ("Title", "Otters hold hands while they sleep.")


async def test_input_errors_come_back_as_one_line(reader: Reader) -> None:
    """A bad file's message crosses the process boundary unchanged."""
    with pytest.raises(InputError, match="empty"):
        await reader.read(b"   ", "blank.txt")


async def test_a_reader_over_the_time_limit_is_killed_and_replaced(reader: Reader) -> None:
    """A page that takes too long is abandoned; the next document is read by a new child."""
    big = ("<p>" + "word " * 200 + "</p>") * 2000  # seconds of trafilatura work
    html = f"<html><body><article>{big}</article></body></html>".encode()
    reader.time_limit = 0.5
    with pytest.raises(InputError, match=r"took longer than 0\.5 s"):
        await reader.read(html, "huge.html")
    reader.time_limit = 20
    document = await reader.read(b"Otters hold hands while they sleep.", "otters.txt")
    assert document.text == "Otters hold hands while they sleep."


async def test_pdfs_are_read_in_the_child(reader: Reader) -> None:
    """PDF parsing happens in the child too."""
    lines = [
        "The lighthouse keeper lived alone on the rock for thirty years and kept",
        "the lamp burning every night of the year, even in the great storm.",
    ]
    document = await reader.read(make_pdf([lines]), "keeper.pdf")
    assert "thirty years" in document.text

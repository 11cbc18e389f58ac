"""Reading documents in a child process with a time limit."""

import pytest
from documents import make_pdf

from index.errors import InputError
from index.workers import load_in_worker


async def test_a_document_is_read_in_a_child_process() -> None:
    """The child's Document comes back whole."""
    data = b"Title\n\nOtters hold hands while they sleep."
    document = await load_in_worker(data, "otters.txt")
    assert (document.title, document.text) == ("Title", "Otters hold hands while they sleep.")


async def test_input_errors_come_back_as_one_line() -> None:
    """A bad file's message crosses the process boundary unchanged."""
    with pytest.raises(InputError, match="empty"):
        await load_in_worker(b"   ", "blank.txt")


async def test_a_reader_over_the_time_limit_is_killed() -> None:
    """A page that takes too long is abandoned with a clear message."""
    big = ("<p>" + "word " * 200 + "</p>") * 2000  # seconds of trafilatura work
    html = f"<html><body><article>{big}</article></body></html>".encode()
    with pytest.raises(InputError, match=r"took longer than 0\.2 s"):
        await load_in_worker(html, "huge.html", time_limit=0.2)


async def test_pdfs_are_read_in_the_worker() -> None:
    """PDF parsing happens in the child too."""
    lines = [
        "The lighthouse keeper lived alone on the rock for thirty years and kept",
        "the lamp burning every night of the year, even in the great storm.",
    ]
    document = await load_in_worker(make_pdf([lines]), "keeper.pdf")
    assert "thirty years" in document.text

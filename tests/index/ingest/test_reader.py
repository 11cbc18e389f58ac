"""Tests for index.ingest.reader: reading documents in a child process with a time limit."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from index.errors import InputError
from index.ingest.load import RawDocument
from index.ingest.reader import Reader
from tests.helpers.documents import make_pdf

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def reader() -> AsyncIterator[Reader]:
    opened = Reader(time_limit=20)
    yield opened
    await opened.close()


async def test_a_document_is_read_in_the_child(reader: Reader) -> None:
    """The child's Document comes back whole."""
    document = await reader.read(
        RawDocument(b"Title\n\nOtters hold hands while they sleep.", "otters.txt")
    )
    assert (document.title, document.text) == ("Title", "Otters hold hands while they sleep.")


async def test_input_errors_come_back_as_one_line(reader: Reader) -> None:
    """A bad file's message crosses the process boundary unchanged."""
    with pytest.raises(InputError, match="empty"):
        await reader.read(RawDocument(b"   ", "blank.txt"))


async def test_a_reader_over_the_time_limit_is_killed_and_replaced(reader: Reader) -> None:
    """A page that takes too long is abandoned; the next document is read by a new child."""
    big = ("<p>" + "word " * 200 + "</p>") * 2000  # seconds of trafilatura work
    html = f"<html><body><article>{big}</article></body></html>".encode()
    reader.time_limit = 0.5
    with pytest.raises(InputError, match=r"took longer than 0\.5 s"):
        await reader.read(RawDocument(html, "huge.html"))
    reader.time_limit = 20
    document = await reader.read(RawDocument(b"Otters hold hands while they sleep.", "otters.txt"))
    assert document.text == "Otters hold hands while they sleep."


async def test_pdfs_are_read_in_the_child(reader: Reader) -> None:
    """PDF parsing happens in the child too."""
    lines = [
        "The lighthouse keeper lived alone on the rock for thirty years and kept",
        "the lamp burning every night of the year, even in the great storm.",
    ]
    document = await reader.read(RawDocument(make_pdf([lines]), "keeper.pdf"))
    assert "thirty years" in document.text


async def test_the_charset_reaches_the_child(reader: Reader) -> None:
    """A charset given apart from the media type decides the decoding in the child."""
    data = "Привет, мир.".encode("koi8-r")
    document = await reader.read(RawDocument(data, "note", "text/plain", charset="koi8-r"))
    assert document.text == "Привет, мир."


async def test_the_size_limit_applies_in_the_child(reader: Reader) -> None:
    """The limit given to read is the one the child enforces."""
    with pytest.raises(InputError, match=r"^big\.txt is too large \(3 KB\); the limit is 2 KB$"):
        await reader.read(RawDocument(b"x" * 3000, "big.txt", max_bytes=2048))


def test_the_child_runs_as_a_module_and_ends_with_its_input() -> None:
    """`python -m index.ingest` starts cleanly (no warning) and ends when stdin closes."""
    done = subprocess.run(
        [sys.executable, "-m", "index.ingest"],
        input=b"",
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")


async def test_a_document_of_several_pieces_comes_back_whole(reader: Reader) -> None:
    """Frames are sent and read a piece (1 MiB) at a time: a 3 MB text crosses in pieces."""
    text = "".join(f"Otter number {i} holds hands while it sleeps.\n" for i in range(70_000))
    document = await reader.read(RawDocument(text.encode(), "otters.txt", max_bytes=1 << 23))
    assert document.text == text.rstrip("\n")

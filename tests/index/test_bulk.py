"""Bulk adding (`Library.add_many`): documents analysed ahead, written a batch at a time."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from index import bulk
from index.bulk import AddResult, Outcome
from index.errors import CitebotError, InputError
from index.ingest import Document
from index.library import Library

TOPICS = ["lighthouses", "volcanoes", "glaciers", "orchards", "harbours", "bridges"]


def _doc(n: int) -> Document:
    topic = TOPICS[n % len(TOPICS)]
    return Document(
        title=f"Article {n}",
        text=f"The {topic} of region {n} were surveyed in detail. Surveyors counted {n} of them.",
    )


async def _all(library: Library, documents: list[Document | CitebotError]) -> list[Outcome]:
    return [outcome async for outcome in library.add_many("c", documents)]


async def test_every_document_is_added_and_found(location: str) -> None:
    """Each document is added once, its outcome in its place, and its words are found."""
    documents: list[Document | CitebotError] = [_doc(n) for n in range(8)]
    async with Library.open(location) as library:
        outcomes = await _all(library, documents)
        answer = await library.ask("c", "Which glaciers were surveyed?", k=3)
    assert [o.status for o in outcomes if isinstance(o, AddResult)] == ["added"] * 8
    assert [o.article.title for o in outcomes if isinstance(o, AddResult)] == [
        f"Article {n}" for n in range(8)
    ]
    assert {r.article.title for r in answer.results} <= {"Article 2", "Article 8"}
    assert answer.results[0].article.title == "Article 2"


async def test_errors_come_back_in_their_place(location: str) -> None:
    """An error given in a document's place, and a document without text, fail alone."""
    given = InputError("line 2 is not JSON")
    documents: list[Document | CitebotError] = [
        _doc(1), given, Document(title="empty", text="  "), _doc(3)
    ]  # fmt: skip
    async with Library.open(location) as library:
        outcomes = await _all(library, documents)
        articles = await library.articles("c")
    assert outcomes[1] is given
    assert isinstance(outcomes[2], InputError)
    assert [o.article.title for o in outcomes if isinstance(o, AddResult)] == [
        "Article 1", "Article 3"
    ]  # fmt: skip
    assert len(articles) == 2


async def test_the_same_content_again_is_a_duplicate(location: str) -> None:
    """Content already stored, or given twice in the bulk, is reported, not added again."""
    async with Library.open(location) as library:
        await library.add("c", _doc(1))
        outcomes = await _all(library, [_doc(1), _doc(2), _doc(2)])
        articles = await library.articles("c")
    statuses = [o.status for o in outcomes if isinstance(o, AddResult)]
    assert statuses == ["duplicate", "added", "duplicate"]
    assert len(articles) == 2


async def test_a_batch_is_one_write(location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents are written a batch at a time: one change in the log per batch."""
    monkeypatch.setattr(bulk, "BATCH_PASSAGES", 3)  # each _doc is one passage
    async with Library.open(location) as library:
        store = library._store
        before = await store.latest_change()
        await _all(library, [_doc(n) for n in range(7)])
        changes = await store.changes_since(before)
    assert changes is not None
    assert [len(change.added) for change in changes] == [3, 3, 1]


async def test_worker_processes_analyse_a_long_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the first documents, worker processes analyse: the same articles result."""
    monkeypatch.setattr(bulk, "IN_THREAD", 2)
    async with Library.open(tmp_path / "bulk.db") as library:
        outcomes = await _all(library, [_doc(n) for n in range(6)])
        answer = await library.ask("c", "Which volcanoes were surveyed?", k=1)
    assert [o.status for o in outcomes if isinstance(o, AddResult)] == ["added"] * 6
    assert answer.results[0].article.title in ("Article 1", "Article 7")


async def test_worker_processes_are_sent_documents_a_chunk_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documents go to the worker processes three at a time (the last chunk as it is waited
    for); a document of a chunk that cannot be added fails alone, in its place; the articles
    keep their texts."""
    monkeypatch.setattr(bulk, "IN_THREAD", 0)
    monkeypatch.setattr(bulk, "CHUNK", 3)
    sent: list[int] = []

    class Pool(ThreadPoolExecutor):  # the tasks counted (threads: no pickling of the test)
        def __init__(self, workers: int, mp_context: object) -> None:
            super().__init__(workers)

        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            sent.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(bulk, "ProcessPoolExecutor", Pool)
    empty = Document(title="empty", text="  ")
    documents: list[Document | CitebotError] = [_doc(0), empty, _doc(2), _doc(3), empty]
    async with Library.open(tmp_path / "bulk.db") as library:
        outcomes = await _all(library, documents)
        added = [o.article.id for o in outcomes if isinstance(o, AddResult)]
        texts = [await library._store.get_text(article_id) for article_id in added]
    assert sent == [3, 2]
    assert texts == [_doc(n).text for n in (0, 2, 3)]  # left out of the replies, put back
    assert [type(o).__name__ for o in outcomes] == [
        "AddResult", "InputError", "AddResult", "AddResult", "InputError"
    ]  # fmt: skip


async def test_a_closing_library_refuses_bulk_adding(tmp_path: Path) -> None:
    async with Library.open(tmp_path / "closing.db") as library:
        await library.close()
        with pytest.raises(CitebotError):
            await _all(library, [_doc(1)])

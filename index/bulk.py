"""Bulk adding (`Library.add_many`): many documents analysed in worker processes, written a
batch at a time.

Adding one article at a time costs a transaction, a change in the log and a catch-up each, and
analyses on one core. Here documents are analysed ahead of writing, by worker processes (the
analysis is pure Python: threads would share one core), and their articles written some
thousands of passages at once: one transaction (`Store.insert_articles`), the new terms given
ids once, one catch-up. A document that cannot be added (no text, say) fails alone; each
document's outcome comes out in the order the documents came in.

The worker processes are spawned: like any `multiprocessing` user, a script that adds in bulk
keeps its top-level work under ``if __name__ == "__main__":`` (a worker imports the script).
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Literal

from index.analyzer import AnalyzerSettings
from index.errors import CitebotError
from index.indexes import Indexes
from index.indexing import Analysed, analyzer_for, prepare, with_term_ids
from index.ingest import Document
from index.passages import PassageSettings
from index.settings import LibrarySettings
from index.store.base import ArticleInfo, NewArticle, Store
from index.store.columns import NewPassages
from index.vocabulary import Vocabulary

BATCH_PASSAGES = 5_000  # passages written per transaction
AHEAD = 32  # documents analysed ahead of the one being waited for, per worker
IN_THREAD = 16  # documents analysed in a thread before worker processes are started
CHUNK = 8  # documents sent to a worker process at once


@dataclass(frozen=True)
class AddResult:
    status: Literal["added", "duplicate"]
    article: ArticleInfo


Outcome = AddResult | CitebotError
Prepared = tuple[Analysed, NewArticle]


@dataclass(frozen=True)
class Writing:
    """What bulk adding needs of the library: where to write, its write lock, its count of
    writes in progress (closing waits for them), and how to analyse."""

    store: Store
    indexes: Indexes
    lock: asyncio.Lock
    writing: Callable[[], AbstractAsyncContextManager[None]]
    settings: LibrarySettings


async def add_many(
    parts: Writing,
    collection: str,
    documents: Iterable[Document | CitebotError],
    added_by: str | None = None,
) -> AsyncIterator[Outcome]:
    """Each document's outcome, in order; an error given in a document's place (a line that
    could not be read, say) comes back in its place."""
    async with parts.writing():
        analysis = _Analysis(parts.settings, collection, added_by)
        items = iter(documents)
        pending: deque[asyncio.Future[Prepared] | CitebotError] = deque()
        batch: list[tuple[int, Prepared]] = []
        done: dict[int, Outcome] = {}
        writing: asyncio.Task[dict[int, Outcome]] | None = None  # the batch being written
        size = given = taken = 0
        try:
            while True:
                while len(pending) < analysis.ahead and (item := next(items, None)) is not None:
                    pending.append(item if isinstance(item, CitebotError) else analysis(item))
                if not pending and not writing:
                    break
                if pending:
                    analysis.needs(pending[0])
                    prepared = await _outcome(pending.popleft())
                    if isinstance(prepared, CitebotError):
                        done[taken] = prepared
                    else:
                        batch.append((taken, prepared))
                        size += len(prepared[0].passages)
                    taken += 1
                if writing and (writing.done() or not pending or size >= BATCH_PASSAGES):
                    done.update(await writing)
                    writing = None
                if not writing and batch and (size >= BATCH_PASSAGES or not pending):
                    # written while the next batch is analysed and received
                    writing = asyncio.create_task(_write(parts, batch))
                    batch, size = [], 0
                while given in done:
                    yield done.pop(given)
                    given += 1
        finally:
            for future in pending:
                if isinstance(future, asyncio.Future):
                    future.cancel()
            if writing:  # given up on (the caller stopped reading, or was cancelled)
                writing.cancel()
                await asyncio.wait([writing])
            analysis.close()


async def _outcome(head: asyncio.Future[Prepared] | CitebotError) -> Prepared | CitebotError:
    """A document analysed, or why it cannot be added."""
    try:
        return head if isinstance(head, CitebotError) else await head
    except CitebotError as exc:
        return exc


class _Analysis:
    """Documents analysed in a worker thread, then (from the `IN_THREAD`-th on: a long run)
    in worker processes, one per core: the analysis is pure Python, and threads would share
    one core. The processes are spawned, inheriting no threads or open files. They are sent
    `CHUNK` documents at a time: each task costs the pool's threads and the event loop a few
    hops (about 20 us of CPU a passage when sent one by one)."""

    def __init__(self, settings: LibrarySettings, collection: str, added_by: str | None) -> None:
        self._args = (collection, added_by, settings.analyzer, settings.passages)
        self._loop = asyncio.get_running_loop()
        self._thread = ThreadPoolExecutor(1)
        self._processes: ProcessPoolExecutor | None = None
        self._held: list[tuple[Document, asyncio.Future[Prepared]]] = []  # not sent yet
        self._given = 0
        self.workers = os.cpu_count() or 1
        self.ahead = AHEAD * self.workers  # documents under way at most

    def __call__(self, document: Document) -> asyncio.Future[Prepared]:
        self._given += 1
        if self._given <= IN_THREAD:
            return self._loop.run_in_executor(self._thread, _prepare, document, *self._args)
        future = self._loop.create_future()
        self._held.append((document, future))
        if len(self._held) >= CHUNK:
            self._send()
        return future

    def needs(self, future: asyncio.Future[Prepared] | CitebotError) -> None:
        """Send the documents held back if `future` (about to be waited for) is one of them."""
        if any(held is future for _, held in self._held):
            self._send()

    def _send(self) -> None:
        if self._processes is None:
            spawn = multiprocessing.get_context("spawn")
            self._processes = ProcessPoolExecutor(self.workers, mp_context=spawn)
        documents = [document for document, _ in self._held]
        futures = [future for _, future in self._held]
        self._held = []
        sent = self._loop.run_in_executor(self._processes, _prepare_all, documents, *self._args)
        sent.add_done_callback(functools.partial(_settle, documents, futures))

    def close(self) -> None:
        for _, future in self._held:
            future.cancel()
        self._thread.shutdown(wait=False, cancel_futures=True)
        if self._processes is not None:
            self._processes.shutdown(wait=False, cancel_futures=True)


def _settle(
    documents: list[Document],
    futures: list[asyncio.Future[Prepared]],
    sent: asyncio.Future[list[Prepared | CitebotError]],
) -> None:
    """Each document's future of a chunk given its outcome (on the event loop's thread), the
    article's text put back where the worker left it out (`_prepare_all`)."""
    failed = None if sent.cancelled() else sent.exception()
    for i, future in enumerate(futures):
        if future.done():  # cancelled: given up on
            continue
        if sent.cancelled():
            future.cancel()
        elif failed is not None:
            future.set_exception(failed)
        else:
            outcome = sent.result()[i]
            if isinstance(outcome, CitebotError):
                future.set_exception(outcome)
            else:
                analysed, article = outcome
                if not article.text:
                    article = replace(article, text=documents[i].text)
                future.set_result((analysed, article))


def _prepare(
    document: Document,
    collection: str,
    added_by: str | None,
    analyzer: AnalyzerSettings,
    passages: PassageSettings,
) -> Prepared:
    """`indexing.prepare` in a worker (its analyzer made once per worker)."""
    return prepare(document, collection, added_by, analyzer_for(analyzer), passages)


def _prepare_all(
    documents: list[Document],
    collection: str,
    added_by: str | None,
    analyzer: AnalyzerSettings,
    passages: PassageSettings,
) -> list[Prepared | CitebotError]:
    """`_prepare` of each document, or why it cannot be added; an article's text is left out
    (`""`) where it is the document's, as it mostly is: the parent has it (`_settle`), and the
    replies are a third smaller to send through the pool's pipe."""
    outcomes: list[Prepared | CitebotError] = []
    for document in documents:
        try:
            analysed, article = _prepare(document, collection, added_by, analyzer, passages)
        except CitebotError as exc:
            outcomes.append(exc)
            continue
        if article.text == document.text:
            article = replace(article, text="")
        outcomes.append((analysed, article))
    return outcomes


async def _write(parts: Writing, batch: list[tuple[int, Prepared]]) -> dict[int, Outcome]:
    """Write a batch of analysed articles in one transaction, then catch up once."""
    async with parts.lock:
        analysed = [a for _, (a, _) in batch]
        passages, new_terms = await asyncio.to_thread(
            _with_term_ids, analysed, parts.indexes.vocabulary
        )
        articles = [(article, p) for (_, (_, article)), p in zip(batch, passages, strict=True)]
        try:
            written = await parts.store.insert_articles(articles, new_terms)
        except CitebotError as exc:  # busy, or the database failed: every one of the batch
            return {i: exc for i, _ in batch}
        await parts.indexes.catch_up()
    return {
        i: AddResult("duplicate" if w.duplicate else "added", w.article)
        for (i, _), w in zip(batch, written, strict=True)
    }


def _with_term_ids(
    analysed: list[Analysed], vocabulary: Vocabulary
) -> tuple[list[NewPassages], list[str]]:
    """`indexing.with_term_ids` for several articles at once, their new terms named by
    provisional ids shared by all (-1 for the first new term of any of them, ...), and those
    terms."""
    shared: dict[str, int] = {}
    return [with_term_ids(article, vocabulary, shared)[0] for article in analysed], list(shared)

"""The library: add articles, ask questions, get verbatim quotes. The one API callers use.

A façade over the parts named in the README's "How it works": `Sources` reads documents,
`indexing` turns them into passages with term ids, the `Store` keeps them, `Indexes` holds each
collection's BM25 index in memory, and `rank` turns a question into quoted results.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, TypeVar

from index.analyzer import Analyzer, Token
from index.asking import Asked, Sizes, answer, quoted, search
from index.bulk import AddResult, Outcome, Writing, add_many
from index.community import Community
from index.compute import Compute
from index.copying import CopyProgress, CopyReport, copy_library
from index.errors import CitebotError, ClosingError, InputError, StorageError
from index.following import Following
from index.guilds import Shards
from index.indexes import Indexes, Saved, _Loaded
from index.indexing import Analysed, Preparation, reindex, with_term_ids
from index.ingest import Document, normalise
from index.rank import Candidates, Result, with_fragments
from index.settings import LibrarySettings
from index.sources import Progress, Sources, report
from index.store import CommunityStore, open_store
from index.store.base import ArticleInfo, FeedInfo, NewArticle, Passages
from index.suggest import Suggestions
from index.web import FeedReport, normalize_url

log = logging.getLogger(__name__)

T = TypeVar("T")
Topics = Sequence[str]  # the topics a question is asked within

MAX_RESULTS = 10
CLOSE_GRACE = 10.0  # seconds writes in progress get to finish when the library closes


@dataclass(frozen=True)
class RefreshResult:
    status: Literal["updated", "unchanged"]
    article: ArticleInfo


@dataclass(frozen=True)
class Answer:
    question: str
    took_ms: float
    results: list[Result]
    unknown_words: list[str]  # question words that occur nowhere in this library
    searched: int  # passages in the collection


class Library:
    """Articles grouped in collections, searchable with BM25, answering with verbatim quotes."""

    def __init__(self, store: CommunityStore, settings: LibrarySettings) -> None:
        self._store = store
        self.community = Community(store)
        self.settings = settings
        self._analyzer = Analyzer(settings.analyzer)
        self.suggestions = Suggestions(store, self._analyzer)  # did you mean
        self._write_lock = asyncio.Lock()  # one write at a time
        self._indexes = Indexes(settings.bm25, store)
        self._compute = Compute()  # the CPU work of asking
        self._sources = Sources(settings.fetch, settings.extract_time_limit)
        self._feeds = Following(store, self._sources, self._add_url, settings.feed_retry)
        self._writes = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        location: str | Path,
        settings: LibrarySettings | None = None,
        *,
        create: bool = True,
        writable: bool = True,
    ) -> AsyncIterator[Library]:
        """Open the library at `location` (a file's path, or a `postgresql://` URL),
        re-indexing if the analysis settings changed.

        A library that does not exist yet is created if `create`, else "no library at PATH".
        A caller that only reads passes `writable=False`: a library this process may not write
        is then opened read-only (writes refused, never re-indexed) instead of refused.
        """
        settings = settings or LibrarySettings()
        async with open_store(location, create=create, writable=writable) as store:
            library = cls(store, settings)
            try:
                await library._check_settings()
                yield library
            finally:
                await library.close()
                library._compute.close()

    async def close(self, grace: float = CLOSE_GRACE) -> None:
        """Refuse new writes, give those in progress (and indexes being saved) `grace` seconds
        each, release the resources. Idempotent; `open` calls it on the way out, and a caller
        may call it earlier (the bot does, so that replies to finishing writes are sent)."""
        if not self._closing:
            self._closing = True
            if self._writes:
                log.info("waiting for %d library writes to finish", self._writes)
            try:
                async with asyncio.timeout(grace):
                    await self._idle.wait()
            except TimeoutError:
                log.warning("closing with %d writes unfinished; they roll back", self._writes)
            await self._indexes.close(grace)
        await self._sources.close()

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        """Count a write in progress; refused once closing has begun."""
        if self._closing:
            raise ClosingError()
        self._writes += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._writes -= 1
            if not self._writes:
                self._idle.set()

    async def _write(self, work: Callable[[], Awaitable[T]]) -> T:
        async with self._writing():
            return await work()

    @property
    def location(self) -> str:
        """Where the library is: its file's path, or its database's URL (without password)."""
        return self._store.location

    # --- adding ----------------------------------------------------------------------------

    async def add(
        self,
        collection: str,
        document: Document,
        added_by: str | None = None,
        progress: Progress | None = None,
    ) -> AddResult:
        """Add an article to a collection; the same content twice is reported, not duplicated."""
        return await self._write(lambda: self._add(collection, document, added_by, progress))

    def add_many(
        self, collection: str, documents: Iterable[Document | CitebotError], by: str | None = None
    ) -> AsyncIterator[Outcome]:
        """Add many documents at once (`bulk`): each one's outcome, in order."""
        parts = Writing(self._store, self._indexes, self._write_lock, self._writing, self.settings)
        return add_many(parts, collection, documents, by)

    async def save_index(self, collection: str) -> Saved | None:
        """Save the collection's index now if its next start would read it slowly (`save_now`)."""
        return await self._indexes.save_now(collection)

    async def add_bytes(
        self,
        collection: str,
        data: bytes,
        name: str,
        content_type: str | None = None,
        added_by: str | None = None,
        progress: Progress | None = None,
    ) -> AddResult:
        """Add a file's bytes (.txt, .md, .html, .pdf), read in a worker process."""

        async def work() -> AddResult:
            await report(progress, "reading")
            document = await self._sources.read_bytes(data, name, content_type)
            return await self._add(collection, document, added_by, progress)

        return await self._write(work)

    async def add_file(self, collection: str, path: Path, added_by: str | None = None) -> AddResult:
        """Add a file from disk (its size checked before it is read)."""

        async def work() -> AddResult:
            document = await self._sources.read_file(path)
            return await self._add(collection, document, added_by)

        return await self._write(work)

    async def add_url(
        self,
        collection: str,
        url: str,
        added_by: str | None = None,
        progress: Progress | None = None,
    ) -> AddResult:
        """Fetch a web page (or PDF) safely, extract its article and add it.

        The same link (after normalisation, and the page's canonical link) is not fetched or
        added twice in a collection.
        """
        return await self._write(lambda: self._add_url(collection, url, added_by, progress))

    async def _add_url(
        self, collection: str, url: str, added_by: str | None, progress: Progress | None = None
    ) -> AddResult:
        url = normalize_url(url)
        existing = await self._store.find_by_url(collection, url)
        if existing is not None:
            return AddResult("duplicate", existing)
        document = await self._sources.fetch_document(url, progress)
        if document.url != url:
            existing = await self._store.find_by_url(collection, document.url or url)
            if existing is not None:
                return AddResult("duplicate", existing)
        return await self._add(collection, document, added_by, progress)

    async def _add(
        self,
        collection: str,
        document: Document,
        added_by: str | None,
        progress: Progress | None = None,
        keep: ArticleInfo | None = None,
    ) -> AddResult:
        analysed, article = await self._analyse(collection, document, added_by)
        if keep is not None:  # a copy keeps the article's number and date
            article = replace(article, id=keep.id, added_at=keep.added_at)
        await report(progress, "indexing")
        async with self._write_lock:
            existing = await self._store.find_by_hash(collection, analysed.digest)
            if existing is not None:
                return AddResult("duplicate", existing)
            passages, new_terms = await self._term_ids(analysed)
            written = await self._store.insert_article(article, passages, new_terms)
            if written.duplicate:
                return AddResult("duplicate", written.article)
            await self._indexes.catch_up()
        info = written.article
        log.info("added article %s (%d passages) to %s", info.id, info.passages, collection)
        return AddResult("added", info)

    async def refresh(
        self, collection: str, article_id: int, progress: Progress | None = None
    ) -> RefreshResult:
        """Fetch an article's page again and, if its text changed, replace its passages."""
        return await self._write(lambda: self._refresh(collection, article_id, progress))

    async def _refresh(
        self, collection: str, article_id: int, progress: Progress | None
    ) -> RefreshResult:
        old = await self._store.get_article(collection, article_id)
        if not old.url:
            raise InputError(f"article {article_id} was not added from a link: nothing to refresh")
        document = await self._sources.fetch_document(old.url, progress)
        analysed, article = await self._analyse(
            collection, replace(document, source=old.source), old.added_by
        )
        await report(progress, "indexing")
        async with self._write_lock:
            current = await self._store.find_by_hash(collection, analysed.digest)
            if current is not None and current.id == article_id:
                return RefreshResult("unchanged", current)
            if current is not None:
                raise InputError(
                    f"the page now has the same text as article {current.id}"
                    + (f" ({current.title})" if current.title else "")
                )
            passages, new_terms = await self._term_ids(analysed)
            written = await self._store.replace_article(article_id, article, passages, new_terms)
            await self._indexes.catch_up()
        log.info("refreshed article %s (%d passages)", article_id, written.article.passages)
        return RefreshResult("updated", written.article)

    async def _analyse(
        self, collection: str, document: Document, added_by: str | None
    ) -> tuple[Analysed, NewArticle]:
        analysis = self.settings.analyzer, self.settings.passages
        job = Preparation(document, collection, added_by, *analysis)
        return await self._sources.prepare(job, self._analyzer)

    async def _term_ids(self, analysed: Analysed) -> tuple[Passages, list[str]]:
        return await asyncio.to_thread(with_term_ids, analysed, self._indexes.vocabulary)

    # --- feeds -----------------------------------------------------------------------------

    async def add_feed(self, collection: str, url: str, added_by: str | None = None) -> FeedInfo:
        """Follow an RSS/Atom feed, given its link or a page that links to it."""
        return await self._write(lambda: self._feeds.add(collection, url, added_by))

    async def feeds(self, collection: str) -> list[FeedInfo]:
        return await self._store.list_feeds(collection)

    async def remove_feed(self, collection: str, feed_id: int) -> FeedInfo:
        """Stop following a feed (the articles it brought stay)."""
        return await self._write(lambda: self._store.remove_feed(collection, feed_id))

    async def poll_feeds(
        self, collection: str | None = None, shards: Shards | None = None
    ) -> list[FeedReport]:
        """One round: add the new entries of every feed (of one collection, or all; with
        `shards`, only of the servers on those shards)."""
        return await self._write(lambda: self._feeds.poll(collection, shards))

    # --- asking ----------------------------------------------------------------------------

    async def ask(
        self, collection: str, question: str, k: int = 3, *, topics: Topics = (), earlier: str = ""
    ) -> Answer:
        """The k passages that best answer `question` (normalised as articles are: "harb\u200bour"
        finds what "harbour" finds), each with its quote; with `topics`, among their articles'
        only; a follow-up's `earlier` question's terms count too, at a lower weight.

        Its CPU work runs on the compute thread, questions first come, first served, so that a
        burst keeps the event loop responsive (`index.compute`, `index.asking`).
        """
        started = time.perf_counter()
        question = normalise(question)
        if not question.strip():
            raise InputError("the question is empty: ask something about the articles")
        k = max(1, min(k, MAX_RESULTS))
        await self._indexes.check()  # another process may have written since
        loaded = await self._indexes.get(collection)
        # more candidates than asked for: re-ranked, some may cover too little of the question
        sizes = (max(k + 2, self.settings.rank.pool), k)
        within = await self._store.topic_passages(collection, topics) if topics else None
        asked = Asked(question, normalise(earlier), within)
        vocabulary, reader = self._indexes.vocabulary, self._store.reader()
        if reader is not None:  # the whole answer in one piece of work
            where = (collection, reader)
            tokens, found, results = await self._compute.run(
                started, answer, self._analyzer, vocabulary, loaded, asked, sizes,
                self.settings.rank, where,
            )  # fmt: skip
        else:
            tokens, found, results = await self._answer(started, collection, loaded, asked, sizes)
        unknown = [question[t.start : t.end] for t in tokens if t.term not in found.present]
        took = (time.perf_counter() - started) * 1000
        return Answer(question, took, results, list(dict.fromkeys(unknown)), len(loaded.index))

    async def _answer(
        self, started: float, collection: str, loaded: _Loaded, asked: Asked, sizes: Sizes
    ) -> tuple[list[Token], Candidates, list[Result]]:
        """`asking.answer` for a store read asynchronously: reads between pieces of work."""
        vocabulary, run, analyzer = self._indexes.vocabulary, self._compute.run, self._analyzer
        tokens, found = await run(started, search, analyzer, vocabulary, loaded, asked, sizes[0])
        if not found.hits:
            return tokens, found, []
        rows = await self._store.get_passages(collection, [h.doc_id for h in found.hits])
        query, settings = (tokens, vocabulary), self.settings.rank
        results = await run(started, quoted, found, rows, query, analyzer, settings, sizes[1])
        # the text directive of each linked quote: it needs the whole article's text
        linked = {r.article.id for r in results if r.article.url}
        texts = {i: await self._store.get_text(i) for i in linked}
        return tokens, found, await run(started, with_fragments, results, texts)

    # --- articles --------------------------------------------------------------------------

    async def articles(self, collection: str) -> list[ArticleInfo]:
        return await self._store.list_articles(collection)

    async def collections(self) -> list[str]:
        return await self._store.list_collections()

    async def get(self, collection: str, article_id: int) -> tuple[ArticleInfo, str]:
        """An article's metadata and its full stored text."""
        info = await self._store.get_article(collection, article_id)
        return info, await self._store.get_text(article_id)

    async def remove(self, collection: str, article_id: int) -> ArticleInfo:
        async with self._writing(), self._write_lock:
            info, _ = await self._store.delete_article(collection, article_id)
            await self._indexes.catch_up()
        log.info("removed article %s from %s", article_id, collection)
        return info

    # --- copying ---------------------------------------------------------------------------

    async def copy_to(self, target: Library, progress: CopyProgress | None = None) -> CopyReport:
        """Copy every article (keeping its number), feed and seen feed entry into `target`;
        a second run copies nothing (see `copying`)."""
        return await copy_library(self._store, target._store, target._copy_article, progress)

    async def _copy_article(self, info: ArticleInfo, text: str) -> AddResult:
        document = Document(
            info.title, text, url=info.url, author=info.author, date=info.date,
            site=info.site, source=info.source,
        )  # fmt: skip
        return await self._write(
            lambda: self._add(info.collection, document, info.added_by, keep=info)
        )

    # --- settings changes ------------------------------------------------------------------

    async def _check_settings(self) -> None:
        """Re-index every article if the stored analysis or passage settings differ; then read
        the vocabulary (the indexes are read when first asked). Other processes may open the
        library at the same moment, or write to it while this one re-indexes: a re-index whose
        library changed meanwhile is thrown away and the check made again."""
        wanted = self.settings.stored()
        while (stored := await self._store.get_settings(list(wanted))) != wanted:
            if self._store.read_only:
                raise StorageError(
                    f"{self.location} was indexed with other settings: open it once with write"
                    " access to re-index it"
                )
            if any(value is not None for value in stored.values()):
                log.warning("the index's settings changed: re-indexing %s", self.location)
            analyzer, passages = self._analyzer, self.settings.passages
            if await reindex(self._store, stored, wanted, analyzer, passages):
                break
        await self._indexes.catch_up()

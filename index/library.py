"""The library: add articles, ask questions, get verbatim quotes. The one API `bot/` uses.

Data flow. Adding: text -> passages of whole sentences (`passages`) -> terms per passage (`text`)
-> term ids (the vocabulary) -> one SQLite transaction (`store`) -> the collection's in-memory BM25
index (`bm25`). Asking: question -> terms -> postings search -> the passages' rows -> the quote
(`quotes`). Every collection has its own index, loaded from the stored terms on first use; a search
never crosses collections. CPU-heavy steps run in worker threads so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import math
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np

from index.analyzer import Analyzer, AnalyzerSettings
from index.bm25 import BM25Params, Hit, PassageIndex
from index.errors import InputError
from index.feeds import FeedReport
from index.fetch import FetchSettings, normalize_url
from index.ingest import Document
from index.passages import PassageSettings, Span, split_passages
from index.quotes import Quote, choose_quote
from index.sources import Progress, Sources
from index.sources import report as _report
from index.store import (
    ArticleInfo,
    FeedInfo,
    NewArticle,
    NewPassage,
    Store,
    StoredPassage,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

UNTITLED = "Untitled"  # shown for an article without a title (and not indexed)
MAX_QUESTION_TERMS = 32
MAX_RESULTS = 10
_WHITESPACE = re.compile(r"\s+")
_HASH_CHUNK = 1 << 16


@dataclass(frozen=True)
class LibrarySettings:
    """How text is analysed, split and ranked. Analysis and splitting are stored with the index."""

    analyzer: AnalyzerSettings = field(default_factory=AnalyzerSettings)
    passages: PassageSettings = field(
        default_factory=lambda: PassageSettings(
            target_words=120, max_words=170, min_words=55, title_weight=1
        )  # tuned on SQuAD (benchmarks/eval_squad.py)
    )
    bm25: BM25Params = field(default_factory=lambda: BM25Params(k1=0.6, b=0.45))  # tuned
    fetch: FetchSettings = field(default_factory=FetchSettings)
    extract_time_limit: float = 30.0  # seconds a page or file may take to read
    min_coverage: float = 0.2  # share of the question's weight a passage must contain
    rerank_pool: int = 10  # passages BM25 proposes for re-ranking
    rerank: float = 0.6  # weight of how well a passage's quote answers, against its BM25 score
    phrase: float = 1.0  # weight of the question's word pairs found side by side

    def stored(self) -> dict[str, str]:
        """The settings that shape the stored index (a change means re-indexing)."""
        return {"analyzer": self.analyzer.to_json(), "passages": self.passages.to_json()}


@dataclass(frozen=True)
class AddResult:
    status: Literal["added", "duplicate"]
    article: ArticleInfo


@dataclass(frozen=True)
class RefreshResult:
    status: Literal["updated", "unchanged"]
    article: ArticleInfo


@dataclass(frozen=True)
class Result:
    """One ranked passage with its quote. Offsets: quote in passage, highlights in quote."""

    rank: int
    score: float
    article: ArticleInfo
    passage: str
    quote_start: int
    quote_end: int
    highlights: tuple[Span, ...]

    @property
    def quote(self) -> str:
        return self.passage[self.quote_start : self.quote_end]


@dataclass(frozen=True)
class Answer:
    question: str
    took_ms: float
    results: list[Result]
    unknown_words: list[str]  # question words that occur nowhere in this library
    searched: int  # passages in the collection


def content_hash(text: str) -> str:
    """Identity of an article's content: the same words in the same order, case aside.

    Computed in chunks cut at white space, so that no single C call holds the GIL (and so the
    event loop) for long on a large article.
    """
    digest = hashlib.sha256()
    start = 0
    while start < len(text):
        end = min(start + _HASH_CHUNK, len(text))
        if end < len(text):
            space = _WHITESPACE.search(text, end)
            end = space.end() if space else len(text)
        words = unicodedata.normalize("NFC", text[start:end]).casefold().split()
        if words:
            digest.update((" ".join(words) + " ").encode("utf-8"))
        start = end
    return digest.hexdigest()


@dataclass(frozen=True)
class _Prepared:
    digest: str
    passages: list[NewPassage]
    terms: list[Counter[str]]


class _Collection:
    """A collection's BM25 index, guarded by a thread lock (it is used from worker threads)."""

    def __init__(self, index: PassageIndex) -> None:
        self.index = index
        self.lock = threading.Lock()


class Library:
    """Articles grouped in collections, searchable with BM25, answering with verbatim quotes."""

    def __init__(self, store: Store, settings: LibrarySettings, vocabulary: dict[str, int]) -> None:
        self._store = store
        self.settings = settings
        self._analyzer = Analyzer(settings.analyzer)
        self._vocabulary = vocabulary
        self._next_term_id = max(vocabulary.values(), default=0) + 1
        self._collections: dict[str, _Collection] = {}
        self._write_lock = asyncio.Lock()
        self._sources = Sources(settings.fetch, settings.extract_time_limit)

    @classmethod
    @asynccontextmanager
    async def open(
        cls, path: str | Path, settings: LibrarySettings | None = None
    ) -> AsyncIterator[Library]:
        """Open the library stored at `path`, re-indexing if the analysis settings changed."""
        settings = settings or LibrarySettings()
        async with Store.open(path) as store:
            library = cls(store, settings, await store.load_vocabulary())
            try:
                await library._check_settings()
                yield library
            finally:
                await library._sources.close()

    @property
    def path(self) -> Path:
        return self._store.path

    # --- adding ----------------------------------------------------------------------------

    async def add(
        self,
        collection: str,
        document: Document,
        added_by: str | None = None,
        progress: Progress | None = None,
    ) -> AddResult:
        """Add an article to a collection; the same content twice is reported, not duplicated."""
        prepared, article = await self._prepare_document(collection, document, added_by)
        await _report(progress, "indexing")
        async with self._write_lock:
            existing = await self._store.find_by_hash(collection, prepared.digest)
            if existing is not None:
                return AddResult("duplicate", existing)
            passages, new_terms = await asyncio.to_thread(self._assign_ids, prepared)
            info, ids = await self._store.insert_article(article, passages, new_terms)
            self._commit_terms(new_terms)
            await self._update_index(collection, [], ids, passages)
        log.info("added article %s (%d passages) to %s", info.id, len(ids), collection)
        return AddResult("added", info)

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
        await _report(progress, "reading")
        document = await self._sources.read_bytes(data, name, content_type)
        return await self.add(collection, document, added_by, progress)

    async def add_file(self, collection: str, path: Path, added_by: str | None = None) -> AddResult:
        """Add a file from disk (its size checked before it is read)."""
        document = await self._sources.read_file(path)
        return await self.add(collection, document, added_by)

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
        url = normalize_url(url)
        existing = await self._store.find_by_url(collection, url)
        if existing is not None:
            return AddResult("duplicate", existing)
        document = await self._fetch_document(url, progress)
        if document.url != url:
            existing = await self._store.find_by_url(collection, document.url or url)
            if existing is not None:
                return AddResult("duplicate", existing)
        return await self.add(collection, document, added_by, progress)

    async def refresh(
        self, collection: str, article_id: int, progress: Progress | None = None
    ) -> RefreshResult:
        """Fetch an article's page again and, if its text changed, replace its passages."""
        old = await self._store.get_article(collection, article_id)
        if not old.url:
            raise InputError(f"article {article_id} was not added from a link: nothing to refresh")
        document = await self._fetch_document(old.url, progress)
        prepared, article = await self._prepare_document(
            collection, replace(document, source=old.source), old.added_by
        )
        await _report(progress, "indexing")
        async with self._write_lock:
            current = await self._store.find_by_hash(collection, prepared.digest)
            if current is not None and current.id == article_id:
                return RefreshResult("unchanged", current)
            if current is not None:
                raise InputError(
                    f"the page now has the same text as article {current.id} ({current.title})"
                )
            passages, new_terms = await asyncio.to_thread(self._assign_ids, prepared)
            info, old_ids, new_ids = await self._store.replace_article(
                article_id, article, passages, new_terms
            )
            self._commit_terms(new_terms)
            await self._update_index(collection, old_ids, new_ids, passages)
        log.info("refreshed article %s (%d passages)", article_id, len(new_ids))
        return RefreshResult("updated", info)

    # --- feeds -----------------------------------------------------------------------------

    async def add_feed(self, collection: str, url: str, added_by: str | None = None) -> FeedInfo:
        """Register an RSS/Atom feed, given its link or a page that links to it."""
        feed_url, parsed = await self._sources.find_feed(url)
        return await self._store.add_feed(collection, feed_url, parsed.title, added_by)

    async def feeds(self, collection: str) -> list[FeedInfo]:
        return await self._store.list_feeds(collection)

    async def remove_feed(self, collection: str, feed_id: int) -> FeedInfo:
        """Stop following a feed (the articles it brought stay)."""
        return await self._store.remove_feed(collection, feed_id)

    async def poll_feeds(self, collection: str | None = None) -> list[FeedReport]:
        """One round: add the new entries of every feed (of one collection, or all)."""
        return [await self._poll(feed) for feed in await self._store.list_feeds(collection)]

    async def _poll(self, feed: FeedInfo) -> FeedReport:
        """Poll one feed; its failure is recorded on it, never raised."""
        try:
            parsed = await self._sources.read_feed(feed.url)
            seen = await self._store.seen_entries(feed.id)
            added = failed = 0
            for entry in reversed(parsed.entries):  # oldest first
                if entry.key in seen:
                    continue
                try:
                    result = await self.add_url(feed.collection, entry.url, f"feed {feed.id}")
                except InputError as exc:
                    await self._store.record_entry(feed.id, entry.key, entry.url, None, str(exc))
                    failed += 1
                    continue
                await self._store.record_entry(
                    feed.id, entry.key, entry.url, result.article.id, None
                )
                added += result.status == "added"
        except InputError as exc:
            await self._store.record_poll(feed.id, None, str(exc))
            return FeedReport(feed.id, feed.url, 0, 0, str(exc))
        except Exception:
            log.exception("polling feed %s failed", feed.url)
            await self._store.record_poll(feed.id, None, "internal error (see the bot's log)")
            return FeedReport(feed.id, feed.url, 0, 0, "internal error")
        await self._store.record_poll(feed.id, parsed.title, None)
        return FeedReport(feed.id, feed.url, added, failed, None)

    # --- fetching ----------------------------------------------------------------------------

    async def _fetch_document(self, url: str, progress: Progress | None) -> Document:
        return await self._sources.fetch_document(url, progress)

    async def _prepare_document(
        self, collection: str, document: Document, added_by: str | None
    ) -> tuple[_Prepared, NewArticle]:
        """Check, split and analyse a document (in a thread) into what the store writes."""
        text = document.text
        if not text.strip():
            raise InputError(f"{document.title or 'the article'} has no text")
        title = " ".join(document.title.split()) or UNTITLED
        # the article's own title, not the "Untitled" shown for a missing one, goes into the index
        prepared = await asyncio.to_thread(self._prepare, text, document.title)
        if not prepared.passages:
            raise InputError(f"{title} has no sentences to index")
        article = NewArticle(
            collection=collection,
            title=title,
            text=text,
            content_hash=prepared.digest,
            url=document.url,
            author=document.author,
            date=document.date,
            site=document.site,
            source=document.source,
            added_by=added_by,
        )
        return prepared, article

    async def _update_index(
        self,
        collection: str,
        removed: Sequence[int],
        added: Sequence[int],
        passages: Sequence[NewPassage],
    ) -> None:
        """Apply a committed change to the collection's index, if it is loaded."""
        loaded = self._collections.get(collection)
        if loaded is not None:
            await self._in_index(loaded, _apply, removed, added, passages)

    def _prepare(self, text: str, title: str) -> _Prepared:
        """Split and analyse an article (CPU-bound; runs in a worker thread).

        Each passage's terms include the article's title terms (`title_weight` times), so that a
        passage is found by what the article is about even where it does not name it again.
        """
        passages = split_passages(text, self.settings.passages)
        weight = self.settings.passages.title_weight
        title_terms = Counter(self._analyzer.terms(title)) if weight else Counter()
        terms = []
        for p in passages:
            counts = Counter(self._analyzer.terms(text[p.start : p.end]))
            for term, n in title_terms.items():
                counts[term] += n * weight
            terms.append(counts)
        stored = [
            NewPassage(p.start, p.end, p.sentences, np.empty(0, np.int32), np.empty(0, np.int32))
            for p in passages
        ]
        return _Prepared(content_hash(text), stored, terms)

    def _assign_ids(self, prepared: _Prepared) -> tuple[list[NewPassage], list[tuple[int, str]]]:
        """Term ids for a prepared article; new terms get fresh ids (committed by the caller)."""
        new_terms: dict[str, int] = {}
        passages = []
        for passage, counts in zip(prepared.passages, prepared.terms, strict=True):
            ids = []
            for term in counts:
                term_id = self._vocabulary.get(term) or new_terms.get(term)
                if term_id is None:
                    term_id = new_terms[term] = self._next_term_id + len(new_terms)
                ids.append(term_id)
            passages.append(
                NewPassage(
                    passage.start,
                    passage.end,
                    passage.sentences,
                    np.array(ids, dtype=np.int32),
                    np.fromiter(counts.values(), dtype=np.int32, count=len(counts)),
                )
            )
        return passages, [(term_id, term) for term, term_id in new_terms.items()]

    def _commit_terms(self, new_terms: Sequence[tuple[int, str]]) -> None:
        for term_id, term in new_terms:
            self._vocabulary[term] = term_id
        self._next_term_id += len(new_terms)

    # --- asking ----------------------------------------------------------------------------

    async def ask(self, collection: str, question: str, k: int = 3) -> Answer:
        """The k passages that best answer `question`, each with its quote."""
        started = time.perf_counter()
        if not question.strip():
            raise InputError("the question is empty: ask something about the articles")
        k = max(1, min(k, MAX_RESULTS))
        tokens = await asyncio.to_thread(self._analyzer.tokens, question)
        query = {
            term: (self._vocabulary.get(term), n)
            for term, n in Counter(t.term for t in tokens).items()
        }
        results: list[Result] = []
        present: set[str] = set()
        loaded = await self._collection(collection)
        if query:
            # more candidates than asked for: they are re-ranked, and some may cover too
            # little of the question
            pool = max(k + 2, self.settings.rerank_pool)
            hits, weights, present = await self._in_index(loaded, _search, query, pool)
            if hits:
                rows = await self._store.get_passages(collection, [h.doc_id for h in hits])
                sequence = [t.term for t in tokens]
                results = await asyncio.to_thread(self._results, hits, rows, weights, sequence, k)
        unknown = [question[t.start : t.end] for t in tokens if t.term not in present]
        unknown = list(dict.fromkeys(unknown))
        took = (time.perf_counter() - started) * 1000
        return Answer(question, took, results, unknown, len(loaded.index))

    def _results(
        self,
        hits: Sequence[Hit],
        rows: Mapping[int, StoredPassage],
        weights: Mapping[str, float],
        question: Sequence[str],
        k: int,
    ) -> list[Result]:
        """Quote the candidate passages, re-rank them and keep the best k (in a worker thread).

        A passage's coverage is the weight of the question terms it contains over the weight of
        all of them; below `min_coverage` it matches the question only incidentally (a question
        about jobs on Mars against an article that merely says "jobs") and is dropped. The rest
        are ranked by their BM25 score (relative to the best) plus `rerank` times how well their
        quote answers: the share of the question's weight the quote contains, plus `phrase`
        times the share of the question's adjacent term pairs that occur side by side in the
        passage. BM25 finds the neighbourhood; the quote and word order pick the answer in it.
        """
        settings = self.settings
        total = sum(weights.values())
        pairs = {(a, b) for a, b in itertools.pairwise(question) if a != b and a in weights}
        pairs = {(a, b) for a, b in pairs if b in weights}
        pairs_weight = sum(weights[a] + weights[b] for a, b in pairs)
        candidates: list[tuple[float, Hit, StoredPassage, Quote]] = []
        for hit in hits:
            row = rows.get(hit.doc_id)
            if row is None:  # removed since the search
                continue
            tokens = self._analyzer.tokens(row.text)
            terms = [t.term for t in tokens]
            found = set(terms) & weights.keys()
            if sum(weights[t] for t in found) < settings.min_coverage * total:
                continue
            quote = choose_quote(row.text, row.sentences, tokens, weights)
            answers = sum(weights[t] for t in quote.terms) / total
            if pairs:
                adjacent = pairs & set(itertools.pairwise(terms))
                answers += (
                    settings.phrase
                    * sum(weights[a] + weights[b] for a, b in adjacent)
                    / (pairs_weight)
                )
            candidates.append((answers, hit, row, quote))
        if not candidates:
            return []
        best = max(hit.score for _, hit, _, _ in candidates) or 1.0
        ranked = sorted(
            (
                (hit.score / best + settings.rerank * answers, hit, row, quote)
                for answers, hit, row, quote in candidates
            ),
            key=lambda c: -c[0],
        )
        return [
            Result(
                rank=rank,
                score=score,
                article=row.article,
                passage=row.text,
                quote_start=quote.start,
                quote_end=quote.end,
                highlights=quote.highlights,
            )
            for rank, (score, _, row, quote) in enumerate(ranked[:k], 1)
        ]

    # --- collections -----------------------------------------------------------------------

    async def _collection(self, name: str) -> _Collection:
        """The collection's index, loaded from the stored terms on first use."""
        loaded = self._collections.get(name)
        if loaded is not None:
            return loaded
        async with self._write_lock:  # no add may slip between loading and registering
            loaded = self._collections.get(name)
            if loaded is None:
                index = PassageIndex(self.settings.bm25)
                async for batch in self._store.load_postings(name):
                    await asyncio.to_thread(_load, index, *batch)
                loaded = self._collections[name] = _Collection(index)
        return loaded

    @staticmethod
    async def _in_index(loaded: _Collection, fn: Callable[..., T], *args: object) -> T:
        def locked() -> T:
            with loaded.lock:
                return fn(loaded.index, *args)

        return await asyncio.to_thread(locked)

    async def articles(self, collection: str) -> list[ArticleInfo]:
        return await self._store.list_articles(collection)

    async def get(self, collection: str, article_id: int) -> tuple[ArticleInfo, str]:
        """An article's metadata and its full stored text."""
        info = await self._store.get_article(collection, article_id)
        return info, await self._store.get_text(article_id)

    async def remove(self, collection: str, article_id: int) -> ArticleInfo:
        async with self._write_lock:
            info, passage_ids = await self._store.delete_article(collection, article_id)
            await self._update_index(collection, passage_ids, [], [])
        log.info("removed article %s from %s", article_id, collection)
        return info

    # --- settings changes ------------------------------------------------------------------

    async def _check_settings(self) -> None:
        wanted = self.settings.stored()
        stored = {key: await self._store.get_meta(key) for key in wanted}
        if stored == wanted:
            return
        if any(value is not None for value in stored.values()):
            log.warning("analysis settings changed: re-indexing %s", self.path)
        self._vocabulary.clear()
        self._next_term_id = 1
        rebuilt: list[tuple[int, str, Sequence[NewPassage]]] = []
        all_terms: list[tuple[int, str]] = []
        async for article_id, collection, title, text in self._store.iter_articles():
            indexed_title = "" if title == UNTITLED else title
            prepared = await asyncio.to_thread(self._prepare, text, indexed_title)
            passages, new_terms = await asyncio.to_thread(self._assign_ids, prepared)
            self._commit_terms(new_terms)
            all_terms.extend(new_terms)
            rebuilt.append((article_id, collection, passages))
        await self._store.replace_index(wanted, all_terms, rebuilt)


def _load(index: PassageIndex, ids: list[int], term_blobs: list[bytes], freqs: list[bytes]) -> None:
    """Load a batch of stored passages (batches keep the memory peak of start-up low)."""
    index.load(
        ids,
        [np.frombuffer(b, dtype="<i4") for b in term_blobs],
        [np.frombuffer(b, dtype="<i4") for b in freqs],
    )


def _apply(
    index: PassageIndex,
    removed: Sequence[int],
    added: Sequence[int],
    passages: Sequence[NewPassage],
) -> None:
    index.remove(removed)
    for passage_id, passage in zip(added, passages, strict=True):
        index.add(passage_id, passage.term_ids, passage.term_freqs)


def _search(
    index: PassageIndex, query: Mapping[str, tuple[int | None, int]], k: int
) -> tuple[list[Hit], dict[str, float], set[str]]:
    """Search with the question's most specific terms.

    Returns the hits, each question term's weight (its IDF times its count; a term the collection
    lacks weighs as much as the rarest possible term) and the terms that occur in the collection.
    """
    absent = math.log((len(index) + 0.5) / 0.5)
    idf = {
        t: index.idf(term_id) if term_id is not None else 0.0 for t, (term_id, _) in query.items()
    }
    present = {t for t, value in idf.items() if value > 0}
    kept = sorted(present, key=lambda t: -idf[t])[:MAX_QUESTION_TERMS]
    search = {term_id: n for t in kept for term_id, n in [query[t]] if term_id is not None}
    hits = index.search(search, k) if search else []
    weights = {t: (idf[t] if t in present else absent) * n for t, (_, n) in query.items()}
    return hits, weights, present

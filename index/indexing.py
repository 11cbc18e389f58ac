"""A document -> what the store writes: the article, its passages with term ids, a content hash.

CPU-bound: the library runs these functions in worker threads (`reindex` excepted).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import chain, count

import numpy as np

from index.analyzer import Analyzer, AnalyzerSettings
from index.errors import InputError
from index.ingest import Document, normalise
from index.passages import PassageSettings, Span, iter_passages
from index.store.base import NewArticle, Store
from index.store.columns import TOKENS_SPAN_MAX, NewPassages, Ragged
from index.vocabulary import IdTerms, Vocabulary

_WHITESPACE = re.compile(r"\s+")
_MAPPED = 500  # passages whose terms are given their places in one C call (`Analysed.of`)
_TAKEN = 1 << 18  # tokens whose places are mapped to term ids in one C call (`with_term_ids`)
# seconds of analysis between two moments it lets go of the GIL of its own accord (`analyse`,
# in a worker thread): the event loop's thread, waiting for the GIL, then takes it at once
# instead of after the 5 ms switch interval, twice a turn (a 1 MB article's analysis, about
# 0.2 s in a thread, stalled the loop 10-18 ms again and again); every 2 or 3 ms left more
# waits over 10 ms, for no faster add
_SHARE = 0.001
_HASH_CHUNK = 1 << 16
_ASCII = re.compile(r"[\x00-\x7f]")
# characters of text from which an article is analysed in the reader child, not in a thread
# (about a third of a second of analysis and more: see `Preparation`)
LARGE_TEXT = 1 << 20


def _let_go() -> None:
    """Let go of the GIL of its own accord (work in a worker thread): a thread waiting for it,
    the event loop's, takes it at once instead of after the 5 ms switch interval."""
    time.sleep(0)


def content_hash(text: str) -> str:
    """Identity of an article's content: the same words in the same order, case aside.

    Computed in chunks cut at white space, so that no single C call holds the GIL (and so the
    event loop) for long on a large article; text without white space is cut before an ASCII
    character (which no normalisation joins to what precedes it), the word carried over.
    """
    digest = hashlib.sha256()
    start = 0
    open_word = False  # the last chunk ended inside a word
    while start < len(text):
        end = min(start + _HASH_CHUNK, len(text))
        if end < len(text):
            space = _WHITESPACE.search(text, end, end + _HASH_CHUNK)
            cut = space or _ASCII.search(text, end, end + _HASH_CHUNK)
            end = space.end() if space else cut.start() if cut else end
        chunk = unicodedata.normalize("NFC", text[start:end]).casefold()
        words = chunk.split()
        if open_word and (not words or chunk[0].isspace()):
            digest.update(b" ")
            open_word = False
        if words:
            digest.update(" ".join(words).encode("utf-8"))
            open_word = not chunk[-1].isspace()
            if not open_word:
                digest.update(b" ")
        start = end
        _let_go()
    if open_word:
        digest.update(b" ")
    return digest.hexdigest()


@dataclass(frozen=True)
class Analysed:
    """An article split and analysed: its passages, each one's term counts and its tokens'
    terms in order (stored, with their spans, so that a question never analyses a passage; none
    for a passage too long to store them). The terms are named by their place in `distinct`
    (the article's terms in order of first use), not yet by the vocabulary's ids: a few arrays
    and one string a term whatever the article's size, which the garbage collector does not
    follow and a worker process sends cheaply."""

    digest: str
    passages: NewPassages  # term_ids and token_ids: places in `distinct`
    distinct: list[str]

    @classmethod
    def of(
        cls,
        digest: str,
        passages: NewPassages,
        terms: list[dict[str, int]],
        tokens: list[list[str]],
    ) -> Analysed:
        """From each passage's term counts and tokens' terms, mapped `_MAPPED` passages a C
        call (a 10 MB article's 2 million tokens in one call held the GIL about 25 ms)."""
        places: dict[str, int] = {}
        term_ids, freqs, token_ids = [], [], []
        for start in range(0, len(terms), _MAPPED):
            counts = terms[start : start + _MAPPED]
            chunk = tokens[start : start + _MAPPED]
            new: Iterable[str] = dict.fromkeys(chain(*counts, *chunk))
            if places:  # a chunk after the first: its terms not placed yet
                new = [term for term in new if term not in places]
            places.update(zip(new, count(len(places))))  # in C, not a call a term
            term_ids.append(np.fromiter(map(places.__getitem__, chain(*counts)), np.int32))
            freqs.append(np.fromiter(chain.from_iterable(c.values() for c in counts), np.int32))
            token_ids.append(np.fromiter(map(places.__getitem__, chain(*chunk)), np.int32))
            _let_go()
        sizes = [len(c) for c in terms]
        passages = replace(
            passages,
            term_ids=_ragged(term_ids, sizes),
            term_freqs=_ragged(freqs, sizes),
            token_ids=_ragged(token_ids, (len(t) for t in tokens)),
        )
        return cls(digest, passages, list(places))

    @property
    def terms(self) -> list[dict[str, int]]:
        """Each passage's term counts."""
        ids, freqs = self.passages.term_ids, self.passages.term_freqs
        return [
            dict(zip(self._named(ids.row(i)), freqs.row(i).tolist(), strict=True))
            for i in range(len(self.passages))
        ]

    @property
    def tokens(self) -> list[tuple[str, ...]]:
        """Each passage's tokens' terms, in order."""
        ids = self.passages.token_ids
        return [tuple(self._named(ids.row(i))) for i in range(len(self.passages))]

    def _named(self, places: np.ndarray) -> list[str]:
        return [self.distinct[i] for i in places.tolist()]


def _ragged(parts: list[np.ndarray], rows: Iterable[int]) -> Ragged:
    values = np.concatenate(parts) if parts else np.empty(0, np.int32)
    return Ragged(values, np.cumsum(list(rows), dtype=np.int64))


def analyse(
    text: str, title: str | None, analyzer: Analyzer, settings: PassageSettings
) -> Analysed:
    """Split an article into passages and count each passage's terms.

    Each passage's terms include the article's title terms and those of the headings it is
    under (`title_weight` times each), so that a passage is found by what the article and its
    section are about even where it does not name them again. An article without a title has
    no title terms. Each passage is analysed as it is split and kept as numbers (see
    `NewPassages`), so that nothing made for a passage outlives it.
    """
    weight = settings.title_weight
    title_terms = Counter(analyzer.terms(title)) if weight and title else Counter[str]()
    heading_terms: dict[Span, Counter[str]] = {}
    bounds: list[int] = []  # start, end, heading start, heading end of each passage
    # every passage's sentences' starts and ends, and cuts, one list each (made arrays once)
    sentences: list[int] = []
    cuts: list[int] = []
    sentence_counts: list[int] = []
    terms = []
    tokens: list[list[str]] = []
    spans: list[np.ndarray] = []
    pause = time.perf_counter() + _SHARE
    for p in iter_passages(text, settings):
        if (now := time.perf_counter()) > pause:
            _let_go()
            pause = now + _SHARE
        bounds += (p.start, p.end, *(p.headings[-1] if p.headings else (-1, -1)))
        sentences += chain.from_iterable(p.sentences)
        cuts += p.cuts
        sentence_counts.append(len(p.cuts))
        passage_text = text[p.start : p.end]
        stored = p.end - p.start <= TOKENS_SPAN_MAX
        terms_in_order, passage_spans = analyzer.token_spans(
            passage_text, np.uint16 if stored else np.int32
        )
        tokens.append(terms_in_order if stored else [])
        spans.append(passage_spans if stored else np.empty(0, np.uint16))
        alike = analyzer.words_are_terms(passage_text)  # then its terms are its tokens'
        counts = Counter(terms_in_order if alike else analyzer.terms(passage_text))
        context = [title_terms]
        if weight:
            for start, end in p.headings:
                if (start, end) not in heading_terms:
                    heading_terms[start, end] = Counter(analyzer.terms(text[start:end]))
                context.append(heading_terms[start, end])
        for extra in context:
            for term, n in extra.items():
                counts[term] += n * weight
        terms.append(dict(counts.items()))  # dict(a Counter) would be followed by the collector
    table = np.array(bounds, np.int64).reshape(-1, 4)
    ends = np.cumsum(sentence_counts, dtype=np.int64)
    columns = NewPassages(
        spans=table[:, :2],
        headings=table[:, 2:],
        sentences=Ragged(np.array(sentences, np.int32), 2 * ends),
        cuts=Ragged(np.array(cuts, np.uint8), ends),
        term_ids=Ragged.empty(len(terms), np.int32),
        term_freqs=Ragged.empty(len(terms), np.int32),
        token_ids=Ragged.empty(len(terms), np.int32),
        token_spans=Ragged.of(spans, np.uint16),
        has_tokens=table[:, 1] - table[:, 0] <= TOKENS_SPAN_MAX,
    )
    return Analysed.of(content_hash(text), columns, terms, tokens)


def with_term_ids(
    analysed: Analysed, vocabulary: Vocabulary, shared: dict[str, int] | None = None
) -> tuple[NewPassages, list[str]]:
    """The passages with their term ids and counts, and the terms that need new ids, named in
    the passages by provisional ids -1, -2, ... (see `Vocabulary`; `shared` carries them over
    several articles written at once, the terms in the order of their ids). Each of the
    article's terms is looked up once, in order of first use; the passages' terms and tokens
    are then mapped in C, `_TAKEN` a call."""
    shared = {} if shared is None else shared
    distinct = analysed.distinct
    found = vocabulary.ids(distinct)
    new = -1
    while (new := _next_none(found, new + 1)) >= 0:  # a loop a new term, not a term
        found[new] = shared.setdefault(distinct[new], -1 - len(shared))
    ids = np.array(found, np.int32)

    def mapped(ragged: Ragged) -> Ragged:
        values = np.empty_like(ragged.values)
        for start in range(0, values.size, _TAKEN):
            values[start : start + _TAKEN] = ids[ragged.values[start : start + _TAKEN]]
        return Ragged(values, ragged.ends)

    passages = analysed.passages
    passages = replace(
        passages, term_ids=mapped(passages.term_ids), token_ids=mapped(passages.token_ids)
    )
    return passages, list(shared)


def _next_none(values: list[int | None], start: int) -> int:
    """The place of the first None in `values` from `start` on, -1 if none (in C)."""
    try:
        return values.index(None, start)
    except ValueError:
        return -1


def prepare(
    document: Document,
    collection: str,
    added_by: str | None,
    analyzer: Analyzer,
    settings: PassageSettings,
) -> tuple[Analysed, NewArticle]:
    """Check, split and analyse a document into the article the store writes.

    Whatever its source, its text and details are normalised as every article's and question's
    are (`normalise`: invisible and bidirectional control characters, lone surrogates).
    """
    document = _normalised(document)
    text = document.text
    title = " ".join((document.title or "").split()) or None
    if not text.strip():
        raise InputError(f"{title or 'the article'} has no text")
    analysed = analyse(text, title, analyzer, settings)
    if not analysed.passages:
        raise InputError(f"{title or 'the article'} has no sentences to index")
    article = NewArticle(
        collection=collection,
        title=title,
        text=text,
        content_hash=analysed.digest,
        url=document.url,
        author=document.author,
        date=document.date,
        site=document.site,
        source=document.source,
        added_by=added_by,
    )
    return analysed, article


@dataclass(frozen=True)
class Preparation:
    """`prepare`'s work, to be done in a thread or, for a large article, in the reader child
    (`Sources.prepare`): seconds of pure Python in a thread of the event loop's process share
    its GIL, and the loop's thread, which takes it back two or three times a turn, waits about
    a switch interval (5 ms) each time, then loses it again (a 10 MB article stalled the loop
    20-50 ms); another process has a GIL of its own."""

    document: Document
    collection: str
    added_by: str | None
    analyzer: AnalyzerSettings
    passages: PassageSettings

    @property
    def large(self) -> bool:
        return len(self.document.text) > LARGE_TEXT

    def prepared(self, analyzer: Analyzer) -> tuple[Analysed, NewArticle]:
        """`prepare` (in a thread of the library's process, with its analyzer)."""
        return prepare(self.document, self.collection, self.added_by, analyzer, self.passages)

    def load(self) -> tuple[Analysed, NewArticle]:
        """`prepare` in the reader child, the article's text left out (`""`) when it is the
        document's, as it mostly is: the parent has it (`with_text`), and a 10 MB article's
        reply is then half as large to send, copy and read."""
        analysed, article = self.prepared(analyzer_for(self.analyzer))
        if article.text == self.document.text:
            article = replace(article, text="")
        return analysed, article

    def with_text(self, article: NewArticle) -> NewArticle:
        """The `article` that `load` gave, with its text again (an article's is never empty)."""
        return article if article.text else replace(article, text=self.document.text)


@functools.cache
def analyzer_for(settings: AnalyzerSettings) -> Analyzer:
    """One analyzer a process for each settings (worker processes, the reader child)."""
    return Analyzer(settings)


def _normalised(document: Document) -> Document:
    def tidy(value: str | None) -> str | None:
        return normalise(value) if value else value

    return replace(
        document,
        title=tidy(document.title),
        text=normalise(document.text),
        url=tidy(document.url),
        author=tidy(document.author),
        date=tidy(document.date),
        site=tidy(document.site),
        source=tidy(document.source),
    )


async def reindex(
    store: Store,
    old: Mapping[str, str | None],
    wanted: dict[str, str],
    analyzer: Analyzer,
    settings: PassageSettings,
) -> bool:
    """Analyse every stored article again and replace the whole index (a settings change);
    False if another process changed the library meanwhile (nothing is written then)."""
    vocabulary = Vocabulary()
    rebuilt: list[tuple[int, str, NewPassages]] = []
    all_terms: IdTerms = []
    async for article in store.iter_articles():
        analysed = await asyncio.to_thread(analyse, article.text, article.title, analyzer, settings)
        passages, new = await asyncio.to_thread(with_term_ids, analysed, vocabulary)
        new_terms = vocabulary.allocate(new)
        passages = passages.resolved([term_id for term_id, _ in new_terms])
        vocabulary.commit(new_terms)
        all_terms.extend(new_terms)
        rebuilt.append((article.id, article.collection, passages))
    return await store.replace_index(old, wanted, all_terms, rebuilt)

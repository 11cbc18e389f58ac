"""A document -> what the store writes: the article, its passages with term ids, a content hash.

CPU-bound: the library runs these functions in worker threads (`reindex` excepted).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.analyzer import Analyzer
from index.errors import InputError
from index.ingest import Document, normalise
from index.passages import PassageSettings, split_passages
from index.store.base import NewArticle, NewPassage, Store, resolve_terms
from index.vocabulary import IdTerms, Vocabulary

_WHITESPACE = re.compile(r"\s+")
_HASH_CHUNK = 1 << 16
_EMPTY = np.empty(0, np.int32)  # term ids and counts, before ids are assigned


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
class Analysed:
    """An article split and analysed: its passages (without term ids yet) and their terms."""

    digest: str
    passages: list[NewPassage]
    terms: list[Counter[str]]


def analyse(
    text: str, title: str | None, analyzer: Analyzer, settings: PassageSettings
) -> Analysed:
    """Split an article into passages and count each passage's terms.

    Each passage's terms include the article's title terms (`title_weight` times), so that a
    passage is found by what the article is about even where it does not name it again. An
    article without a title has no title terms.
    """
    passages = split_passages(text, settings)
    weight = settings.title_weight
    title_terms = Counter(analyzer.terms(title)) if weight and title else Counter[str]()
    terms = []
    for p in passages:
        counts = Counter(analyzer.terms(text[p.start : p.end]))
        for term, n in title_terms.items():
            counts[term] += n * weight
        terms.append(counts)
    stored = [NewPassage(p.start, p.end, p.sentences, _EMPTY, _EMPTY) for p in passages]
    return Analysed(content_hash(text), stored, terms)


def with_term_ids(analysed: Analysed, vocabulary: Vocabulary) -> tuple[list[NewPassage], list[str]]:
    """The passages with their term ids and counts, and the terms that need new ids (named in
    the passages by provisional ids -1, -2, ...: see `Vocabulary`)."""
    arrays, new_terms = vocabulary.assign(analysed.terms)
    passages = [
        NewPassage(p.start, p.end, p.sentences, ids, freqs)
        for p, (ids, freqs) in zip(analysed.passages, arrays, strict=True)
    ]
    return passages, new_terms


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
    rebuilt: list[tuple[int, str, Sequence[NewPassage]]] = []
    all_terms: IdTerms = []
    async for article in store.iter_articles():
        analysed = await asyncio.to_thread(analyse, article.text, article.title, analyzer, settings)
        passages, new = await asyncio.to_thread(with_term_ids, analysed, vocabulary)
        new_terms = vocabulary.allocate(new)
        passages = resolve_terms(passages, [term_id for term_id, _ in new_terms])
        vocabulary.commit(new_terms)
        all_terms.extend(new_terms)
        rebuilt.append((article.id, article.collection, passages))
    return await store.replace_index(old, wanted, all_terms, rebuilt)

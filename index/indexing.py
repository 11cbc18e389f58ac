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
from typing import NamedTuple

import numpy as np

from index.analyzer import Analyzer, Token
from index.errors import InputError
from index.ingest import Document, normalise
from index.passages import PassageSettings, Span, split_passages
from index.store.base import NewArticle, NewPassage, Store, resolve_terms, tokens_stored
from index.vocabulary import IdTerms, Vocabulary

_WHITESPACE = re.compile(r"\s+")
_HASH_CHUNK = 1 << 16
_ASCII = re.compile(r"[\x00-\x7f]")
_EMPTY = np.empty(0, np.int32)  # term ids and counts, before ids are assigned


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
    if open_word:
        digest.update(b" ")
    return digest.hexdigest()


@dataclass(frozen=True)
class Analysed:
    """An article split and analysed: its passages (without term ids yet), their terms and
    their tokens (what quoting reads, stored so that a question never analyses a passage)."""

    digest: str
    passages: list[NewPassage]
    terms: list[dict[str, int]]
    tokens: list[PassageTokens] | None = None


class PassageTokens(NamedTuple):
    """A passage's tokens, compactly: their terms in order and their spans (`spans_of`)."""

    terms: list[str]
    spans: np.ndarray


def analyse(
    text: str, title: str | None, analyzer: Analyzer, settings: PassageSettings
) -> Analysed:
    """Split an article into passages and count each passage's terms.

    Each passage's terms include the article's title terms and those of the headings it is
    under (`title_weight` times each), so that a passage is found by what the article and its
    section are about even where it does not name them again. An article without a title has
    no title terms. The counts are plain dicts: the garbage collector need not follow them.
    """
    passages = split_passages(text, settings)
    weight = settings.title_weight
    title_terms = Counter(analyzer.terms(title)) if weight and title else Counter[str]()
    heading_terms: dict[Span, Counter[str]] = {}
    terms = []
    stored = []
    tokens = []
    seen: dict[str, str] = {}  # one string object per term of the article
    for p in passages:
        passage_tokens = _compact(analyzer.tokens(text[p.start : p.end]), seen)
        tokens.append(passage_tokens)
        counts = Counter(_terms(analyzer, text[p.start : p.end], passage_tokens))
        context = [title_terms]
        if weight:
            for start, end in p.headings:
                if (start, end) not in heading_terms:
                    heading_terms[start, end] = Counter(analyzer.terms(text[start:end]))
                context.append(heading_terms[start, end])
        for extra in context:
            for term, n in extra.items():
                counts[term] += n * weight
        terms.append(dict(counts))
        heading = p.headings[-1] if p.headings else None
        stored.append(NewPassage(p.start, p.end, p.sentences, _EMPTY, _EMPTY, p.cuts, heading))
    return Analysed(content_hash(text), stored, terms, tokens)


def _terms(analyzer: Analyzer, text: str, tokens: PassageTokens) -> list[str]:
    """`Analyzer.terms` of a passage: its tokens' terms where the text is ASCII (normalising
    ASCII only lowers its case, so words and terms are the same either way), else analysed."""
    return tokens.terms if text.isascii() else analyzer.terms(text)


def _compact(tokens: list[Token], seen: dict[str, str]) -> PassageTokens:
    """Tokens as a list of terms (each term's one string, from `seen`) and an int32 array of
    spans: a large article holds far fewer objects while it waits to be written."""
    spans = np.array([(t.start, t.end) for t in tokens], dtype=np.int32).reshape(-1)
    return PassageTokens([seen.setdefault(t.term, t.term) for t in tokens], spans)


def with_term_ids(analysed: Analysed, vocabulary: Vocabulary) -> tuple[list[NewPassage], list[str]]:
    """The passages with their term ids and counts, and the terms that need new ids (named in
    the passages by provisional ids -1, -2, ...: see `Vocabulary`)."""
    arrays, new_terms = vocabulary.assign(analysed.terms)
    passages = [
        replace(p, term_ids=ids, term_freqs=freqs)
        for p, (ids, freqs) in zip(analysed.passages, arrays, strict=True)
    ]
    if analysed.tokens is not None:
        ids_of = vocabulary.token_ids([t.terms for t in analysed.tokens], new_terms)
        passages = [
            replace(p, tokens=tokens_stored(tokens.spans, ids, p.end - p.start))
            for p, tokens, ids in zip(passages, analysed.tokens, ids_of, strict=True)
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

"""An article's text -> what the store writes: passages with their term ids, and a content hash.

CPU-bound: the library runs these functions in worker threads.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np

from index.analyzer import Analyzer
from index.passages import PassageSettings, split_passages
from index.store import NewPassage
from index.vocabulary import NewTerms, Vocabulary

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


def with_term_ids(analysed: Analysed, vocabulary: Vocabulary) -> tuple[list[NewPassage], NewTerms]:
    """The passages with their term ids and counts, and the terms that need new ids."""
    arrays, new_terms = vocabulary.assign(analysed.terms)
    passages = [
        NewPassage(p.start, p.end, p.sentences, ids, freqs)
        for p, (ids, freqs) in zip(analysed.passages, arrays, strict=True)
    ]
    return passages, new_terms

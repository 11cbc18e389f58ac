"""What the store keeps and returns: articles, passages and feeds as plain records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from index.passages import Span


@dataclass(frozen=True)
class ArticleInfo:
    """An article's metadata (not its text). `title` is None when the article has none."""

    id: int
    collection: str
    title: str | None
    url: str | None
    author: str | None
    date: str | None
    site: str | None
    source: str | None
    added_by: str | None
    added_at: str
    passages: int


@dataclass(frozen=True)
class FeedInfo:
    """A feed registered for a collection, with how its last poll went."""

    id: int
    collection: str
    url: str
    title: str | None
    added_by: str | None
    added_at: str
    last_polled: str | None
    last_error: str | None
    entries: int  # entries seen so far
    articles: int  # of which added as articles


@dataclass(frozen=True)
class NewArticle:
    """An article ready to be written: text, metadata and its passages' stored form."""

    collection: str
    title: str | None
    text: str
    content_hash: str
    url: str | None = None
    author: str | None = None
    date: str | None = None
    site: str | None = None
    source: str | None = None
    added_by: str | None = None


@dataclass(frozen=True)
class NewPassage:
    """A passage to store: its span of the article, its sentences, its terms' ids and counts."""

    start: int
    end: int
    sentences: Sequence[Span]
    term_ids: np.ndarray
    term_freqs: np.ndarray


@dataclass(frozen=True)
class StoredPassage:
    """A passage as returned for an answer: its text, sentence spans relative to it, its article."""

    id: int
    text: str
    start: int
    sentences: tuple[Span, ...]
    article: ArticleInfo


@dataclass(frozen=True)
class StoredArticle:
    """An article's id, collection, title and text, as read back for re-indexing."""

    id: int
    collection: str
    title: str | None
    text: str


def int32_blob(values: Iterable[int] | np.ndarray) -> bytes:
    """Integers as stored: little-endian int32."""
    return np.asarray(values, dtype="<i4").tobytes()


def spans_of_blob(blob: bytes, offset: int = 0) -> tuple[Span, ...]:
    """Stored (start, end) int32 pairs as spans, shifted by -`offset`."""
    flat = np.frombuffer(blob, dtype="<i4").tolist()
    return tuple((flat[i] - offset, flat[i + 1] - offset) for i in range(0, len(flat), 2))

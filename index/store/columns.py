"""An article's passages as the stores write them, held column by column.

Adding a 10 MB article makes about 20,000 passages. Held as an object each (with its lists,
arrays and copies), they were some 160,000 objects that the garbage collector's full passes
scanned again and again while the article was analysed and written: each pass holds the GIL,
and so the event loop, for tens of milliseconds. Here a whole article's passages are seventeen
arrays whatever their number, and the rows a store writes are made only when it writes them
(tuples of numbers and bytes, which the collector stops following once it has seen them).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from index.passages import Span

T = TypeVar("T")

TOKENS_SPAN_MAX = int(np.iinfo(np.uint16).max)  # the longest passage whose tokens are stored


class StoredTokens(NamedTuple):
    """A passage's tokens in order, as stored so that a question never analyses a passage:
    each one's term id, and its span of the passage's text (start, end pairs)."""

    term_ids: np.ndarray  # int32
    spans: np.ndarray  # uint16, two a token


_PAIRS = 4_096  # pairs put in a dict in one call (`mapping`)


def mapping(pairs: Sequence[Any]) -> dict[Any, Any]:
    """A dict of (key, value) rows (a vocabulary's terms and ids, fetched), built a few
    thousand pairs a C call, in a worker thread: at a million passages the vocabulary's 49,000
    terms made into a dict in one go on the event loop kept it 8-25 ms."""
    made: dict[Any, Any] = {}
    for start in range(0, len(pairs), _PAIRS):
        made.update(pairs[start : start + _PAIRS])
    return made


def token_patterns(term_ids: Mapping[int, T]) -> list[tuple[bytes, T]]:
    """Each term id as it is stored in a passage's tokens, with its value (`find_tokens`)."""
    return [
        (term_id.to_bytes(4, "little", signed=True), value) for term_id, value in term_ids.items()
    ]


def find_tokens(blob: bytes, patterns: Sequence[tuple[bytes, T]]) -> list[tuple[int, T]]:
    """The places (in order) of the tokens of a passage's stored tokens that are of the terms
    of `patterns` (`token_patterns`), each with its term's value: found by `bytes.find`, in C,
    a call a token found, with no array made (a question's candidates hold a few of them)."""
    end = 4 * (len(blob) // 8)
    find, found = blob.find, []
    for pattern, value in patterns:
        at = find(pattern, 0, end)
        while at >= 0:
            if not at & 3:  # a term id, not bytes across two
                found.append((at >> 2, value))
            at = find(pattern, at + 1, end)
    found.sort(key=itemgetter(0))
    return found


def token_span(blob: bytes, place: int) -> tuple[int, int]:
    """The span (start, end in its passage's text) of the token at `place` of a passage's
    stored tokens."""
    start, end = struct.unpack_from("<HH", blob, 4 * (len(blob) // 8 + place))
    return start, end


def token_spans(blob: bytes) -> tuple[int, ...]:
    """The spans of all the tokens of a passage's stored tokens, flat: (start, end, start,
    ...), token i's at 2i and 2i + 1 (`token_span` of each, in one call)."""
    count = len(blob) // 8
    return struct.unpack_from(f"<{2 * count}H", blob, 4 * count)


def token_count(blob: bytes) -> int:
    """How many tokens a passage's stored tokens hold."""
    return len(blob) // 8


@dataclass(frozen=True)
class NewPassage:
    """One passage to store (see `NewPassages`, which holds an article's passages): its span
    of the article, its sentences, its terms' ids and counts, which ends of its sentences cut
    them (none when empty), the span of the heading it is under, and its tokens."""

    start: int
    end: int
    sentences: Sequence[Span]
    term_ids: np.ndarray
    term_freqs: np.ndarray
    cuts: Sequence[int] = ()
    heading: Span | None = None
    tokens: StoredTokens | None = None


@dataclass(frozen=True)
class Ragged:
    """Rows of different lengths in one array: row i is `values[ends[i - 1]:ends[i]]`."""

    values: np.ndarray
    ends: np.ndarray  # int64, one a row

    @classmethod
    def of(cls, rows: Sequence[npt.ArrayLike], dtype: npt.DTypeLike) -> Ragged:
        arrays = [np.asarray(row, dtype=dtype).reshape(-1) for row in rows]
        values = np.concatenate(arrays) if arrays else np.empty(0, dtype)
        return cls(values, np.cumsum([a.size for a in arrays], dtype=np.int64))

    @classmethod
    def empty(cls, rows: int, dtype: npt.DTypeLike) -> Ragged:
        """`rows` empty rows."""
        return cls(np.empty(0, dtype), np.zeros(rows, np.int64))

    def starts(self) -> np.ndarray:
        starts = np.zeros_like(self.ends)
        starts[1:] = self.ends[:-1]
        return starts

    def row(self, i: int) -> np.ndarray:
        return self.values[int(self.ends[i - 1]) if i else 0 : int(self.ends[i])]

    def blobs(self, dtype: str) -> list[bytes]:
        """Each row's values as bytes of `dtype` (e.g. little-endian int32, "<i4")."""
        data = self.values.astype(dtype).tobytes()
        size = np.dtype(dtype).itemsize
        bounds = zip(self.starts().tolist(), self.ends.tolist(), strict=True)
        return [data[size * start : size * end] for start, end in bounds]


@dataclass(frozen=True)
class NewPassages:
    """An article's passages to store: their spans of the article, their sentences (start and
    end pairs), which ends of their sentences cut them (`index.passages.CUT_START`, `CUT_END`),
    the span of the heading each is under ((-1, -1): none), their terms' ids and counts, and
    their tokens (term ids in order and uint16 spans of the passage's text; none for a passage
    too long for 16-bit offsets, which is analysed when quoted). Term ids not yet given by the
    store are provisional (-1, -2, ...: see `index.vocabulary.Vocabulary`) until `resolved`."""

    spans: np.ndarray  # int64 (n, 2)
    headings: np.ndarray  # int64 (n, 2)
    sentences: Ragged  # int32, two a sentence
    cuts: Ragged  # uint8, one a sentence
    term_ids: Ragged  # int32
    term_freqs: Ragged  # int32
    token_ids: Ragged  # int32, one a token
    token_spans: Ragged  # uint16, two a token
    has_tokens: np.ndarray  # bool

    @classmethod
    def of(cls, passages: Sequence[NewPassage]) -> NewPassages:
        """Passages given one by one (tests, copies)."""
        tokens = [p.tokens for p in passages]
        return cls(
            np.array([(p.start, p.end) for p in passages], np.int64).reshape(-1, 2),
            np.array([p.heading or (-1, -1) for p in passages], np.int64).reshape(-1, 2),
            Ragged.of([list(p.sentences) for p in passages], np.int32),
            Ragged.of([p.cuts or [0] * len(p.sentences) for p in passages], np.uint8),
            Ragged.of([p.term_ids for p in passages], np.int32),
            Ragged.of([p.term_freqs for p in passages], np.int32),
            Ragged.of([() if t is None else t.term_ids for t in tokens], np.int32),
            Ragged.of([() if t is None else t.spans for t in tokens], np.uint16),
            np.array([t is not None for t in tokens], bool),
        )

    def __len__(self) -> int:
        return len(self.spans)

    def __iter__(self) -> Iterator[NewPassage]:
        for i in range(len(self)):
            sentences = self.sentences.row(i).tolist()
            heading = self.headings[i].tolist()
            tokens = (
                StoredTokens(self.token_ids.row(i), self.token_spans.row(i))
                if self.has_tokens[i]
                else None
            )
            start, end = self.spans[i].tolist()
            yield NewPassage(
                start,
                end,
                sentences=list(zip(sentences[::2], sentences[1::2], strict=True)),
                term_ids=self.term_ids.row(i),
                term_freqs=self.term_freqs.row(i),
                cuts=tuple(self.cuts.row(i).tolist()),
                heading=None if heading[0] < 0 else (heading[0], heading[1]),
                tokens=tokens,
            )

    def resolved(self, ids: Sequence[int]) -> NewPassages:
        """The passages with their provisional term ids (-1, -2, ...) replaced by `ids` (the
        first new term's id first)."""
        real = np.asarray(ids, dtype=np.int32)

        def resolved_ids(ragged: Ragged) -> Ragged:
            values = ragged.values
            if values.size and values.min() < 0:
                values = values.copy()
                new = values < 0
                values[new] = real[-values[new] - 1]
            return Ragged(values, ragged.ends)

        return replace(
            self, term_ids=resolved_ids(self.term_ids), token_ids=resolved_ids(self.token_ids)
        )

    def columns(self) -> list[list[Any]]:
        """The rows a store writes, column by column: each passage's place, start and end,
        sentences, term ids and counts (little-endian int32 blobs), cuts (a byte a sentence,
        None where none is cut), heading start and end (None where none) and tokens (the int32
        term ids, then the uint16 spans; None where none)."""
        missing = (self.headings[:, 0] < 0).tolist()
        heading_start, heading_end = (
            [None if m else value for value, m in zip(column.tolist(), missing, strict=True)]
            for column in self.headings.T
        )
        cuts = [blob if blob.strip(b"\x00") else None for blob in self.cuts.blobs("u1")]
        ids, spans = self.token_ids.blobs("<i4"), self.token_spans.blobs("<u2")
        return [
            list(range(len(self))),
            self.spans[:, 0].tolist(),
            self.spans[:, 1].tolist(),
            self.sentences.blobs("<i4"),
            self.term_ids.blobs("<i4"),
            self.term_freqs.blobs("<i4"),
            cuts,
            heading_start,
            heading_end,
            [
                i + s if has else None
                for i, s, has in zip(ids, spans, self.has_tokens.tolist(), strict=True)
            ],
        ]

    def rows(self, *before: object) -> list[tuple[Any, ...]]:
        """Each passage's row (`columns`), after the values `before`."""
        return [(*before, *row) for row in zip(*self.columns(), strict=True)]

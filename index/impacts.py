"""Each question term's posting weights, kept from one question to the next until the passages
change (`postings.PassageIndex`).

A posting's weight is its term's query weight (IDF times count) times a term-frequency weight
of its count and its passage's length (`bm25.TfWeights`). Computing it reads the passage's
length, a random read into an array as long as the collection (a byte a passage where every
passage is at most 255 terms long, else its 8-byte norm), and makes a few passes over the
postings; questions ask the same common words again and again ("year", "name", "first"). The
weights are kept per term and query weight, computed exactly as before (the same operations
on the same values, so the same bits), and forgotten at the next change (the IDFs and length
norms change with it), or least recently used first once they hold more than a budget of
postings (`BUDGET_SHARE` of the collection's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from index.bm25 import FloatArray, TfWeights

BUDGET_SHARE = 2  # at most 1/BUDGET_SHARE of the collection's postings are kept, ...
BUDGET_MAX = 8_000_000  # ... and at most this many (64 MB)

# term id, which of its postings (-1: all; 0: grouped; 1: added since), how many, query weight
# (a piece's size tells it from the same piece after merging in those added since)
Key = tuple[int, int, int, float]


class Impacts:
    """Posting weights by term, piece and query weight, least recently used first out."""

    def __init__(self) -> None:
        self._held: dict[Key, FloatArray] = {}
        self._most: dict[tuple[int, int, int], int] = {}  # each piece's largest count
        self._size = 0  # postings held
        self.computed = 0  # postings weighed here so far (a work count for tests)

    def __len__(self) -> int:
        return self._size

    def clear(self) -> None:
        """Forget every weight (the passages changed)."""
        self._held = {}
        self._most = {}
        self._size = 0

    def most(self, key: tuple[int, int, int], tfs: np.ndarray) -> int:
        """The largest of a piece's counts ``tfs`` (its term id, piece and size: as `Key`),
        kept until the next change."""
        most = self._most.get(key)
        if most is None:
            most = self._most[key] = int(tfs.max())
        return most

    def held(self, key: Key) -> FloatArray | None:
        """The weights of `key` if kept (not computed)."""
        return self._held.get(key)

    def get(self, key: Key, weigh: Callable[[], FloatArray], postings: int) -> FloatArray:
        """The weights of `key`, from `weigh()` if not kept (then kept, within the budget of
        a collection of `postings`)."""
        held = self._held.pop(key, None)
        if held is None:
            held = weigh()
            self.computed += held.size
            self._size += held.size
        self._held[key] = held  # the most recently used last
        budget = min(postings // BUDGET_SHARE, BUDGET_MAX)
        while self._size > budget and self._held:
            oldest = next(iter(self._held))
            self._size -= self._held.pop(oldest).size
        return held


def weighed(
    impacts: Impacts,
    tf_weights: TfWeights,
    asked: Sequence[tuple[int, int]],
    weight: FloatArray,
    gathered: tuple[np.ndarray, np.ndarray, np.ndarray],
    postings: int,
) -> FloatArray:
    """The weight of each posting gathered for the ``asked`` terms (slots, counts, and how
    many each term has, term after term), as `repeat(weight) * tf_weight_normed(...)` gives
    them, kept in `impacts` (for a collection of `postings`)."""
    slots, tfs, sizes = gathered
    parts = []
    at = 0
    for j, ((term, _), size) in enumerate(zip(asked, sizes.tolist(), strict=True)):
        if not size:
            continue
        run = slice(at, at + size)
        w = weight[j]

        def weigh(run: slice = run, w: np.float64 = w) -> FloatArray:
            weights: FloatArray = w * tf_weights(tfs[run], slots[run])
            return weights

        parts.append(impacts.get((term, -1, size, float(w)), weigh, postings))
        at += size
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0)

"""Each question term's posting weights, kept from one question to the next until the passages
change (`postings.PassageIndex`).

A posting's weight is its term's query weight (IDF times count) times a term-frequency weight
of its count and its passage's length (`bm25.TfWeights`). Computing it reads the passage's
length, a random read into an array as long as the collection (a byte a passage where every
passage is at most 255 terms long, else its 8-byte norm), and makes a few passes over the
postings; questions ask the same common words again and again ("year", "name", "first"). The
weights are kept per term and query weight, computed exactly as before (the same operations
on the same values, so the same bits), and forgotten at the next change (the IDFs and length
norms change with it).

They are kept in one array, the pool, written round: the oldest are overwritten first, and
weights used again while among the oldest half are moved to the newest end, so that those in
use stay; a question's are not overwritten while it runs. It holds half the collection's
postings at most, and at most `BUDGET_MAX`. A large collection's pool is made whole, and its
memory touched, when first used: memory a process touches for the first time costs a page
fault, which on a virtual machine whose host lends its memory late took 6-20 us a page here,
so a fresh process whose questions grew a store of 64 MB weight by weight paid for it in its
questions (at a million passages: 43 faults a question, 11 now; the first 500 questions' p99
11.3 ms, 7.7 keeping none). The pool costs the first answer that (32 MB: 20-200 ms, as the
host lends it), and its size is a trade: beyond 4 million postings, more weights kept saved
under 0.03 ms a question at a million passages. A small collection's pool grows, doubling,
up to its share.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable, Sequence

import numpy as np

from index.bm25 import FloatArray, TfWeights

BUDGET_SHARE = 2  # at most 1/BUDGET_SHARE of the collection's postings are kept, ...
BUDGET_MAX = 4_000_000  # ... and at most this many (32 MB)
WHOLE_FROM = 1 << 20  # a budget of this many postings (8 MB) is made whole at once, ...
FIRST = 1 << 8  # ... a smaller one starts with this many, doubling when full
TOUCH = 1 << 17  # postings' memory touched at once (1 MB), the GIL let go between

# term id, which of its postings (-1: all; 0: grouped; 1: added since), how many, query weight
# (a piece's size tells it from the same piece after merging in those added since)
Key = tuple[int, int, int, float]


class _Kept:
    """Where one key's weights are in the pool, how many postings the pool had placed before
    them, and the last question that used them."""

    __slots__ = ("key", "live", "placed", "size", "start", "used")

    def __init__(self, key: Key, start: int, size: int, placed: int, used: int) -> None:
        self.key, self.start, self.size, self.placed, self.used = key, start, size, placed, used
        self.live = True  # not overwritten, nor moved


class Impacts:
    """Posting weights by term, piece and query weight, in a pool written round."""

    def __init__(self) -> None:
        self._pool = np.zeros(0)
        self._kept: dict[Key, _Kept] = {}
        self._order: collections.deque[_Kept] = collections.deque()  # as placed, oldest first
        self._at = 0  # where the next weights go: those kept before it since the last wrap
        self._placed = 0  # postings placed so far (each wrap's tail skipped counted too)
        self._size = 0  # postings held
        self._question = 0  # the weights this question used are not overwritten
        self._most: dict[tuple[int, int, int], int] = {}  # each piece's largest count
        self.computed = 0  # postings weighed here so far (a work count for tests)

    def __len__(self) -> int:
        return self._size

    def clear(self) -> None:
        """Forget every weight (the passages changed); the pool stays for the next ones."""
        self._forget_all()
        self._most = {}

    def question(self) -> None:
        """A new question: the weights the one before used may be overwritten (until then
        they are not: a caller that never says so only keeps fewer)."""
        self._question += 1

    def most(self, key: tuple[int, int, int], tfs: np.ndarray) -> int:
        """The largest of a piece's counts ``tfs`` (its term id, piece and size: as `Key`),
        kept until the next change."""
        most = self._most.get(key)
        if most is None:
            most = self._most[key] = int(tfs.max())
        return most

    def held(self, key: Key) -> FloatArray | None:
        """The weights of `key` if kept (not computed), valid until the next question."""
        kept = self._kept.get(key)
        return None if kept is None else self._use(kept)

    def get(self, key: Key, weigh: Callable[[], FloatArray], postings: int) -> FloatArray:
        """The weights of `key`, from `weigh()` if not kept (then kept, within the budget of
        a collection of `postings`), valid until the next question."""
        kept = self._kept.get(key)
        if kept is not None:
            return self._use(kept)
        weights = weigh()
        self.computed += weights.size
        self._fit(min(postings // BUDGET_SHARE, BUDGET_MAX), weights.size)
        start = self._place(weights.size)
        if start is None:
            return weights
        self._pool[start : start + weights.size] = weights
        return self._view(self._keep(key, start, weights.size))

    def _use(self, kept: _Kept) -> FloatArray:
        """Weights kept, now used by this question: moved to the newest end if among the
        oldest half (the pool's size of postings placed since)."""
        kept.used = self._question
        if (self._placed - kept.placed) * 2 > self._pool.size:
            start = self._place(kept.size)  # never over `kept`: this question uses it
            if start is not None:
                self._pool[start : start + kept.size] = self._view(kept)
                self._drop(kept)
                kept = self._keep(kept.key, start, kept.size)
        return self._view(kept)

    def _view(self, kept: _Kept) -> FloatArray:
        view = self._pool[kept.start : kept.start + kept.size]
        view.flags.writeable = False  # read by the questions that follow
        return view

    def _keep(self, key: Key, start: int, size: int) -> _Kept:
        kept = self._kept[key] = _Kept(key, start, size, self._placed, self._question)
        self._order.append(kept)
        self._size += size
        self._at = start + size
        self._placed += size
        return kept

    def _drop(self, kept: _Kept) -> None:
        kept.live = False
        del self._kept[kept.key]
        self._size -= kept.size

    def _place(self, size: int) -> int | None:
        """Where `size` postings go next, the weights there forgotten (at a wrap, those in
        the tail skipped first: they are the oldest); None if they do not fit, or would
        overwrite weights this question uses."""
        order = self._order
        if size > self._pool.size:
            return None
        wrap = self._at + size > self._pool.size
        while wrap and order and (not order[0].live or order[0].start >= self._at):
            if not self._forget_oldest():
                return None
        start = 0 if wrap else self._at
        while order and (not order[0].live or start <= order[0].start < start + size):
            if not self._forget_oldest():
                return None
        if wrap:
            self._placed += self._pool.size - self._at
        return start

    def _forget_oldest(self) -> bool:
        """The oldest weights forgotten, unless this question uses them."""
        oldest = self._order[0]
        if oldest.live and oldest.used == self._question:
            return False
        self._order.popleft()
        if oldest.live:
            self._drop(oldest)
        return True

    def _forget_all(self) -> None:
        self._kept = {}
        self._order.clear()
        self._at = self._size = 0

    def _fit(self, budget: int, size: int) -> None:
        """The pool made for `budget` postings: whole, and touched, where large (again only
        once the budget changed by more than a quarter); a small one doubled while too small
        for those held and `size` more."""
        have = want = self._pool.size
        if budget >= WHOLE_FROM:
            if not budget * 3 <= have * 4 <= budget * 5:
                want = budget
        else:
            want = min(have or FIRST, budget)
            while want < budget and self._size + size > want:
                want = min(budget, want * 2)
        if want != have:  # a question's views of the pool before keep it
            self._pool = _touched(want)
            self._forget_all()


def _touched(size: int) -> FloatArray:
    """An array for `size` postings' weights, its memory touched a megabyte at a time, the GIL
    let go between (it runs on a worker thread; its page faults are the cost)."""
    pool = np.empty(size)
    for at in range(0, size, TOUCH):
        pool[at : at + TOUCH] = 0.0
        time.sleep(0)
    return pool


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

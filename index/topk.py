"""Which passages can be among a question's top k, found without reading every posting of its
common terms (MaxScore), for `postings.PassageIndex.search`.

A term's weight in a passage is its query weight (IDF times count) times a term-frequency
weight that grows with the term's count in the passage and shrinks as the passage gets longer,
in each of rank-bm25's variants. A passage is at least as long as its count of the term, so
the weight at the term's largest count in a passage exactly that long (`Part.bound`) bounds its
weight in every passage. The postings are read rarest term first (highest bound), summed per
passage; after each term, the best candidates so far are scored in full (their other terms
looked up by binary search in the sorted posting lists; each candidate once a question,
`Scored`) and the k-th best of those scored is a score some k passages reach. Once the bounds
of the terms left add up to less than that, a passage containing none of the terms read cannot
reach the top k, and the terms left are only looked up for the candidates that still can,
dropping those that cannot after each term (binary searches; or, where a term has fewer than
`SCAN_BELOW` postings a candidate, its postings checked against a flag per candidate slot,
`Marks`: a byte a slot, read in slot order; a candidate dropped stays flagged until the
question ends, and is checked for when found). Once the candidates are many (`DENSE_FROM`),
they are summed in a sum per slot instead (`Marks.summing`, float32), and a term left
is added where a slot's sum can still reach the k-th best (`_dense_rest`).

What is returned is a superset of the top k, ties with the k-th included (bounds and
thresholds carry a margin against rounding, `MARGIN`); the caller scores it exactly as it
scores every passage otherwise, so the results are the same, to the bit. The long posting
lists of common words (a question's "year", "name", "first") are then read only where a
candidate is: at a million passages, a question reads or looks up about a fifth of its postings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

import index.arrays as arrays
from index.arrays import SHIFT, TF_MASK, Marks, Postings, runs
from index.bm25 import (
    BM25LScorer,
    BM25PlusScorer,
    FloatArray,
    IntArray,
    OkapiScorer,
    TfWeights,
)
from index.impacts import Impacts

# relative: bounds are raised and thresholds lowered by it, against rounding: float32 sums of
# at most DENSE_TERMS weights of at least SMALLEST (normal numbers) are within (2 * 64 + 3) *
# 2**-24 < 8e-6 of their exact values, weights, sums, cuts and thresholds rounded included
MARGIN, DENSE_TERMS, SMALLEST = 1e-5, 64, 2.0**-100
SCAN_BELOW = 4  # a term left is scanned for candidates if it has fewer postings than this per one
FILL_FROM = 16  # flags are lowered all at once from 1/FILL_FROM of the slots flagged
PROBE = 128  # candidates scored in full after each term read, for the threshold
# it saves time where a question has many postings in a large collection (measured at 100k
# passages, where it did not, and at a million, where it did from 20,000 postings on)
PRUNE_FROM = 20_000  # postings
PRUNE_SLOTS = 250_000  # slots
# the candidates are summed in a float32 sum per slot (`Marks.summing`) once they and a term's
# postings are this many: an add per posting, not a merge (at a million slots, 9 terms of
# 13,000-136,000 postings: 5 ms, not 20-25; its passes over every slot lost below it)
DENSE_FROM = 60_000


Piece = tuple[npt.NDArray[np.int32], npt.NDArray[Any]]  # ascending slots, their counts
# the weights of a part's piece (by its place), at these of its positions (None: all)
Weigh = Callable[["Part", int, npt.NDArray[Any] | None], FloatArray]


class Part(NamedTuple):
    """The postings of one query term, in pieces (its grouped ones, then those added since,
    in later slots), and the bound of its weight in any of them."""

    term: int  # the term's place in the query
    pieces: tuple[Piece, ...]
    bound: float


class Scoring(NamedTuple):
    """What weighs a question's postings: the variant's scorer, each slot's `length_norm`,
    the passages' average length, the weight (IDF times count) of each query term, and
    where the weights of whole pieces are kept (`impacts`: by the terms' ids, in a collection
    of ``postings``)."""

    scorer: OkapiScorer | BM25LScorer | BM25PlusScorer
    tf_weights: TfWeights
    avgdl: float
    weight: FloatArray
    kept: tuple[Impacts, Sequence[int], int] | None = None  # impacts, term ids, postings
    marks: Marks | None = None  # where the candidates are flagged (new ones if None)

    def weights(self, term: int, tfs: npt.NDArray[Any], slots: npt.NDArray[Any]) -> FloatArray:
        """The weights of a term's postings, as `PassageIndex._score_postings` computes them."""
        weights: FloatArray = self.weight[term] * self.tf_weights(tfs, slots)
        return weights

    def weigh(self, part: Part, piece: int, at: npt.NDArray[Any] | None) -> FloatArray:
        """The weights of a part's piece, at positions `at` of it (None: all of them): those
        of a whole piece kept, and read from where they are kept (the same values)."""
        slots, tfs = part.pieces[piece]
        if self.kept is None:
            return self.weights(part.term, *((tfs, slots) if at is None else (tfs[at], slots[at])))
        impacts, terms, postings = self.kept
        key = (terms[part.term], piece, slots.size, float(self.weight[part.term]))
        if at is None:
            return impacts.get(key, lambda: self.weights(part.term, tfs, slots), postings)
        held = impacts.held(key)
        return self.weights(part.term, tfs[at], slots[at]) if held is None else held[at]

    def part(self, term: int, pieces: tuple[Piece, ...]) -> Part:
        """A term's postings with the bound of its weight in them: at its largest count, in a
        passage only that long (a passage is at least as long as each of its counts)."""
        if self.kept is None:
            most = np.array([max(int(tfs.max()) for _, tfs in pieces)], np.float64)
        else:  # the largest count of each piece kept with the weights (a pass over its counts)
            impacts, terms = self.kept[:2]
            tops = [
                impacts.most((terms[term], n, tfs.size), tfs) for n, (_, tfs) in enumerate(pieces)
            ]
            most = np.array([max(tops)], np.float64)
        bound = self.weight[term] * self.scorer.tf_weight(most, most, self.avgdl)[0]
        return Part(term, pieces, float(bound))

    def best(
        self, parts: Sequence[Part], k: int, read: int
    ) -> tuple[npt.NDArray[Any], FloatArray, int]:
        """The slots that may be among the best k (ascending), the sums of their weights as
        `PassageIndex._score_postings` sums all ``read`` postings (`exact_sums`), and how many
        postings were read."""
        top = [self.part(part.term, part.pieces) for part in parts]
        found, looked = candidates(top, k, self.weigh, self.marks or Marks(), self.tf_weights.slots)
        by_sorting = read * arrays.SORT_BELOW < self.tf_weights.slots
        return (*exact_sums(top, found, self.weigh, by_sorting), looked)


def weights(
    scorer: OkapiScorer | BM25LScorer | BM25PlusScorer,
    n_docs: int,
    df: IntArray,
    asked: Sequence[tuple[int, int]],
    average_idf: Callable[[], float],
) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Which query terms (``asked``: term, count) live passages hold (``df``: how many of
    ``n_docs``), and each one's weight: its IDF times its count."""
    known = df > 0
    idf = np.zeros(df.size)
    idf[known] = scorer.idf_of(n_docs, df[known].astype(np.float64), average_idf)
    return known, idf * np.array([count for _, count in asked], np.float64)


def every_weight(part: Part, weigh: Weigh) -> tuple[npt.NDArray[Any], FloatArray]:
    """All of a part's slots (ascending) and weights."""
    weights = [weigh(part, piece, None) for piece in range(len(part.pieces))]
    if len(weights) == 1:
        return part.pieces[0][0], weights[0]
    return np.concatenate([slots for slots, _ in part.pieces]), np.concatenate(weights)


def looked_up(
    part: Part, slots: npt.NDArray[Any], weigh: Weigh
) -> list[tuple[npt.NDArray[np.bool_], FloatArray]]:
    """Which of ``slots`` (ascending) each piece of the part holds, and their weights there
    (binary searches)."""
    out = []
    for piece, (held_slots, _) in enumerate(part.pieces):
        # keys of the list's type: numpy would convert the whole list to theirs, each call
        at = np.searchsorted(held_slots, slots.astype(held_slots.dtype, copy=False))
        at[at == held_slots.size] = 0
        held = held_slots[at] == slots
        out.append((held, weigh(part, piece, at[held])))
    return out


def candidates(
    parts: Sequence[Part], k: int, weigh: Weigh, marks: Marks, n_slots: int
) -> tuple[npt.NDArray[Any], int]:
    """The ascending slots that may be among the best k (see the module docstring), and how
    many postings were read."""
    try:
        return _candidates(parts, k, weigh, marks, (n_slots, len(parts) <= DENSE_TERMS))
    except _Tiny:  # merged in float64 instead
        return _candidates(parts, k, weigh, marks, (n_slots, False))


class _Tiny(Exception):
    """A weight below `SMALLEST` (far below BM25's in use): not summed in float32."""


def _single(weights: FloatArray) -> npt.NDArray[np.float32]:
    """Weights as float32, for the sums per slot (`_Tiny` if one is below `SMALLEST`)."""
    single = weights.astype(np.float32)
    if single.size and single.min() < SMALLEST:
        raise _Tiny
    return single


def _candidates(
    parts: Sequence[Part], k: int, weigh: Weigh, marks: Marks, summing: tuple[int, bool]
) -> tuple[npt.NDArray[Any], int]:
    """`candidates`, summed per slot once many if ``summing`` (slots, whether) allows."""
    order = sorted(parts, key=lambda p: -p.bound)
    left = sum(p.bound for p in order)
    threshold = 0.0
    found: npt.NDArray[Any] = np.zeros(0, np.int32)
    sums = np.zeros(0)
    read = 0
    rest: Sequence[Part] = ()
    scored = Scored()
    dense: npt.NDArray[np.float32] | None = None
    try:
        for done, part in enumerate(order, 1):
            slots, weights = every_weight(part, weigh)
            if dense is None and summing[1] and found.size + slots.size >= DENSE_FROM:
                dense = marks.summing(summing[0])
                dense[found] = _single(sums)
            if dense is not None:
                np.add.at(dense, slots, _single(weights))
                probed = slots, dense[slots].astype(np.float64)
            else:
                probed = found, sums = arrays.merged(found, sums, slots, weights)
            read += slots.size
            left -= part.bound
            rest = order[done:]
            if rest and probed[0].size >= k:
                threshold = max(threshold, scored.reached(*probed, rest, k, weigh))
                if left * (1 + MARGIN) < threshold * (1 - MARGIN):
                    break
        if dense is not None:
            summed = dense, marks.above[: dense.size]
            found, sums, read = _dense_rest(rest, summed, (left, threshold), read, weigh)
    finally:
        if dense is not None:
            dense.fill(0.0)
    if rest and dense is None:
        found, sums, read = _rest_read(rest, (found, sums, read), (left, threshold), weigh, marks)
    if rest and found.size > k:
        threshold = max(threshold, float(np.partition(sums, sums.size - k)[sums.size - k]))
    return found[sums * (1 + MARGIN) >= threshold * (1 - MARGIN)], read


def _dense_rest(
    rest: Sequence[Part],
    summed: tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]],  # and a flag per slot
    bounds: tuple[float, float],
    read: int,
    weigh: Weigh,
) -> tuple[npt.NDArray[Any], FloatArray, int]:
    """`_rest_read` with the sums per slot (a weight is at least `SMALLEST`: a slot without
    one has 0), then the candidates listed (ascending, with their sums). A slot is a candidate
    while its sum can still reach the threshold (one dropped gets nothing more: stays dropped);
    a term left is added to them, its postings scanned, or, once the candidates are few, looked
    up in it for each (listed then: numpy lists 10% of a million flags in 1.5 ms)."""
    (dense, above), (left, threshold) = summed, bounds
    found: npt.NDArray[Any] | None = None
    for part in rest:
        cut = threshold * (1 - MARGIN) - left * (1 + MARGIN)  # above 0: the terms read reach it
        size = sum(slots.size for slots, _ in part.pieces)
        if found is not None:
            found = found[dense[found] >= cut]
        else:
            reach = np.greater_equal(dense, cut, out=above)  # not a new MB each time
            if size >= SCAN_BELOW * np.count_nonzero(reach):
                found = np.flatnonzero(reach)
        if found is None or size < SCAN_BELOW * found.size:
            read += size
            for piece, (slots, _) in enumerate(part.pieces):
                at = np.flatnonzero(dense[slots] >= cut)
                np.add.at(dense, slots[at], _single(weigh(part, piece, at)))
        else:
            read += found.size
            for held, weights in looked_up(part, found, weigh):
                np.add.at(dense, found[held], _single(weights))
        left -= part.bound
    lowest = threshold * (1 - MARGIN) - max(left, 0.0) * (1 + MARGIN)  # left: 0 but rounding
    if found is None:
        found = np.flatnonzero(dense >= lowest if lowest > 0 else dense > 0)
    return found, dense[found].astype(np.float64), read


def _rest_read(
    rest: Sequence[Part],
    state: tuple[npt.NDArray[Any], FloatArray, int],
    bounds: tuple[float, float],
    weigh: Weigh,
    marks: Marks,
) -> tuple[npt.NDArray[Any], FloatArray, int]:
    """The candidates (ascending slots, partial sums) with the terms left added, those that
    can no longer reach the threshold dropped before each, and the postings read so far. A
    candidate dropped stays flagged: a term scanned checks each flagged posting against the
    candidates."""
    found, sums, read = state
    left, threshold = bounds
    keep = sums + left * (1 + MARGIN) >= threshold * (1 - MARGIN)
    found, sums = found[keep], sums[keep]  # a copy: the first's may be kept weights
    marked = marks.ready(found[-1] + 1 if found.size else 0)
    flagged = found
    marked[flagged] = True
    try:
        for part in rest:
            keep = sums + left * (1 + MARGIN) >= threshold * (1 - MARGIN)
            kept = int(np.count_nonzero(keep))
            size = sum(slots.size for slots, _ in part.pieces)
            scan = size < SCAN_BELOW * kept  # cheaper than as many binary searches
            if kept < found.size:
                found, sums = found[keep], sums[keep]
            if scan:
                read += size
                for piece, (slots, _) in enumerate(part.pieces):
                    below = slots[: np.searchsorted(slots, marked.size)]  # ascending
                    at = np.flatnonzero(marked[below])
                    if found is not flagged:
                        place = np.searchsorted(found, below[at])
                        place[place == found.size] = 0
                        held = found[place] == below[at]
                        at, place = at[held], place[held]
                    else:
                        place = np.searchsorted(found, below[at])
                    sums[place] += weigh(part, piece, at)
            else:
                read += found.size
                for held, weights in looked_up(part, found, weigh):
                    sums[held] += weights
            left -= part.bound
    finally:
        if flagged.size * FILL_FROM > marked.size:
            marked.fill(False)
        else:
            marked[flagged] = False
    return found, sums, read


class Scored:
    """The candidates scored in full so far for a threshold (a full score does not change as
    more terms are read: a candidate probed again is not looked up again)."""

    def __init__(self) -> None:
        self.slots: npt.NDArray[Any] = np.zeros(0, np.int32)  # ascending
        self.sums = np.zeros(0)

    def reached(
        self,
        found: npt.NDArray[Any],
        sums: FloatArray,
        rest: Sequence[Part],
        k: int,
        weigh: Weigh,
    ) -> float:
        """A score k passages reach: the k-th best full score of the best candidates so far
        (``found``, ascending, and their partial sums; ``rest`` the terms not read) and of
        those scored before (0 if fewer than k)."""
        probe = max(PROBE, k)
        if found.size > probe:
            best = np.sort(np.argpartition(sums, found.size - probe)[-probe:])
            found, sums = found[best], sums[best]
        else:
            sums = sums.copy()
        if self.slots.size:
            at = np.searchsorted(self.slots, found)
            at[at == self.slots.size] = 0
            new = self.slots[at] != found
            found, sums = found[new], sums[new]
        for part in rest:
            for held, weights in looked_up(part, found, weigh):
                sums[held] += weights
        if found.size:
            every = np.concatenate((self.slots, found))
            order = np.argsort(every, kind="stable")
            self.slots, self.sums = every[order], np.concatenate((self.sums, sums))[order]
        if self.sums.size < k:
            return 0.0
        return float(np.partition(self.sums, self.sums.size - k)[self.sums.size - k])


def parts_of(
    postings: Postings,
    delta: Mapping[int, bytearray],
    terms: Sequence[int],
    alive: npt.NDArray[np.bool_] | None,
) -> tuple[list[Part], IntArray, int]:
    """Each term's postings (without a bound yet): its grouped ones, then those added since,
    only the live ones where some are dead (``alive``: each slot's flag; None if none is dead);
    how many live postings each term has; how many postings were read."""
    starts, ends = postings.find(np.array(terms, np.int64))
    out = []
    read = 0
    df = np.zeros(len(terms), np.int64)
    for j, (term, start, end) in enumerate(zip(terms, starts.tolist(), ends.tolist(), strict=True)):
        pieces = [(postings.slots[start:end], postings.tfs[start:end])] if end > start else []
        plist = delta.get(term)
        if plist is not None:
            packed = np.frombuffer(plist, np.int64)
            pieces.append(((packed >> SHIFT).astype(np.int32), packed & TF_MASK))
            del packed  # the view pins the bytearray: it cannot grow while it lives
        read += sum(slots.size for slots, _ in pieces)
        if alive is not None:
            pieces = [(s[alive[s]], tfs[alive[s]]) for s, tfs in pieces]
        pieces = [(slots, tfs) for slots, tfs in pieces if slots.size]
        df[j] = sum(slots.size for slots, _ in pieces)
        if pieces:
            out.append(Part(j, tuple(pieces), 0.0))
    return out, df, read


def exact_sums(
    parts: Sequence[Part], slots: npt.NDArray[Any], weigh: Weigh, by_sorting: bool
) -> tuple[npt.NDArray[Any], FloatArray]:
    """The score sums of ``slots`` (ascending) as `arrays.summed` gives them from every posting
    (``by_sorting``: as its sorting path adds, else as its ``bincount``), parts in query
    order."""
    found = [pair for part in parts for pair in looked_up(part, slots, weigh)]
    if by_sorting:
        every = np.concatenate([slots[held] for held, _ in found])
        order = np.argsort(every, kind="stable")
        bounds, unique = runs(every[order])
        return unique, np.add.reduceat(np.concatenate([w for _, w in found])[order], bounds[:-1])
    sums = np.zeros(slots.size)
    for held, weights in found:
        sums[held] += weights
    return slots, sums

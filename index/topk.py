"""Which passages can be among a question's top k, found without reading every posting of its
common terms (MaxScore), for `postings.PassageIndex.search`.

A term's weight in a passage is its query weight (IDF times count) times a term-frequency
weight that grows with the term's count in the passage and shrinks as the passage gets longer,
in each of rank-bm25's variants. A passage is at least as long as its count of the term, so
the weight at the term's largest count in a passage exactly that long (`Part.bound`) bounds its
weight in every passage. The postings are read rarest term first (highest bound), summed per
passage; after each term, the best candidates so far are scored in full (their other terms
looked up by binary search in the sorted posting lists) and the k-th best of those is a score
some k passages reach. Once the bounds of the terms left add up to less than that, a passage
containing none of the terms read cannot reach the top k, and the terms left are only looked
up for the candidates that still can, dropping those that cannot after each term.

What is returned is a superset of the top k, ties with the k-th included (bounds and
thresholds carry a margin of 1e-9 against rounding); the caller scores it exactly as it
scores every passage otherwise, so the results are the same, to the bit. The long posting
lists of common words (a question's "year", "name", "first") are then read only where a
candidate is: at a million passages, about a tenth of a question's postings.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

import index.arrays as arrays
from index.arrays import SHIFT, TF_MASK, Postings, runs
from index.bm25 import BM25LScorer, BM25PlusScorer, FloatArray, IntArray, OkapiScorer

MARGIN = 1e-9  # relative: bounds are raised and thresholds lowered by it, against rounding
PROBE = 64  # candidates scored in full after each term read, for the threshold
# it saves time where a question has many postings in a large collection (measured at 100k
# passages, where it did not, and at a million, where it did from 20,000 postings on)
PRUNE_FROM = 20_000  # postings
PRUNE_SLOTS = 250_000  # slots


class Part(NamedTuple):
    """Postings of one query term (its grouped ones, or those added since): ascending slots,
    their counts, and the bound of the term's weight in any of them."""

    term: int  # the term's place in the query
    slots: npt.NDArray[np.int32]
    tfs: npt.NDArray[Any]
    bound: float


PartOf = tuple[int, npt.NDArray[np.int32], npt.NDArray[Any]]  # (query term's place, slots, counts)
# weight of the postings at these positions of a part, in these slots
Weigh = Callable[[Part, npt.NDArray[np.intp] | None, npt.NDArray[Any]], FloatArray]


class Scoring(NamedTuple):
    """What weighs a question's postings: the variant's scorer, the length of each slot's
    passage, their average, and the weight (IDF times count) of each query term."""

    scorer: OkapiScorer | BM25LScorer | BM25PlusScorer
    lens: FloatArray
    avgdl: float
    weight: FloatArray

    def weigh(
        self, part: Part, at: npt.NDArray[np.intp] | None, slots: npt.NDArray[Any]
    ) -> FloatArray:
        """The weights of a part's postings (those at ``at``; all with None) in ``slots``, as
        `PassageIndex._score_postings` computes them."""
        tfs = part.tfs if at is None else part.tfs[at]
        tf_weight = self.scorer.tf_weight(tfs.astype(np.float64), self.lens[slots], self.avgdl)
        weights: FloatArray = self.weight[part.term] * tf_weight
        return weights

    def part(self, term: int, slots: npt.NDArray[np.int32], tfs: npt.NDArray[Any]) -> Part:
        """A term's postings (non-empty) with the bound of its weight in them: at its largest
        count, in a passage only that long (a passage is at least as long as each count)."""
        most = np.array([tfs.max()], np.float64)
        bound = self.weight[term] * self.scorer.tf_weight(most, most, self.avgdl)[0]
        return Part(term, slots, tfs, float(bound))

    def best(
        self, parts: Sequence[PartOf], k: int, read: int
    ) -> tuple[npt.NDArray[Any], FloatArray, int]:
        """The slots that may be among the best k (ascending), the sums of their weights as
        `PassageIndex._score_postings` sums all ``read`` postings (`exact_sums`), and how many
        postings were read."""
        top = [self.part(*part) for part in parts]
        found, looked = candidates(top, k, self.weigh)
        by_sorting = read * arrays.SORT_BELOW < self.lens.size
        return (*exact_sums(top, found, self.weigh, by_sorting), looked)


def find(part: Part, slots: npt.NDArray[Any]) -> tuple[npt.NDArray[np.intp], npt.NDArray[Any]]:
    """Where each of ``slots`` (ascending) is in the part, and whether it is there."""
    if not part.slots.size:
        return np.zeros(0, np.intp), np.zeros(slots.size, np.bool_)
    at = np.searchsorted(part.slots, slots)
    at[at == part.slots.size] = 0
    held = part.slots[at] == slots
    return at[held], held


def candidates(parts: Sequence[Part], k: int, weigh: Weigh) -> tuple[npt.NDArray[Any], int]:
    """The ascending slots that may be among the best k (see the module docstring), and how
    many postings were read."""
    order = sorted(parts, key=lambda p: -p.bound)
    left = sum(p.bound for p in order)
    threshold = 0.0
    found: npt.NDArray[Any] = np.zeros(0, np.int32)
    sums = np.zeros(0)
    read = 0
    rest: Sequence[Part] = ()
    for done, part in enumerate(order, 1):
        found, sums = _merged(found, sums, part.slots, weigh(part, None, part.slots))
        read += part.slots.size
        left -= part.bound
        rest = order[done:]
        if rest and found.size >= k:
            threshold = max(threshold, _reached(found, sums, rest, k, weigh))
            if left * (1 + MARGIN) < threshold * (1 - MARGIN):
                break
    for part in rest:
        keep = sums + left * (1 + MARGIN) >= threshold * (1 - MARGIN)
        found, sums = found[keep], sums[keep]
        at, held = find(part, found)
        read += found.size
        sums[held] += weigh(part, at, found[held])
        left -= part.bound
    if rest and found.size > k:
        threshold = max(threshold, float(np.partition(sums, sums.size - k)[sums.size - k]))
    return found[sums * (1 + MARGIN) >= threshold * (1 - MARGIN)], read


def _merged(
    found: npt.NDArray[Any], sums: FloatArray, slots: npt.NDArray[Any], weights: FloatArray
) -> tuple[npt.NDArray[Any], FloatArray]:
    """Two runs of ascending slots with their sums, as one (one stable sort of two runs)."""
    if not found.size:
        return slots, weights
    every = np.concatenate((found, slots))
    order = np.argsort(every, kind="stable")
    bounds, unique = runs(every[order])
    return unique, np.add.reduceat(np.concatenate((sums, weights))[order], bounds[:-1])


def _reached(
    found: npt.NDArray[Any], sums: FloatArray, rest: Sequence[Part], k: int, weigh: Weigh
) -> float:
    """A score k passages reach: the k-th best full score of the best candidates so far."""
    probe = max(PROBE, k)
    if found.size > probe:
        best = np.sort(np.argpartition(sums, found.size - probe)[-probe:])
        found, sums = found[best], sums[best]
    else:
        sums = sums.copy()
    for part in rest:
        at, held = find(part, found)
        sums[held] += weigh(part, at, found[held])
    return float(np.partition(sums, sums.size - k)[sums.size - k])


def parts_of(
    postings: Postings,
    delta: Mapping[int, array[int]],
    terms: Sequence[int],
    alive: npt.NDArray[np.bool_] | None,
) -> tuple[list[PartOf], IntArray, int]:
    """Each term's postings, as (its place in ``terms``, slots, counts): its grouped ones, then
    those added since (the later slots), where it has any, and only the live ones where some
    are dead (``alive``: each slot's flag; None if none is dead); how many live postings each
    term has; how many postings were read."""
    starts, ends = postings.find(np.array(terms, np.int64))
    out: list[PartOf] = []
    for j, (term, start, end) in enumerate(zip(terms, starts.tolist(), ends.tolist(), strict=True)):
        if end > start:
            out.append((j, postings.slots[start:end], postings.tfs[start:end]))
        plist = delta.get(term)
        if plist is not None:
            packed = np.frombuffer(plist, np.int64)
            out.append((j, (packed >> SHIFT).astype(np.int32), packed & TF_MASK))
            del packed  # the view pins the array: it cannot grow while it lives
    read = sum(slots.size for _, slots, _ in out)
    if alive is not None:
        live = [alive[slots] for _, slots, _ in out]
        out = [(j, s[a], tfs[a]) for (j, s, tfs), a in zip(out, live, strict=True)]
    df = np.zeros(len(terms), np.int64)
    for j, slots, _ in out:
        df[j] += slots.size
    return [part for part in out if part[1].size], df, read


def exact_sums(
    parts: Sequence[Part], slots: npt.NDArray[Any], weigh: Weigh, by_sorting: bool
) -> tuple[npt.NDArray[Any], FloatArray]:
    """The score sums of ``slots`` (ascending) as `arrays.summed` gives them from every posting
    (``by_sorting``: as its sorting path adds, else as its ``bincount``), parts in query
    order."""
    found = [
        (held, weigh(part, at, slots[held])) for part in parts for at, held in [find(part, slots)]
    ]
    if by_sorting:
        every = np.concatenate([slots[held] for held, _ in found])
        order = np.argsort(every, kind="stable")
        bounds, unique = runs(every[order])
        return unique, np.add.reduceat(np.concatenate([w for _, w in found])[order], bounds[:-1])
    sums = np.zeros(slots.size)
    for held, weights in found:
        sums[held] += weights
    return slots, sums

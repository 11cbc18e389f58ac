"""An in-memory, incremental BM25 index over one collection of passages, scored like rank-bm25.

Scoring
-------
The scorers are rank-bm25's own classes (``BM25Okapi`` by default, ``BM25L`` and ``BM25Plus``
selectable), subclassed: each subclass keeps its parent's parameters and defaults (k1, b, epsilon /
delta) and its parent's IDF and term-weight formulas, but takes no corpus (rank-bm25's constructor
builds everything from one, and divides by zero on an empty one) and evaluates the formulas with
numpy over posting lists instead of over every document. ``PassageIndex.scores`` equals
rank-bm25's ``get_scores`` for the same variant, parameters and corpus (a query term repeated n
times counts n times, as in rank-bm25's query list), with one deliberate departure:

*Okapi IDF floor.* rank-bm25's Okapi IDF is ``log(N - df + 0.5) - log(df + 0.5)``; where that is
negative it substitutes ``epsilon * average_idf`` (the mean over every term of the collection),
which can itself be zero or negative. In tiny collections (1, 2 or 3 passages) most or all terms
are then worth <= 0, so a passage that obviously matches scores 0 or less and can rank below one
that does not match at all. Wherever the IDF rank-bm25 would use is <= 0, this module uses
``epsilon * ln 2`` instead: rank-bm25's own epsilon rule, with ``ln 2`` standing in for the average
IDF. ``ln 2`` is the value the always-positive BM25 IDF ``log(1 + (N - df + 0.5) / (df + 0.5))``
(Lucene's) takes exactly where rank-bm25's IDF reaches zero (df = N / 2): a floored term weighs
epsilon times a term on that boundary — small, fixed, independent of N. So every passage
containing a query term scores > 0 and each further matched term adds to its score. Wherever the
IDF is positive, the scores are rank-bm25's. (Also, rank-bm25 scores a passage without any term
0 / 0 = NaN when b = 1; here it scores like any passage lacking the query terms.)

*Terms a passage lacks.* BM25Plus gives every document ``idf * delta`` for each query term it does
NOT contain (BM25Okapi and rank-bm25's BM25L give 0: their weight is a multiple of the term
frequency). Scoring only the postings stays exact by adding, once per query term, that constant to
every score: ``scores()`` adds it to all documents; ``search()`` adds it to the candidates, which
leaves their ranking unchanged. ``search()`` returns only documents containing at least one query
term, ranked exactly as rank-bm25 ranks them.

Storage
-------
* Per-document *slots*, in insertion order, in growable numpy columns: caller's id, length (the sum
  of its term counts, like rank-bm25's ``len(tokens)``), alive flag, and a forward index (the term
  ids of each slot, CSR-style) used to undo a passage's document frequencies on removal.
* One posting list per term id: an ``array.array('q')`` of ``slot << 32 | tf``, appended in slot
  order, read at query time through a zero-copy ``np.frombuffer`` view that is dropped before
  returning (an array exporting its buffer cannot grow).
* Document frequencies in a numpy array indexed by term id; Okapi's average IDF is computed from it
  with numpy (via a histogram of the frequencies), only when a query needs it (a query term in more
  than half the passages), and cached until the next change.

``add`` appends to the slot columns and to the posting lists of the passage's own terms: amortised
O(terms in the passage), whatever the size of the collection. ``remove`` marks slots dead and
decrements document frequencies: O(terms of the removed passages). Dead postings are skipped at
query time; when dead postings (or slots) outnumber the live ones, the storage is compacted in one
numpy pass, which costs O(collection) but happens only after as many removals, so it is amortised
O(1) per removed posting. A query gathers the postings of its terms only and sums their weights per
slot (by sorting when they are few compared with the collection, else with one ``np.bincount``).

The index is not thread-safe: the caller serialises every call (a lock) and runs them in a worker
thread.
"""

from __future__ import annotations

import inspect
import json
import math
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]

Variant = Literal["okapi", "l", "plus"]

_SHIFT = 32  # a posting is slot << 32 | tf
_TF_MASK = (1 << _SHIFT) - 1
_INT32_MAX = (1 << 31) - 1
_MAX_SLOT = _INT32_MAX
# A query sums its postings by sorting them when they are fewer than 1/_SORT_BELOW of the slots,
# else with a dense np.bincount over the slots (faster for long posting lists).
_SORT_BELOW = 8


def _default_of(cls: Any, name: str) -> float:
    """The default value of a parameter of a rank-bm25 constructor."""
    return float(inspect.signature(cls.__init__).parameters[name].default)


@dataclass(frozen=True)
class BM25Params:
    """The variant and its parameters. Stored with the index; defaults are rank-bm25's."""

    variant: Variant = "okapi"
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25  # okapi only, as rank-bm25
    delta: float | None = None  # l / plus; None = rank-bm25's default for the variant

    def __post_init__(self) -> None:
        if self.variant not in ("okapi", "l", "plus"):
            raise ValueError(f"unknown BM25 variant: {self.variant!r}")
        if not (math.isfinite(self.k1) and self.k1 > 0):
            raise ValueError(f"k1 must be a positive number, not {self.k1!r}")
        if not 0 <= self.b <= 1:
            raise ValueError(f"b must be between 0 and 1, not {self.b!r}")
        if not (math.isfinite(self.epsilon) and self.epsilon > 0):
            raise ValueError(f"epsilon must be a positive number, not {self.epsilon!r}")
        if self.delta is not None:
            if self.variant == "okapi":
                raise ValueError("delta applies to the 'l' and 'plus' variants only")
            if not (math.isfinite(self.delta) and self.delta >= 0):
                raise ValueError(f"delta must be a number >= 0, not {self.delta!r}")

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> BM25Params:
        return cls(**json.loads(raw))


class Hit(NamedTuple):
    """A passage found by a search."""

    doc_id: int  # the caller's id (a passage row id from SQLite, any int64)
    score: float


# --- scorers: rank-bm25's classes, fed from posting lists -------------------------------------


class _PostingScorer:
    """The part of a rank-bm25 variant that PassageIndex needs, vectorised over postings.

    Subclasses also derive from the rank-bm25 class whose formulas they restate, but skip its
    constructor: the corpus lives in PassageIndex, so the corpus-based methods are disabled.
    """

    k1: float
    b: float
    # Weight (per unit of IDF) a document gets for a query term it does not contain.
    absent_weight: float = 0.0

    def idf_of(self, n_docs: int, df: FloatArray, average_idf: Callable[[], float]) -> FloatArray:
        """The IDF scoring uses for terms with document frequencies ``df`` (all >= 1)."""
        raise NotImplementedError

    def tf_weight(self, tf: FloatArray, doc_len: FloatArray, avgdl: float) -> FloatArray:
        """Weight per unit of IDF of a term occurring ``tf`` times in a document of ``doc_len``."""
        raise NotImplementedError

    def get_scores(self, query: object) -> None:
        raise NotImplementedError("the postings live in PassageIndex: use PassageIndex.scores()")

    def get_batch_scores(self, query: object, doc_ids: object) -> None:
        raise NotImplementedError("the postings live in PassageIndex: use PassageIndex.scores()")

    def get_top_n(self, query: object, documents: object, n: int = 5) -> None:
        raise NotImplementedError("the postings live in PassageIndex: use PassageIndex.search()")


class OkapiScorer(_PostingScorer, BM25Okapi):  # type: ignore[misc]  # rank_bm25 is untyped
    """rank-bm25's BM25Okapi without a corpus, plus the IDF floor (see the module docstring)."""

    def __init__(self, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        self.k1 = k1
        self.b = b
        self.epsilon = epsilon
        self.idf_floor = epsilon * math.log(2)

    @staticmethod
    def raw_idf(n_docs: int, df: FloatArray) -> FloatArray:
        """BM25Okapi._calc_idf's IDF before its epsilon rule; negative where df > N / 2."""
        return np.log(n_docs - df + 0.5) - np.log(df + 0.5)

    def average_idf(self, n_docs: int, df: IntArray) -> float:
        """BM25Okapi.average_idf: the mean raw IDF over every term of the collection.

        ``df`` holds the document frequency of every term id (0 for terms not in the collection).
        Terms are grouped by document frequency (a histogram), so the logs are taken once per
        distinct frequency, and the sum is exact (fsum): where the true mean is 0, as when the
        terms' IDFs cancel in pairs, it comes out as 0, not as rounding noise of either sign.
        """
        terms_with = np.bincount(df)  # terms_with[d]: how many terms occur in d documents
        freqs = np.flatnonzero(terms_with[1:]) + 1
        counts = terms_with[freqs]
        raw = self.raw_idf(n_docs, freqs.astype(np.float64))
        return math.fsum((counts * raw).tolist()) / int(counts.sum())

    def idf_of(self, n_docs: int, df: FloatArray, average_idf: Callable[[], float]) -> FloatArray:
        idf = self.raw_idf(n_docs, df)
        negative = idf < 0
        if negative.any():
            idf[negative] = self.epsilon * average_idf()
        idf[idf <= 0] = self.idf_floor  # the departure from rank-bm25
        return idf

    def tf_weight(self, tf: FloatArray, doc_len: FloatArray, avgdl: float) -> FloatArray:
        k1, b = self.k1, self.b
        return tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_len / avgdl))


class BM25LScorer(_PostingScorer, BM25L):  # type: ignore[misc]  # rank_bm25 is untyped
    """rank-bm25's BM25L without a corpus."""

    def __init__(self, k1: float = 1.5, b: float = 0.75, delta: float | None = None) -> None:
        self.k1 = k1
        self.b = b
        self.delta = _default_of(BM25L, "delta") if delta is None else delta

    def idf_of(self, n_docs: int, df: FloatArray, average_idf: Callable[[], float]) -> FloatArray:
        return math.log(n_docs + 1) - np.log(df + 0.5)

    def tf_weight(self, tf: FloatArray, doc_len: FloatArray, avgdl: float) -> FloatArray:
        k1, b, delta = self.k1, self.b, self.delta
        ctd = tf / (1 - b + b * doc_len / avgdl)
        return tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)


class BM25PlusScorer(_PostingScorer, BM25Plus):  # type: ignore[misc]  # rank_bm25 is untyped
    """rank-bm25's BM25Plus without a corpus; a document lacking a query term still gets delta."""

    def __init__(self, k1: float = 1.5, b: float = 0.75, delta: float | None = None) -> None:
        self.k1 = k1
        self.b = b
        self.delta = _default_of(BM25Plus, "delta") if delta is None else delta
        self.absent_weight = self.delta

    def idf_of(self, n_docs: int, df: FloatArray, average_idf: Callable[[], float]) -> FloatArray:
        return np.log((n_docs + 1) / df)

    def tf_weight(self, tf: FloatArray, doc_len: FloatArray, avgdl: float) -> FloatArray:
        # rank-bm25: idf * (delta + tf * (k1 + 1) / (...)); the delta part is absent_weight.
        k1, b = self.k1, self.b
        return tf * (k1 + 1) / (k1 * (1 - b + b * doc_len / avgdl) + tf)


def make_scorer(params: BM25Params) -> OkapiScorer | BM25LScorer | BM25PlusScorer:
    """The scorer for a variant and its parameters."""
    if params.variant == "okapi":
        return OkapiScorer(params.k1, params.b, params.epsilon)
    if params.variant == "l":
        return BM25LScorer(params.k1, params.b, params.delta)
    return BM25PlusScorer(params.k1, params.b, params.delta)


# --- storage ------------------------------------------------------------------------------------


class _Column:
    """A growable 1-D numpy array: amortised O(1) appends, ``values`` is a view of the used part."""

    __slots__ = ("data", "size")

    def __init__(self, dtype: type[np.generic]) -> None:
        self.data: npt.NDArray[Any] = np.empty(16, dtype)
        self.size = 0

    @property
    def values(self) -> npt.NDArray[Any]:
        return self.data[: self.size]

    def extend(self, values: npt.ArrayLike) -> None:
        new = np.asarray(values, dtype=self.data.dtype).reshape(-1)
        end = self.size + new.size
        if end > self.data.size:
            grown = np.empty(max(end, self.data.size * 3 // 2, 16), self.data.dtype)
            grown[: self.size] = self.values
            self.data = grown
        self.data[self.size : end] = new
        self.size = end

    def reset(self, values: npt.ArrayLike) -> None:
        self.size = 0
        self.data = np.empty(0, self.data.dtype)
        self.extend(values)


def _int_array(values: npt.ArrayLike, what: str) -> npt.NDArray[np.integer[Any]]:
    arr = np.asarray(values).reshape(-1)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{what} must be integers, not {arr.dtype}")
    return arr


def _check_postings(
    term_ids: npt.NDArray[np.integer[Any]], tfs: npt.NDArray[np.integer[Any]]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """The term ids and counts of passages as int32, checked."""
    if term_ids.size != tfs.size:
        raise ValueError("term_ids and tfs differ in length")
    if term_ids.size:
        if term_ids.min() < 0 or term_ids.max() > _INT32_MAX:
            raise ValueError("term ids must be int32 values >= 0")
        if tfs.min() < 1 or tfs.max() > _INT32_MAX:
            raise ValueError("term counts must be int32 values >= 1")
    return term_ids.astype(np.int32, copy=False), tfs.astype(np.int32, copy=False)


def _listed(postings: list[array[int] | None], term: int) -> array[int]:
    plist = postings[term]
    assert plist is not None  # every term with df > 0 has a posting list
    return plist


def _sort_by_term(terms: npt.NDArray[np.int32]) -> tuple[IntArray, IntArray]:
    """``terms`` sorted, and the stable sorting permutation (one fast sort of term << 32 | i)."""
    if terms.size > _TF_MASK:
        raise OverflowError("too many postings for one batch")
    keys = terms.astype(np.int64)
    keys <<= _SHIFT
    keys |= np.arange(terms.size, dtype=np.int64)
    keys.sort()
    order = keys & _TF_MASK
    keys >>= _SHIFT
    return keys, order


def _runs(sorted_keys: IntArray) -> tuple[IntArray, IntArray]:
    """Start of each run of equal values in ``sorted_keys`` (plus the end) and the run values."""
    if not sorted_keys.size:
        return np.zeros(1, np.int64), sorted_keys
    change = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    bounds = np.concatenate(([0], change, [sorted_keys.size])).astype(np.int64)
    return bounds, sorted_keys[bounds[:-1]]


class PassageIndex:
    """BM25 over the passages of one collection, updated in place as passages come and go.

    Documents are the caller's ids (any int64) with their *unique* term ids (dense ints >= 0 from
    the caller's vocabulary) and counts. Not thread-safe: the caller serialises all calls (a lock)
    and makes them from a worker thread. See the module docstring for the design and for the one
    departure from rank-bm25 (the Okapi IDF floor).
    """

    def __init__(self, params: BM25Params | None = None) -> None:
        self.params = params or BM25Params()
        self._scorer = make_scorer(self.params)
        # slots, in insertion order
        self._doc = _Column(np.int64)
        self._len = _Column(np.int64)
        self._alive = _Column(np.bool_)
        self._fwd_ptr = _Column(np.int64)  # slot i's term ids are _fwd[_fwd_ptr[i]:_fwd_ptr[i+1]]
        self._fwd_ptr.extend([0])
        self._fwd = _Column(np.int32)
        self._slot_of: dict[int, int] = {}
        # terms, indexed by term id
        self._postings: list[array[int] | None] = []
        self._df: IntArray = np.zeros(0, np.int64)
        # totals over live documents
        self._total_len = 0
        self._live_postings = 0
        self._dead_postings = 0
        self._average_idf: float | None = None

    # --- inspection ---

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: object) -> bool:
        try:
            return doc_id in self._slot_of
        except TypeError:  # unhashable
            return False

    def idf(self, term_id: int) -> float:
        """The IDF used for scoring ``term_id`` (0.0 for a term no live passage contains)."""
        if not 0 <= term_id < self._df.size or self._df[term_id] == 0:
            return 0.0
        df = np.array([self._df[term_id]], np.float64)
        return float(self._scorer.idf_of(len(self), df, self._get_average_idf)[0])

    # --- updates ---

    def add(self, doc_id: int, term_ids: np.ndarray, tfs: np.ndarray) -> None:
        """Add one passage: its unique term ids and their counts. ValueError if already present."""
        doc_id = int(doc_id)
        if doc_id in self._slot_of:
            raise ValueError(f"passage {doc_id} is already in the index")
        terms, counts32 = _check_postings(
            _int_array(term_ids, "term ids"), _int_array(tfs, "term counts")
        )
        counts = counts32.astype(np.int64)
        if np.unique(terms).size != terms.size:
            raise ValueError(f"passage {doc_id} repeats a term id")
        length = int(counts.sum())
        slot = self._new_slots(1)
        self._reserve_terms(terms)
        self._doc.extend([doc_id])
        self._len.extend([length])
        self._alive.extend([True])
        self._fwd.extend(terms)
        self._fwd_ptr.extend([self._fwd.size])
        self._slot_of[doc_id] = slot
        self._df[terms] += 1
        postings = self._postings
        for term, posting in zip(terms.tolist(), ((slot << _SHIFT) | counts).tolist(), strict=True):
            plist = postings[term]
            if plist is None:
                postings[term] = array("q", (posting,))
            else:
                plist.append(posting)
        self._total_len += length
        self._live_postings += terms.size
        self._average_idf = None

    def load(
        self, doc_ids: Sequence[int], term_ids: Sequence[np.ndarray], tfs: Sequence[np.ndarray]
    ) -> None:
        """Bulk-add many docs at start-up (fast: numpy, no per-posting Python loop if you can).

        ``term_ids[i]`` are the UNIQUE int32 term ids of doc i, ``tfs[i]`` their counts (same
        length). All or nothing: on a ValueError the index is unchanged.
        """
        n = len(doc_ids)
        if len(term_ids) != n or len(tfs) != n:
            raise ValueError("doc_ids, term_ids and tfs differ in length")
        if n == 0:
            return
        ids = _int_array(doc_ids, "doc ids").astype(np.int64, copy=False)
        if np.unique(ids).size != n:
            raise ValueError("doc_ids repeat an id")
        if any(d in self._slot_of for d in ids.tolist()):
            raise ValueError("a passage of doc_ids is already in the index")
        per_doc = np.fromiter((len(t) for t in term_ids), np.int64, n)
        if not np.array_equal(per_doc, np.fromiter((len(c) for c in tfs), np.int64, n)):
            raise ValueError("term_ids[i] and tfs[i] differ in length")
        terms, counts = _check_postings(
            _int_array(np.concatenate(term_ids), "term ids"),
            _int_array(np.concatenate(tfs), "term counts"),
        )
        # Postings grouped by term, slots ascending within a term (few, compact temporaries).
        base = self._new_slots(n)
        by_term, order = _sort_by_term(terms)
        slots = np.repeat(np.arange(base, base + n, dtype=np.int32), per_doc)[order]
        if np.any((by_term[1:] == by_term[:-1]) & (slots[1:] == slots[:-1])):
            raise ValueError("a passage of the batch repeats a term id")
        packed = slots.astype(np.int64)
        del slots
        packed <<= _SHIFT
        packed |= counts[order]
        del order
        ptr = np.concatenate(([0], np.cumsum(per_doc)))
        cum_tf = np.zeros(terms.size + 1, np.int64)
        np.cumsum(counts, out=cum_tf[1:])
        lengths = cum_tf[ptr[1:]] - cum_tf[ptr[:-1]]
        total = int(cum_tf[-1])
        del cum_tf
        # commit
        self._doc.extend(ids)
        self._len.extend(lengths)
        self._alive.extend(np.ones(n, np.bool_))
        self._fwd_ptr.extend(self._fwd.size + ptr[1:])
        self._fwd.extend(terms)
        self._slot_of.update(zip(ids.tolist(), range(base, base + n), strict=True))
        self._reserve_terms(terms)
        bounds, unique_terms = _runs(by_term)
        self._df[unique_terms] += np.diff(bounds)
        self._append_postings(unique_terms, bounds, packed)
        self._total_len += total
        self._live_postings += terms.size
        self._average_idf = None

    def remove(self, doc_ids: Iterable[int]) -> None:
        """Remove passages; ids not in the index are ignored."""
        slots = [s for d in doc_ids if (s := self._slot_of.pop(d, None)) is not None]
        if not slots:
            return
        ptr, fwd = self._fwd_ptr.values, self._fwd.values
        terms = np.concatenate([fwd[ptr[s] : ptr[s + 1]] for s in slots])
        self._alive.values[slots] = False
        np.subtract.at(self._df, terms, 1)
        self._total_len -= int(self._len.values[slots].sum())
        self._live_postings -= terms.size
        self._dead_postings += terms.size
        self._average_idf = None
        dead_slots = self._alive.size - len(self._slot_of)
        if self._dead_postings > self._live_postings or dead_slots > len(self._slot_of):
            self._compact()

    # --- queries ---

    def search(self, query: Mapping[int, int], k: int) -> list[Hit]:
        """query: term id -> how many times it occurs in the question. Top k by score desc, ties
        broken by smaller doc_id first (deterministic). Only docs containing >= 1 query term."""
        found = self._score_postings(query) if k > 0 else None
        if found is None:
            return []
        slots, sums, constant = found
        scores = sums + constant
        docs = self._doc.values[slots]
        if scores.size > k:  # keep the top k, and everything tied with the k-th
            kth = np.partition(scores, scores.size - k)[scores.size - k]
            keep = scores >= kth
            scores, docs = scores[keep], docs[keep]
        top = np.lexsort((docs, -scores))[:k]
        return [Hit(d, s) for d, s in zip(docs[top].tolist(), scores[top].tolist(), strict=True)]

    def scores(self, query: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """(doc_ids, scores) for EVERY live doc, doc_ids in insertion order — what rank-bm25's
        get_scores gives; used by tests and benchmarks."""
        alive = self._alive.values
        dense = np.zeros(alive.size)
        found = self._score_postings(query)
        if found is not None:
            slots, sums, constant = found
            dense += constant
            dense[slots] += sums
        return self._doc.values[alive].copy(), dense[alive]

    # --- internals ---

    def _get_average_idf(self) -> float:
        if self._average_idf is None:
            scorer = self._scorer
            assert isinstance(scorer, OkapiScorer)  # the only variant that asks for it
            self._average_idf = scorer.average_idf(len(self), self._df)
        return self._average_idf

    def _score_postings(
        self, query: Mapping[int, int]
    ) -> tuple[IntArray, FloatArray, float] | None:
        """(slots, summed posting weights, constant for every doc), or None if no term is known.

        The slots are the live documents containing a query term, ascending; a document's score is
        its sum plus the constant (BM25Plus's delta for each query term; 0 for the others).
        """
        df, postings = self._df, self._postings
        known: list[tuple[int, int]] = []
        for term, count in query.items():
            if count < 0:
                raise ValueError(f"query term {term} has a negative count")
            if count and 0 <= term < df.size and df[term] > 0:
                known.append((term, count))
        if not known:
            return None
        terms = np.array([t for t, _ in known], np.int64)
        n_docs = len(self)
        idf = self._scorer.idf_of(n_docs, df[terms].astype(np.float64), self._get_average_idf)
        weight = idf * np.array([c for _, c in known], np.float64)
        views = [np.frombuffer(_listed(postings, t), np.int64) for t in terms.tolist()]
        sizes = [v.size for v in views]
        packed = np.concatenate(views)  # a copy: the views (which pin the arrays) die here
        del views
        slots = packed >> _SHIFT
        per_posting = np.repeat(weight, sizes)
        if self._dead_postings:
            live = self._alive.values[slots]
            slots, packed, per_posting = slots[live], packed[live], per_posting[live]
        tf = (packed & _TF_MASK).astype(np.float64)
        doc_len = self._len.values[slots].astype(np.float64)
        contrib = per_posting * self._scorer.tf_weight(tf, doc_len, self._total_len / n_docs)
        constant = float(self._scorer.absent_weight * weight.sum())
        if len(known) == 1:  # one posting list: each slot once, ascending
            return slots, contrib, constant
        n_slots = self._alive.size
        if slots.size * _SORT_BELOW < n_slots:
            order = np.argsort(slots, kind="stable")
            bounds, unique_slots = _runs(slots[order])
            return unique_slots, np.add.reduceat(contrib[order], bounds[:-1]), constant
        sums = np.bincount(slots, contrib, n_slots).astype(np.float64, copy=False)
        hit = np.zeros(n_slots, np.bool_)
        hit[slots] = True
        unique_slots = np.flatnonzero(hit).astype(np.int64, copy=False)
        return unique_slots, sums[unique_slots], constant

    def _new_slots(self, n: int) -> int:
        """The first of ``n`` new slot numbers (checked to fit a posting)."""
        first = self._alive.size
        if first + n - 1 > _MAX_SLOT:
            raise OverflowError("too many passages for one index")
        return first

    def _reserve_terms(self, terms: npt.NDArray[np.int32]) -> None:
        """Make room for term ids up to ``terms.max()`` (amortised O(1) per new term id)."""
        if not terms.size:
            return
        need = int(terms.max()) + 1
        if need > self._df.size:
            grown = np.zeros(max(need, self._df.size * 3 // 2), np.int64)
            grown[: self._df.size] = self._df
            self._df = grown
            self._postings.extend([None] * (grown.size - len(self._postings)))

    def _append_postings(self, terms: IntArray, bounds: IntArray, packed: IntArray) -> None:
        """Append ``packed[bounds[i]:bounds[i+1]]`` to the posting list of ``terms[i]``."""
        raw = np.ascontiguousarray(packed, np.int64).data.cast("B")
        offsets = (bounds * 8).tolist()  # in bytes
        postings = self._postings
        for term, start, end in zip(terms.tolist(), offsets[:-1], offsets[1:], strict=True):
            plist = postings[term]
            if plist is None:
                plist = postings[term] = array("q")
            plist.frombytes(raw[start:end])

    def _compact(self) -> None:
        """Drop dead slots and postings and renumber slots, keeping their order (one numpy pass)."""
        alive = self._alive.values
        new_slot = np.cumsum(alive) - 1  # for live slots
        listed = [(t, plist) for t, plist in enumerate(self._postings) if plist is not None]
        sizes = np.fromiter((len(plist) for _, plist in listed), np.int64, len(listed))
        packed = np.frombuffer(b"".join(plist for _, plist in listed), np.int64)
        by_term = np.repeat(np.fromiter((t for t, _ in listed), np.int64, len(listed)), sizes)
        self._postings = [None] * len(self._postings)
        del listed
        slots = packed >> _SHIFT
        live = alive[slots]
        by_term = by_term[live]
        packed = (new_slot[slots[live]] << _SHIFT) | (packed[live] & _TF_MASK)
        if by_term.size:
            bounds, terms = _runs(by_term)
            self._append_postings(terms, bounds, packed)

        ptr = self._fwd_ptr.values
        per_doc = np.diff(ptr)[alive]
        self._fwd.reset(self._fwd.values[np.repeat(alive, np.diff(ptr))])
        self._fwd_ptr.reset(np.concatenate(([0], np.cumsum(per_doc))))
        self._doc.reset(self._doc.values[alive])
        self._len.reset(self._len.values[alive])
        self._alive.reset(np.ones(self._doc.size, np.bool_))
        self._slot_of = dict(zip(self._doc.values.tolist(), range(self._doc.size), strict=True))
        self._dead_postings = 0

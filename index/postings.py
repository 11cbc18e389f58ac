"""PassageIndex: an in-memory, incremental inverted index over one collection's passages.

Scores come from `index.bm25` (rank-bm25's formulas, with its one documented departure).

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

from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from index.arrays import (
    INT32_MAX,
    SHIFT,
    TF_MASK,
    Column,
    check_postings,
    int_array,
    listed,
    runs,
    sort_by_term,
)
from index.bm25 import BM25Params, FloatArray, IntArray, OkapiScorer, make_scorer

_MAX_SLOT = INT32_MAX
# A query sums its postings by sorting them when they are fewer than 1/_SORT_BELOW of the slots,
# else with a dense np.bincount over the slots (faster for long posting lists).
_SORT_BELOW = 8


class Hit(NamedTuple):
    """A passage found by a search."""

    doc_id: int  # the caller's id (a passage row id from SQLite, any int64)
    score: float


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
        self._doc = Column(np.int64)
        self._len = Column(np.int64)
        self._alive = Column(np.bool_)
        self._fwd_ptr = Column(np.int64)  # slot i's term ids are _fwd[_fwd_ptr[i]:_fwd_ptr[i+1]]
        self._fwd_ptr.extend([0])
        self._fwd = Column(np.int32)
        self._slot_of: dict[int, int] = {}
        # terms, indexed by term id
        self._postings: list[array[int] | None] = []
        self._df: IntArray = np.zeros(0, np.int64)
        # totals over live documents
        self._total_len = 0
        self._live_postings = 0
        self._dead_postings = 0
        self._average_idf: float | None = None
        self._idfs: dict[int, float] = {}  # idf() of terms asked since the last change

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
        idf = self._idfs.get(term_id)
        if idf is None:
            if not 0 <= term_id < self._df.size or self._df[term_id] == 0:
                return 0.0
            df = np.array([self._df[term_id]], np.float64)
            idf = float(self._scorer.idf_of(len(self), df, self._get_average_idf)[0])
            self._idfs[term_id] = idf
        return idf

    # --- updates ---

    def add(self, doc_id: int, term_ids: np.ndarray, tfs: np.ndarray) -> None:
        """Add one passage: its unique term ids and their counts. ValueError if already present."""
        doc_id = int(doc_id)
        if doc_id in self._slot_of:
            raise ValueError(f"passage {doc_id} is already in the index")
        terms, counts32 = check_postings(
            int_array(term_ids, "term ids"), int_array(tfs, "term counts")
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
        for term, posting in zip(terms.tolist(), ((slot << SHIFT) | counts).tolist(), strict=True):
            plist = postings[term]
            if plist is None:
                postings[term] = array("q", (posting,))
            else:
                plist.append(posting)
        self._total_len += length
        self._live_postings += terms.size
        self._changed()

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
        ids = int_array(doc_ids, "doc ids").astype(np.int64, copy=False)
        if np.unique(ids).size != n:
            raise ValueError("doc_ids repeat an id")
        if any(d in self._slot_of for d in ids.tolist()):
            raise ValueError("a passage of doc_ids is already in the index")
        per_doc = np.fromiter((len(t) for t in term_ids), np.int64, n)
        if not np.array_equal(per_doc, np.fromiter((len(c) for c in tfs), np.int64, n)):
            raise ValueError("term_ids[i] and tfs[i] differ in length")
        terms, counts = check_postings(
            int_array(np.concatenate(term_ids), "term ids"),
            int_array(np.concatenate(tfs), "term counts"),
        )
        # Postings grouped by term, slots ascending within a term (few, compact temporaries).
        base = self._new_slots(n)
        by_term, order = sort_by_term(terms)
        slots = np.repeat(np.arange(base, base + n, dtype=np.int32), per_doc)[order]
        if np.any((by_term[1:] == by_term[:-1]) & (slots[1:] == slots[:-1])):
            raise ValueError("a passage of the batch repeats a term id")
        packed = slots.astype(np.int64)
        del slots
        packed <<= SHIFT
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
        bounds, unique_terms = runs(by_term)
        self._df[unique_terms] += np.diff(bounds)
        self._append_postings(unique_terms, bounds, packed)
        self._total_len += total
        self._live_postings += terms.size
        self._changed()

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
        self._changed()
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

    def _changed(self) -> None:
        """Forget what was derived from the passages (they changed)."""
        self._average_idf = None
        self._idfs = {}

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
        views = [np.frombuffer(listed(postings, t), np.int64) for t in terms.tolist()]
        sizes = [v.size for v in views]
        packed = np.concatenate(views)  # a copy: the views (which pin the arrays) die here
        del views
        slots = packed >> SHIFT
        per_posting = np.repeat(weight, sizes)
        if self._dead_postings:
            live = self._alive.values[slots]
            slots, packed, per_posting = slots[live], packed[live], per_posting[live]
        tf = (packed & TF_MASK).astype(np.float64)
        doc_len = self._len.values[slots].astype(np.float64)
        contrib = per_posting * self._scorer.tf_weight(tf, doc_len, self._total_len / n_docs)
        constant = float(self._scorer.absent_weight * weight.sum())
        if len(known) == 1:  # one posting list: each slot once, ascending
            return slots, contrib, constant
        n_slots = self._alive.size
        if slots.size * _SORT_BELOW < n_slots:
            order = np.argsort(slots, kind="stable")
            bounds, unique_slots = runs(slots[order])
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
        slots = packed >> SHIFT
        live = alive[slots]
        by_term = by_term[live]
        packed = (new_slot[slots[live]] << SHIFT) | (packed[live] & TF_MASK)
        if by_term.size:
            bounds, terms = runs(by_term)
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

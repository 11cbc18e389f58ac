"""PassageIndex: an in-memory, incremental inverted index over one collection's passages.

Scores come from `index.bm25` (rank-bm25's formulas, with its one documented departure).

* Per-passage *slots*, in insertion order, in growable numpy columns: caller's id, length (the
  sum of its term counts, like rank-bm25's ``len(tokens)``), distinct terms, alive flag.
* Most postings are in one `arrays.Postings` grouped by term (int32 slots, uint16 counts, about
  6 bytes a posting, no Python object per term). Those added since wait in a small *delta*
  (``slot << 32 | tf`` per term touched), merged in once it holds an eighth of the postings.
* Document frequencies are not kept: a question counts the live postings of its own terms, and
  `idf` caches them until the next change (so does Okapi's average IDF, a histogram).

``remove`` marks slots dead (skipped at query time); once they outnumber the live ones the
storage is rebuilt without them in one numpy pass, amortised O(1) per removed posting. A query
reads the postings of its terms only (a test counts them) and sums their weights per slot (by
sorting when they are few, else with one ``np.bincount``); a top k over many postings reads its
common terms only where they can matter (`topk`).

Not thread-safe: the caller serialises every call (a lock) and runs them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

import index.topk as topk
from index.arrays import (
    INT32_MAX,
    POSTING_BYTES,
    SHIFT,
    TF_MASK,
    Column,
    Marks,
    Postings,
    SlotMap,
    check_postings,
    delta_postings,
    int_array,
    repeats,
    repeats_a_term,
    summed,
    to_delta,
)
from index.bm25 import BM25Params, FloatArray, IntArray, OkapiScorer, TfWeights, make_scorer
from index.impacts import Impacts, weighed

_MAX_SLOT = INT32_MAX
_DELTA_SHARE = 8  # the delta is merged in once it holds more than 1/_DELTA_SHARE of the postings
_DELTA_MIN = 4096  # ... and more than this many postings
Asked = list[tuple[int, int]]  # a query's terms and how many times each counts


class Hit(NamedTuple):
    """A passage found by a search."""

    doc_id: int  # the caller's id (a passage row id from SQLite, any int64)
    score: float


class PassageIndex:
    """BM25 over the passages of one collection, updated in place as passages come and go.

    Documents are the caller's ids (any int64) with their *unique* term ids (dense ints >= 0 from
    the caller's vocabulary) and counts. See the module docstring for the design, for thread
    safety (none) and for the one departure from rank-bm25 (the Okapi IDF floor).
    """

    def __init__(self, params: BM25Params | None = None) -> None:
        self.params = params or BM25Params()
        self._scorer = make_scorer(self.params)
        # slots, in insertion order
        self._doc = Column(np.int64)
        self._len = Column(np.float64)  # exact: lengths are integers far below 2**53
        self._terms = Column(np.int32)  # how many distinct terms each slot has
        self._alive = Column(np.bool_)
        self._slot_of = SlotMap()
        self._postings = Postings.empty()
        self._delta: dict[int, bytearray] = {}
        self._delta_size = 0
        # totals over live documents
        self._total_len = 0
        self._live_postings = 0
        self._dead_postings = 0
        self._average_idf: float | None = None
        self._idfs: dict[int, float] = {}  # idf() of terms asked since the last change
        self._norms: TfWeights | None = None  # `_tf_weights` until the next change
        self._impacts = Impacts()  # questions' posting weights until the next change
        self._marks = Marks()  # the top k's candidates flagged (down between questions)
        self.postings_read = 0  # postings gathered by queries so far (a work count for tests)

    # --- inspection ---

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot_of

    def idf(self, term_id: int) -> float:
        """The IDF used for scoring ``term_id`` (0.0 for a term no live passage contains)."""
        idf = self._idfs.get(term_id)
        return self.idfs([term_id])[0] if idf is None else idf

    def idfs(self, term_ids: Sequence[int]) -> list[float]:
        """`idf` of each term, those not known yet computed together (faster than one by one)."""
        todo = [t for t in dict.fromkeys(term_ids) if t >= 0 and t not in self._idfs]
        if todo:
            df, asked = np.concatenate([self._df(t) for t in todo]), [(t, 1) for t in todo]
            known, idf = topk.weights(self._scorer, len(self), df, asked, self._avg_idf)
            self._idfs.update((t, float(idf[j])) for j, t in enumerate(todo) if known[j])
        return [self._idfs.get(t, 0.0) for t in term_ids]

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
        if repeats(terms):
            raise ValueError(f"passage {doc_id} repeats a term id")
        slot = self._new_slots(1)
        self._commit_slots(np.array([doc_id]), counts.sum(keepdims=True), [terms.size])
        delta = self._delta
        packed = ((slot << SHIFT) | counts).tobytes()
        for term, at in zip(terms.tolist(), range(0, len(packed), POSTING_BYTES), strict=True):
            delta.setdefault(term, bytearray()).extend(packed[at : at + POSTING_BYTES])
        self._delta_size += terms.size
        if self._delta_size > self._delta_limit():
            self._merge_delta()

    def load(
        self, doc_ids: Sequence[int], term_ids: Sequence[np.ndarray], tfs: Sequence[np.ndarray]
    ) -> None:
        """Add docs (all or none): ``term_ids[i]`` doc i's UNIQUE term ids, ``tfs[i]`` counts."""
        n = len(doc_ids)
        if len(term_ids) != n or len(tfs) != n:
            raise ValueError("doc_ids, term_ids and tfs differ in length")
        if n == 0:
            return
        terms, counts = check_postings(
            int_array(np.concatenate(term_ids), "term ids"),
            int_array(np.concatenate(tfs), "term counts"),
        )
        per_doc = np.fromiter((len(t) for t in term_ids), np.int64, n)
        if not np.array_equal(per_doc, np.fromiter((len(c) for c in tfs), np.int64, n)):
            raise ValueError("term_ids[i] and tfs[i] differ in length")
        base = self._new_slots(n)
        slots = np.repeat(np.arange(base, base + n, dtype=np.int32), per_doc)
        batch = Postings.grouped(terms, slots, counts)
        del slots
        if repeats_a_term(batch):
            raise ValueError("a passage of the batch repeats a term id")
        ptr = np.concatenate(([0], np.cumsum(per_doc)))
        cum_tf = np.zeros(terms.size + 1, np.int64)
        np.cumsum(counts, out=cum_tf[1:])
        self.reserve(int_array(doc_ids, "doc ids"), cum_tf[ptr[1:]] - cum_tf[ptr[:-1]], per_doc)
        if self._delta_size + terms.size <= self._delta_limit():  # a catch-up's few passages
            self._delta_size += to_delta(self._delta, batch)
        else:
            self.take(batch)

    def reserve(self, doc_ids: np.ndarray, lengths: np.ndarray, terms: np.ndarray) -> int:
        """Slots for new passages (their ids, lengths and numbers of distinct terms), whose
        postings the caller gives next (`take`, or the delta); the first slot. ValueError if
        an id repeats or is already in the index (nothing is changed then)."""
        ids = doc_ids.astype(np.int64, copy=False)
        if repeats(ids):
            raise ValueError("doc_ids repeat an id")
        if self._slot_of.held(ids):
            raise ValueError("a passage of doc_ids is already in the index")
        first = self._new_slots(ids.size)
        self._commit_slots(ids, lengths, terms)
        return first

    def take(self, postings: Postings) -> None:
        """Merge in grouped postings of slots given by `reserve` (kept as they are when the
        index holds no postings yet: start-up)."""
        if not self._postings.slots.size and not self._delta:
            self._postings = postings
        else:
            self._merge_delta()
            self._postings = self._postings.merged(postings)
        self._changed()

    def image(self) -> tuple[IntArray, FloatArray, IntArray, Postings]:
        """Each live passage's id, length and number of terms, and the postings (`images`)."""
        if self._alive.size != len(self):
            self._compact()
        self._merge_delta()
        doc, length, terms = self._doc.values, self._len.values, self._terms.values
        return doc.copy(), length.copy(), terms.copy(), self._postings

    def remove(self, doc_ids: Iterable[int]) -> None:
        """Remove passages; ids not in the index are ignored."""
        slots = self._slot_of.pop([int(d) for d in doc_ids])
        if not slots:
            return
        self._alive.values[slots] = False
        removed = int(self._terms.values[slots].sum())
        self._total_len -= int(self._len.values[slots].sum())
        self._live_postings -= removed
        self._dead_postings += removed
        dead_slots = self._alive.size - len(self._slot_of)
        if self._dead_postings > self._live_postings or dead_slots > len(self._slot_of):
            self._compact()
        self._changed()  # after compacting: it renumbers the slots

    # --- queries ---

    def search(
        self, query: Mapping[int, int], k: int, within: Sequence[int] | None = None
    ) -> list[Hit]:
        """query: term id -> how many times it occurs in the question. Top k by score desc, ties
        broken by smaller doc_id first (deterministic). Only docs containing >= 1 query term,
        and with `within` (sorted doc ids: a topic's passages) only those docs."""
        asked = self._asked(query) if k > 0 else []
        self._impacts.question()
        large = asked and within is None and self._alive.size >= topk.PRUNE_SLOTS
        found = self._score_top(asked, k) if large else None
        found = self._score_postings(asked) if found is None else found
        if found is None or not found[0].size:
            return []
        slots, sums, constant = found
        scores = sums + constant if constant else sums
        if within is not None:
            keep = np.isin(self._doc.values[slots], within, assume_unique=True)
            scores, slots = scores[keep], slots[keep]
        if scores.size > k:  # keep the top k, and everything tied with the k-th
            kth = np.partition(scores, scores.size - k)[scores.size - k]
            keep = scores >= kth
            scores, slots = scores[keep], slots[keep]
        docs = self._doc.values[slots]
        top = np.lexsort((docs, -scores))[:k]
        return [Hit(d, s) for d, s in zip(docs[top].tolist(), scores[top].tolist(), strict=True)]

    def scores(self, query: Mapping[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """(doc_ids, scores) for EVERY live doc, in insertion order: rank-bm25's get_scores."""
        alive = self._alive.values
        dense = np.zeros(alive.size)
        found = self._score_postings(self._asked(query))
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
        self._norms = None
        self._impacts.clear()

    def _tf_weights(self) -> TfWeights:
        """What weighs postings (`bm25.TfWeights`), once a change rather than a posting."""
        if self._norms is None:
            self._norms = TfWeights(self._scorer, self._len.values, self._total_len / len(self))
        return self._norms

    def _avg_idf(self) -> float:
        if self._average_idf is None:
            scorer = self._scorer
            assert isinstance(scorer, OkapiScorer)  # the only variant that asks for it
            self._average_idf = scorer.average_idf(len(self), self._all_dfs())
        return self._average_idf

    def _all_dfs(self) -> IntArray:
        """The document frequency of every term with postings (0 for those all dead)."""
        self._merge_delta()
        postings = self._postings
        sizes = np.diff(postings.ptr)
        if not self._dead_postings or not sizes.size:
            return sizes
        return self._live_counts(postings.slots, sizes)

    def _df(self, term_id: int) -> IntArray:
        """The document frequency of a term (as an array of one)."""
        if self._dead_postings:
            slots, _, sizes = self._gather(np.array([term_id], np.int64))
            return self._live_counts(slots, sizes)
        postings, delta = self._postings, self._delta.get(term_id)
        at = int(postings.terms.searchsorted(term_id))
        held = at < postings.terms.size and postings.terms[at] == term_id
        count = int(postings.ptr[at + 1] - postings.ptr[at]) if held else 0
        return np.array([count + len(delta or b"") // POSTING_BYTES], np.int64)

    def _live_counts(self, slots: np.ndarray, sizes: IntArray) -> IntArray:
        """How many of each run of `sizes` postings (of `slots`) are alive."""
        live = self._alive.values[slots].astype(np.int64)
        out = np.zeros(sizes.size, np.int64)
        nonempty = sizes > 0
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[nonempty]
        if starts.size:
            out[nonempty] = np.add.reduceat(live, starts)
        return out

    def _gather(self, terms: IntArray) -> tuple[np.ndarray, np.ndarray, IntArray]:
        """The slots and counts of ``terms``' postings (dead ones too), and how many each has."""
        postings, delta = self._postings, self._delta
        starts, ends = postings.find(terms)
        slot_parts, tf_parts, sizes = [], [], []
        for term, start, end in zip(terms.tolist(), starts.tolist(), ends.tolist(), strict=True):
            slot_parts.append(postings.slots[start:end])
            tf_parts.append(postings.tfs[start:end])
            size = end - start
            plist = delta.get(term)
            if plist is not None:
                packed = np.frombuffer(plist, np.int64)
                slot_parts.append((packed >> SHIFT).astype(np.int32))
                tf_parts.append(packed & TF_MASK)
                size += packed.size
                del packed  # the view pins the bytearray: it cannot grow while it lives
            sizes.append(size)
        slots = np.concatenate(slot_parts).astype(np.intp)  # as bincount and indexing take them
        self.postings_read += slots.size
        return slots, np.concatenate(tf_parts), np.array(sizes, np.int64)

    def _score_top(self, asked: Asked, k: int) -> tuple[IntArray, FloatArray, float] | None:
        """`_score_postings` of the passages that may be in the top k (`topk`); None if futile."""
        alive = self._alive.values if self._dead_postings else None
        parts, df, read = topk.parts_of(self._postings, self._delta, [t for t, _ in asked], alive)
        if np.count_nonzero(df) < 2 or read < topk.PRUNE_FROM:
            return None
        known, weight = topk.weights(self._scorer, len(self), df, asked, self._avg_idf)
        avgdl = self._total_len / len(self)
        kept = self._impacts, [t for t, _ in asked], self._postings.slots.size + self._delta_size
        scoring = topk.Scoring(self._scorer, self._tf_weights(), avgdl, weight, kept, self._marks)
        slots, sums, gathered = scoring.best(parts, k, read)
        self.postings_read += gathered
        return slots, sums, float(self._scorer.absent_weight * weight[known].sum())

    @staticmethod
    def _asked(query: Mapping[int, int]) -> Asked:
        """The query's terms and counts, but those counted 0 (ValueError for a count < 0)."""
        if any(count < 0 for count in query.values()):
            raise ValueError("a query term has a negative count")
        return [(t, c) for t, c in query.items() if c and t >= 0]

    def _score_postings(self, asked: Asked) -> tuple[IntArray, FloatArray, float] | None:
        """(slots, summed posting weights, constant for every doc), or None if no term is known.
        The slots are the live documents containing a query term; a document's score is its sum
        plus the constant (BM25Plus's delta for each query term; 0 for the others)."""
        if not asked or not len(self):
            return None
        gathered = slots, _, sizes = self._gather(np.array([t for t, _ in asked], np.int64))
        live = self._alive.values[slots] if self._dead_postings else None
        df = sizes if live is None else self._live_counts(slots, sizes)
        known, weight = topk.weights(self._scorer, len(self), df, asked, self._avg_idf)
        if not known.any():
            return None
        tf_weights, held = self._tf_weights(), self._postings.slots.size + self._delta_size
        contrib = weighed(self._impacts, tf_weights, asked, weight, gathered, held)
        if live is not None:
            slots, contrib = slots[live], contrib[live]
        constant = float(self._scorer.absent_weight * weight[known].sum())
        if np.count_nonzero(known) == 1:  # one posting list: each slot once
            return slots, contrib, constant
        return (*summed(slots, contrib, self._alive.size), constant)

    def _new_slots(self, n: int) -> int:
        """The first of ``n`` new slot numbers (checked to fit a posting)."""
        first = self._alive.size
        if first + n - 1 > _MAX_SLOT:
            raise OverflowError("too many passages for one index")
        return first

    def _commit_slots(self, ids: np.ndarray, lengths: np.ndarray, terms: npt.ArrayLike) -> None:
        """Append slots for these passages (their ids, lengths and numbers of terms)."""
        first = self._alive.size
        self._doc.extend(ids)
        self._len.extend(lengths)
        self._terms.extend(terms)
        self._alive.extend(np.ones(ids.size, np.bool_))
        self._slot_of.add(ids, first)
        self._total_len += int(np.sum(lengths))
        self._live_postings += int(np.sum(terms))
        self._changed()

    def _delta_limit(self) -> int:
        """The most postings the delta holds before it is merged in."""
        return max(_DELTA_MIN, self._postings.slots.size // _DELTA_SHARE)

    def _merge_delta(self) -> None:
        """Merge the delta into the grouped postings (one insertion pass)."""
        if self._delta:
            self._postings = self._postings.merged(delta_postings(self._delta))
            self._delta, self._delta_size = {}, 0
            self._impacts.clear()  # kept by piece: a term's pieces are now one

    def _compact(self) -> None:
        """Drop dead slots and postings and renumber slots, keeping their order (one numpy pass)."""
        self._merge_delta()
        alive = self._alive.values
        new_slot = (np.cumsum(alive) - 1).astype(np.int32)  # for live slots
        old = self._postings
        live = alive[old.slots]
        sizes = self._live_counts(old.slots, np.diff(old.ptr))
        keep = sizes > 0
        ptr = np.zeros(int(keep.sum()) + 1, np.int64)
        np.cumsum(sizes[keep], out=ptr[1:])
        self._postings = Postings(old.terms[keep], ptr, new_slot[old.slots[live]], old.tfs[live])
        self._doc.reset(self._doc.values[alive])
        self._len.reset(self._len.values[alive])
        self._terms.reset(self._terms.values[alive])
        self._alive.reset(np.ones(self._doc.size, np.bool_))
        self._slot_of = SlotMap()
        self._slot_of.add(self._doc.values, 0)
        self._dead_postings = 0

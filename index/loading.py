"""Start-up's load of a whole collection into a `PassageIndex`, in one placing pass.

Merging each batch of stored passages into the grouped postings as it came copied all the
postings so far per batch: at a million passages, about a hundred copies of up to 370 MB
(12 s). Instead, each batch is grouped by term on its own as it is read and held compactly
(slots relative to the batch's first, as uint16; counts as uint8 where they fit: 3 bytes a
posting), the number of postings of each term is summed as they come, and at the end every
batch's postings are placed where they belong in the final arrays, batch after batch (each
term's postings stay in slot order: the batches come in slot order), each batch freed once
placed. Memory: the final arrays plus half their size at most; time: one sort per batch and
one pass over all postings (in two threads). Every step is a numpy call over one batch at
most, so that no call holds the GIL (and the event loop) for long.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from index.arrays import Postings, check_postings, narrow_counts, runs
from index.bm25 import IntArray
from index.postings import PassageIndex

_BATCH_MAX = 1 << 16  # passages a held batch may have (its slots are uint16)
_TF_MAX = (1 << 16) - 1


class _Held(NamedTuple):
    """One batch's postings grouped by term, compactly."""

    first: int  # the batch's first slot
    terms: npt.NDArray[np.int32]  # ascending
    sizes: npt.NDArray[np.int64]  # postings of each term
    slots: npt.NDArray[np.uint16]  # relative to `first`, in slot order within a term
    tfs: npt.NDArray[Any]


class Loading:
    """Passages added to an index batch after batch, their postings placed at `finish`.

    The index must not be used between the first `add` and `finish` (its passages are counted
    but not yet searchable); `Indexes` registers it only once loaded.
    """

    def __init__(self, index: PassageIndex) -> None:
        self.index = index
        self._held: list[_Held] = []
        self._counts = np.zeros(0, np.int64)  # postings per term id, over every batch

    def add(self, ids: list[int], term_blobs: list[bytes], tf_blobs: list[bytes]) -> None:
        """A batch of stored passages: ids, their term ids and counts as int32 blobs."""
        for start in range(0, len(ids), _BATCH_MAX):
            end = start + _BATCH_MAX
            self._add(ids[start:end], term_blobs[start:end], tf_blobs[start:end])
            time.sleep(0)  # lets go of the GIL: a waiting event loop takes it at once

    def _add(self, ids: list[int], term_blobs: list[bytes], tf_blobs: list[bytes]) -> None:
        n = len(ids)
        if len(term_blobs) != n or len(tf_blobs) != n:
            raise ValueError("ids, term ids and counts differ in length")
        if not n:
            return
        per_doc = np.fromiter(map(len, term_blobs), np.int64, n)
        if not np.array_equal(per_doc, np.fromiter(map(len, tf_blobs), np.int64, n)):
            raise ValueError("a passage's term ids and counts differ in length")
        per_doc //= 4
        terms, counts = check_postings(
            np.frombuffer(b"".join(term_blobs), "<i4"), np.frombuffer(b"".join(tf_blobs), "<i4")
        )
        ends = np.cumsum(counts, dtype=np.int64)
        bounds = np.cumsum(per_doc) - 1
        lengths = np.diff(np.concatenate(([0], ends[bounds[per_doc > 0]])))
        doc_len = np.zeros(n, np.int64)
        doc_len[per_doc > 0] = lengths
        first = self.index.reserve(np.asarray(ids, np.int64), doc_len, per_doc)
        if counts.size and int(counts.max()) > _TF_MAX:  # a rare count too large to pack
            batch = Postings.grouped(terms, np.repeat(np.arange(n), per_doc), counts)
            by_term = np.repeat(batch.terms, np.diff(batch.ptr)).astype(np.int64)
            keys = by_term << 32 | batch.slots.astype(np.int64) << 16
            tfs = batch.tfs
        else:  # one sort of term << 32 | slot << 16 | count gives all three grouped
            keys = terms.astype(np.int64)
            keys <<= 32
            keys |= np.repeat(np.arange(n, dtype=np.int64) << 16, per_doc)
            keys |= counts
            keys.sort()
            tfs = _narrowest(keys & _TF_MAX)
        del terms, counts
        term_slot = keys >> 16
        if np.any(term_slot[1:] == term_slot[:-1]):
            raise ValueError("a passage repeats a term id")
        slots = (term_slot & _TF_MAX).astype(np.uint16)
        del term_slot
        keys >>= 32
        term_bounds, unique = runs(keys)
        sizes = np.diff(term_bounds)
        self._count(unique, sizes)
        self._held.append(_Held(first, unique.astype(np.int32), sizes, slots, tfs))

    def _count(self, terms: npt.NDArray[Any], sizes: npt.NDArray[np.int64]) -> None:
        if terms.size and int(terms[-1]) >= self._counts.size:
            grown = np.zeros(max(int(terms[-1]) + 1, self._counts.size * 3 // 2), np.int64)
            grown[: self._counts.size] = self._counts
            self._counts = grown
        self._counts[terms] += sizes

    def finish(self) -> None:
        """Place every held batch's postings in the index (each batch freed once placed)."""
        terms = np.flatnonzero(self._counts)
        sizes = self._counts[terms]
        ptr = np.zeros(terms.size + 1, np.int64)
        np.cumsum(sizes, out=ptr[1:])
        total = int(ptr[-1])
        index_type = np.intp  # numpy converts other index types first (3 times slower)
        cursor = np.zeros(self._counts.size, index_type)  # where each term's next posting goes
        cursor[terms] = ptr[:-1]
        tf_type = np.result_type(np.uint16, *(held.tfs.dtype for held in self._held))
        slots = np.empty(total, np.int32)
        tfs = np.empty(total, tf_type)
        self._counts = np.zeros(0, np.int64)
        # where each batch's postings of each term begin (batch after batch), then the placing
        # itself in two threads (numpy lets go of the GIL while it places), each batch freed
        # once placed
        parts: tuple[list[tuple[_Held, IntArray]], ...] = ([], [])
        for n, held in enumerate(self._held):
            parts[n % 2].append((held, cursor[held.terms]))
            cursor[held.terms] += held.sizes
        self._held = []
        for part in parts:
            part.reverse()
        with ThreadPoolExecutor(1) as other:
            placing = other.submit(_place, parts[1], slots, tfs)
            _place(parts[0], slots, tfs)
            placing.result()
        self.index.take(Postings(terms.astype(np.int32), ptr, slots, tfs))


def _place(
    part: list[tuple[_Held, IntArray]], slots: npt.NDArray[np.int32], tfs: npt.NDArray[Any]
) -> None:
    """Place batches' postings (popped from the end of `part`) at their terms' places."""
    while part:
        held, starts = part.pop()
        # each posting's place: its term's next free place, plus its rank in the term's run
        run_starts = np.zeros(held.sizes.size, np.intp)
        np.cumsum(held.sizes[:-1], out=run_starts[1:])
        dest = np.repeat(starts - run_starts, held.sizes)
        dest += np.arange(dest.size, dtype=np.intp)
        placed = held.slots.astype(np.int32)
        placed += held.first
        slots[dest] = placed
        tfs[dest] = held.tfs
        del held, dest, placed
        time.sleep(0)  # lets go of the GIL: a waiting event loop takes it at once


def _narrowest(counts: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Counts as uint8 where they all fit (held batches), else as `narrow_counts` has them."""
    if not counts.size or int(counts.max()) <= np.iinfo(np.uint8).max:
        return counts.astype(np.uint8)
    return narrow_counts(counts)

"""numpy building blocks of `postings.PassageIndex`: growable columns, checked integer
arrays, postings grouped by term (CSR) and merged by insertion, and the packed form
``slot << 32 | tf`` of postings added since the last merge."""

from __future__ import annotations

import operator
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from index.bm25 import FloatArray, IntArray

SHIFT = 32  # a posting is slot << 32 | tf
POSTING_BYTES = 8  # a posting's bytes in a delta (one int64)
TF_MASK = (1 << SHIFT) - 1
INT32_MAX = (1 << 31) - 1


class Column:
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


def int_array(values: npt.ArrayLike, what: str) -> npt.NDArray[np.integer[Any]]:
    arr = np.asarray(values).reshape(-1)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{what} must be integers, not {arr.dtype}")
    return arr


def check_postings(
    term_ids: npt.NDArray[np.integer[Any]], tfs: npt.NDArray[np.integer[Any]]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """The term ids and counts of passages as int32, checked."""
    if term_ids.size != tfs.size:
        raise ValueError("term_ids and tfs differ in length")
    if term_ids.size:
        if term_ids.min() < 0 or term_ids.max() > INT32_MAX:
            raise ValueError("term ids must be int32 values >= 0")
        if tfs.min() < 1 or tfs.max() > INT32_MAX:
            raise ValueError("term counts must be int32 values >= 1")
    return term_ids.astype(np.int32, copy=False), tfs.astype(np.int32, copy=False)


def sort_by_term(terms: npt.NDArray[np.int32]) -> tuple[IntArray, IntArray]:
    """``terms`` sorted, and the stable sorting permutation (one fast sort of term << 32 | i)."""
    if terms.size > TF_MASK:
        raise OverflowError("too many postings for one batch")
    keys = terms.astype(np.int64)
    keys <<= SHIFT
    keys |= np.arange(terms.size, dtype=np.int64)
    keys.sort()
    order = keys & TF_MASK
    keys >>= SHIFT
    return keys, order


def runs(sorted_keys: IntArray) -> tuple[IntArray, IntArray]:
    """Start of each run of equal values in ``sorted_keys`` (plus the end) and the run values."""
    if not sorted_keys.size:
        return np.zeros(1, np.int64), sorted_keys
    change = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    bounds = np.concatenate(([0], change, [sorted_keys.size])).astype(np.int64)
    return bounds, sorted_keys[bounds[:-1]]


class Postings(NamedTuple):
    """Postings grouped by term (CSR): ``terms`` ascending, term ``terms[i]``'s postings are
    ``slots[ptr[i]:ptr[i+1]]`` with counts ``tfs[...]`` (uint16, or int32 where a count needs
    it): about 6 bytes a posting and no Python object per term."""

    terms: npt.NDArray[np.int32]
    ptr: IntArray
    slots: npt.NDArray[np.int32]
    tfs: npt.NDArray[Any]

    @classmethod
    def empty(cls) -> Postings:
        return cls(
            np.zeros(0, np.int32), np.zeros(1, np.int64), np.zeros(0, np.int32), narrow_counts([])
        )

    @classmethod
    def grouped(cls, terms: npt.NDArray[np.int32], slots: Any, tfs: Any) -> Postings:
        """Postings given one by one (term, slot, count), grouped by term (slot order kept)."""
        by_term, order = sort_by_term(terms)
        bounds, unique = runs(by_term)
        return cls(
            unique.astype(np.int32),
            bounds,
            slots[order].astype(np.int32),
            narrow_counts(tfs[order]),
        )

    def find(self, terms: IntArray) -> tuple[IntArray, IntArray]:
        """The start and end of each of ``terms``' postings (equal where it has none)."""
        at = np.searchsorted(self.terms, terms)
        held = at < self.terms.size
        held[held] = self.terms[at[held]] == terms[held]
        starts = np.where(held, self.ptr[np.minimum(at, self.ptr.size - 2)], 0)
        ends = np.where(held, self.ptr[np.minimum(at + 1, self.ptr.size - 1)], 0)
        return starts, ends

    def merged(self, new: Postings) -> Postings:
        """These postings and ``new``'s, each term's new ones after its old ones: one pass
        that places each posting (no sort), so its cost is a copy of the arrays, and its
        temporaries are the size of ``new`` (plus a byte a posting)."""
        if not new.slots.size:
            return self
        sizes = np.diff(new.ptr)
        total = self.slots.size + new.slots.size
        index = np.int32 if total <= INT32_MAX else np.int64
        # where each new posting goes: after its term's old postings, shifted by the new ones
        # placed before it
        at = self.ptr[np.searchsorted(self.terms, new.terms, side="right")].astype(index)
        dest: npt.NDArray[Any] = np.repeat(at, sizes)
        dest += np.arange(new.slots.size, dtype=index)
        old = np.ones(total, np.bool_)
        old[dest] = False
        slots = np.empty(total, np.int32)
        slots[dest] = new.slots
        slots[old] = self.slots
        tfs = np.empty(total, np.result_type(self.tfs, new.tfs))
        tfs[dest] = new.tfs
        tfs[old] = self.tfs
        terms = union(self.terms, new.terms).astype(np.int32)
        counts = np.zeros(terms.size, np.int64)
        counts[np.searchsorted(terms, self.terms)] += np.diff(self.ptr)
        counts[np.searchsorted(terms, new.terms)] += sizes
        ptr = np.zeros(terms.size + 1, np.int64)
        np.cumsum(counts, out=ptr[1:])
        return Postings(terms, ptr, slots, tfs)


def union(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The values of either (ascending, each once): `np.union1d`, which took 370 ms for the
    terms of a million passages in numpy 2.4 (a sort and a mask: 1 ms)."""
    every = np.concatenate((a, b))
    every.sort()
    if every.size > 1:
        every = every[np.concatenate(([True], every[1:] != every[:-1]))]
    return every


def merged(
    found: npt.NDArray[Any], sums: FloatArray, slots: npt.NDArray[Any], weights: FloatArray
) -> tuple[npt.NDArray[Any], FloatArray]:
    """Two runs of ascending slots with their sums, as one (one stable sort of two runs; a
    slot in both is two neighbours then, the first one `found`'s: its weight is added to it
    and the second dropped, a third faster than `runs` and `np.add.reduceat`)."""
    if not found.size:
        return slots, weights
    every = np.concatenate((found, slots))
    order = np.argsort(every, kind="stable")
    every, total = every[order], np.concatenate((sums, weights))[order]
    first = np.flatnonzero(every[1:] == every[:-1])
    if not first.size:
        return every, total
    total[first] += total[first + 1]
    keep = np.ones(every.size, np.bool_)
    keep[first + 1] = False
    return every[keep], total[keep]


def narrow_counts(values: npt.ArrayLike) -> npt.NDArray[Any]:
    """Counts as uint16 where they all fit, else int32."""
    counts = np.asarray(values)
    small = not counts.size or int(counts.max()) <= np.iinfo(np.uint16).max
    return counts.astype(np.uint16 if small else np.int32)


# A query sums its postings by sorting them when they are fewer than 1/SORT_BELOW of the slots,
# else with a dense np.bincount over the slots (faster for long posting lists).
SORT_BELOW = 8


def to_delta(delta: dict[int, bytearray], batch: Postings) -> int:
    """Append grouped postings to a delta (the ``slot << 32 | tf`` int64s of each term in a
    bytearray, one append per term); how many were appended.

    Bytearrays, not `array.array`s: the garbage collector tracks an array (a full collection
    scans each), not a bytearray. A delta holds one per term new since its last merge, and at a
    million passages a 1 MB article's add left thousands, which brought on a full collection
    of the objects start-up's imports made (25-40 ms of the event loop's time)."""
    packed = batch.slots.astype(np.int64)
    packed <<= SHIFT
    packed |= batch.tfs
    raw = packed.data.cast("B")
    offsets = (batch.ptr * 8).tolist()  # in bytes
    for term, start, end in zip(batch.terms.tolist(), offsets[:-1], offsets[1:], strict=True):
        plist = delta.get(term)
        if plist is None:
            plist = delta[term] = bytearray()
        plist += raw[start:end]
    return int(batch.slots.size)


def delta_postings(delta: dict[int, bytearray]) -> Postings:
    """A delta's postings, grouped by term."""
    terms = np.fromiter(delta, np.int64, len(delta))
    order = np.argsort(terms)
    parts = [delta[t] for t in terms[order].tolist()]
    packed = np.frombuffer(b"".join(parts), np.int64)
    sizes = np.fromiter((len(p) // POSTING_BYTES for p in parts), np.int64, len(parts))
    ptr = np.zeros(sizes.size + 1, np.int64)
    np.cumsum(sizes, out=ptr[1:])
    slots = (packed >> SHIFT).astype(np.int32)
    return Postings(terms[order].astype(np.int32), ptr, slots, narrow_counts(packed & TF_MASK))


def summed(slots: IntArray, contrib: FloatArray, n_slots: int) -> tuple[IntArray, FloatArray]:
    """Each slot once, with the sum of its contributions (ascending slots)."""
    if slots.size * SORT_BELOW < n_slots:
        order = np.argsort(slots, kind="stable")
        bounds, unique_slots = runs(slots[order])
        return unique_slots, np.add.reduceat(contrib[order], bounds[:-1])
    sums = np.bincount(slots, contrib, n_slots).astype(np.float64, copy=False)
    hit = np.zeros(n_slots, np.bool_)
    hit[slots] = True
    unique_slots = np.flatnonzero(hit).astype(np.int64, copy=False)
    return unique_slots, sums[unique_slots]


def repeats(values: npt.NDArray[Any]) -> bool:
    """Whether a value occurs twice (`np.unique` took 1 ms for 10,000 ids in numpy 2.4, a sort
    40 µs; ids read from the store come ascending, checked first)."""
    if values.size < 2 or bool(np.all(values[1:] > values[:-1])):
        return False
    ordered = np.sort(values)
    return bool(np.any(ordered[1:] == ordered[:-1]))


def repeats_a_term(batch: Postings) -> bool:
    """Whether a passage of a freshly grouped batch has a term twice (a term's slots repeat)."""
    same_slot = batch.slots[1:] == batch.slots[:-1]
    same_term = np.ones(same_slot.size, np.bool_)
    same_term[batch.ptr[1:-1] - 1] = False  # the boundaries between two terms' postings
    return bool(np.any(same_slot & same_term))


class Marks:
    """A flag and a sum per slot for a question's top k (`topk`), all down and 0 between
    questions (a question leaves them as it found them); each made when first used, so only
    for a collection large enough for `topk`."""

    def __init__(self) -> None:
        self.flags = np.zeros(0, np.bool_)
        self.sums = np.zeros(0, np.float32)
        self.above = np.zeros(0, np.bool_)  # scratch, beside the sums

    def ready(self, slots: int) -> npt.NDArray[np.bool_]:
        """The flags, for at least ``slots`` slots."""
        if self.flags.size < slots:
            self.flags = np.zeros(slots + slots // 8, np.bool_)
        return self.flags

    def summing(self, slots: int) -> npt.NDArray[np.float32]:
        """A sum for each of ``slots`` slots, all 0 (the caller leaves them so): float32, 4
        bytes a slot (half the memory to read and write of float64)."""
        if self.sums.size < slots:
            self.sums = np.zeros(slots + slots // 8, np.float32)
            self.above = np.zeros(slots + slots // 8, np.bool_)
        return self.sums[:slots]


class SlotMap:
    """Passage id -> slot. Ids that come in ascending order (start-up's load; catch-ups, as
    stored ids only grow) are kept in two numpy columns, found by binary search: no Python
    object per passage (a dict of a million cost 109 MB). Any others are kept in a dict. A
    removed id's slot becomes -1."""

    def __init__(self) -> None:
        self._ids = Column(np.int64)  # ascending
        self._slots = Column(np.int64)  # -1: removed
        self._other: dict[int, int] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def __contains__(self, doc_id: object) -> bool:
        try:
            key = operator.index(doc_id)  # type: ignore[arg-type]
        except TypeError:
            return False
        return key in self._other or self._find(np.array([key], np.int64))[0] >= 0

    def items(self) -> list[tuple[int, int]]:
        """Every (id, slot), in no particular order."""
        held = self._slots.values >= 0
        pairs = zip(self._ids.values[held].tolist(), self._slots.values[held].tolist(), strict=True)
        return [*pairs, *self._other.items()]

    def add(self, ids: IntArray, first: int) -> None:
        """Give ``ids`` (none of them held) the slots ``first``, ``first + 1``, ..."""
        if not ids.size:
            return
        last = self._ids.values[-1] if self._ids.size else None
        if bool(np.all(ids[1:] > ids[:-1])) and (last is None or ids[0] > last):
            self._ids.extend(ids)
            self._slots.extend(np.arange(first, first + ids.size))
        else:
            self._other.update(zip(ids.tolist(), range(first, first + ids.size), strict=True))
        self._size += ids.size

    def held(self, ids: IntArray) -> bool:
        """Whether any of ``ids`` is held."""
        if self._other and any(i in self._other for i in ids.tolist()):
            return True
        return bool(np.any(self._find(ids.astype(np.int64, copy=False)) >= 0))

    def pop(self, ids: list[int]) -> list[int]:
        """The slots of those of ``ids`` held, forgotten."""
        ids = list(dict.fromkeys(ids))
        other = self._other
        slots = [s for i in ids if (s := other.pop(i, None)) is not None] if other else []
        keys = np.array(ids, np.int64)
        at = self._find(keys, positions=True)
        at = at[at >= 0]
        slots += self._slots.values[at].tolist()
        self._slots.values[at] = -1
        self._size -= len(slots)
        return slots

    def _find(self, keys: IntArray, positions: bool = False) -> IntArray:
        """Each key's slot (its position in the columns if ``positions``), -1 where not held
        in the columns."""
        ids, slots = self._ids.values, self._slots.values
        if not ids.size:
            return np.full(keys.size, -1, np.int64)
        at = np.searchsorted(ids, keys)
        found = at < ids.size
        found[found] = ids[at[found]] == keys[found]
        found[found] = slots[at[found]] >= 0
        return np.where(found, at if positions else slots[np.minimum(at, ids.size - 1)], -1)

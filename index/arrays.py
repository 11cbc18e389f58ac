"""numpy building blocks of `postings.PassageIndex`: growable columns, checked integer
arrays, and postings packed as ``slot << 32 | tf`` sorted and grouped into runs."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
import numpy.typing as npt

from index.bm25 import IntArray

SHIFT = 32  # a posting is slot << 32 | tf
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


def listed(postings: list[array[int] | None], term: int) -> array[int]:
    plist = postings[term]
    assert plist is not None  # every term with df > 0 has a posting list
    return plist


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

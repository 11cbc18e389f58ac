"""Saved images of a collection's index: a process starts by reading arrays instead of
grouping every stored passage's terms again (issue 13: start-up at a million passages).

An image holds what a `PassageIndex` holds once compacted: each live passage's id, length and
number of distinct terms, and the postings grouped by term; and the number of the last change
it reflects. A process loads it, then applies the collection's changes since, exactly as a
catch-up does (`indexes`). It is derived data: where it is missing, does not hold together, or
the change log no longer reaches back to it (or a re-index came since), the collection is loaded
from its passages instead and a new image saved. Dropping one loses nothing.

The stored form is a JSON header naming each array's dtype and length, and the arrays' bytes
(little-endian) cut into parts of at most `PART_BYTES` (the header says how many: a reader
does not depend on the constant), no part holding two arrays, so that
neither side ever holds a second copy of the whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from index.arrays import Postings
from index.bm25 import BM25Params
from index.postings import PassageIndex

FORMAT = 1
PART_BYTES = 1 << 20  # each part is copied holding the GIL once (by SQLite's driver): small
# each array, in stored order, with the dtypes it may have
_ARRAYS: dict[str, tuple[str, ...]] = {
    "ids": ("<i8",),
    "lengths": ("<f8",),
    "distinct": ("<i4",),
    "terms": ("<i4",),
    "ptr": ("<i8",),
    "slots": ("<i4",),
    "tfs": ("<u2", "<i4"),
}


class ImageError(ValueError):
    """A stored image that does not hold together (the collection is loaded without it)."""


def encode(index: PassageIndex) -> tuple[str, list[memoryview]]:
    """The header and parts of `index`'s image: views of its arrays, which are never changed
    in place, so that what is written later is what was taken now (merging its delta first,
    or dropping its dead passages, changes the index: no other thread may use it meanwhile)."""
    ids, lengths, distinct, postings = index.image()
    arrays: dict[str, npt.NDArray[Any]] = {
        "ids": ids,
        "lengths": lengths,
        "distinct": distinct,
        "terms": postings.terms,
        "ptr": postings.ptr,
        "slots": postings.slots,
        "tfs": postings.tfs,
    }
    described: list[list[object]] = []
    parts: list[memoryview] = []
    for name, array in arrays.items():
        data = np.ascontiguousarray(array, array.dtype.newbyteorder("<"))
        described.append([name, data.dtype.str, int(data.size)])
        whole = data.data.cast("B")
        parts.extend(whole[at : at + PART_BYTES] for at in range(0, len(whole), PART_BYTES))
    return json.dumps({"format": FORMAT, "part": PART_BYTES, "arrays": described}), parts


class Restoring:
    """An image read part after part into its final arrays, checked at `finish`."""

    def __init__(self, header: str) -> None:
        try:
            described = json.loads(header)
            if described.get("format") != FORMAT:
                raise ImageError(f"an image of format {described.get('format')!r}")
            self._part = described["part"]
            if not isinstance(self._part, int) or not 0 < self._part <= 1 << 30:
                raise ImageError(f"an image of parts of {self._part!r} bytes")
            names = [name for name, _, _ in described["arrays"]]
            if names != list(_ARRAYS):
                raise ImageError(f"an image of arrays {names}")
            self._arrays: dict[str, npt.NDArray[Any]] = {}
            for name, dtype, size in described["arrays"]:
                if dtype not in _ARRAYS[name] or not isinstance(size, int) or size < 0:
                    raise ImageError(f"an image's {name} of {dtype!r} and size {size!r}")
                self._arrays[name] = np.empty(size, dtype)
        except ImageError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ImageError(f"an image's header does not read: {exc}") from exc
        self._filling = self._places()
        self._place: tuple[npt.NDArray[np.uint8], int] | None = next(self._filling, None)

    def _places(self) -> Iterator[tuple[npt.NDArray[np.uint8], int]]:
        """Each array's bytes, with the position of the next part in it."""
        for array in self._arrays.values():
            whole = array.view(np.uint8)
            for at in range(0, whole.size, self._part):
                yield whole, at

    def add(self, part: bytes) -> None:
        """The next stored part."""
        if self._place is None:
            raise ImageError("an image has more parts than its arrays hold")
        whole, at = self._place
        if len(part) != min(self._part, whole.size - at):
            raise ImageError("an image's part is not of its size")
        whole[at : at + len(part)] = np.frombuffer(part, np.uint8)  # numpy lets go of the GIL
        self._place = next(self._filling, None)

    def finish(self, params: BM25Params) -> PassageIndex:
        """The index the image holds, once every part was given and its arrays hold together."""
        if self._place is not None:
            raise ImageError("an image lacks parts")
        a = self._arrays
        n, total = a["ids"].size, a["slots"].size
        ptr, terms, slots = a["ptr"], a["terms"], a["slots"]
        if (
            a["lengths"].size != n
            or a["distinct"].size != n
            or ptr.size != terms.size + 1
            or a["tfs"].size != total
            or ptr[0] != 0
            or ptr[-1] != total
            or np.any(np.diff(ptr) <= 0)
            or np.any(np.diff(terms) <= 0)
            or (terms.size and terms[0] < 0)
            or (total and (int(slots.min()) < 0 or int(slots.max()) >= n))
            or (total and int(a["tfs"].min()) < 1)
            or int(a["distinct"].sum()) != total
        ):
            raise ImageError("an image's arrays do not hold together")
        index = PassageIndex(params)
        try:
            index.reserve(a["ids"], a["lengths"], a["distinct"])
        except ValueError as exc:
            raise ImageError(f"an image's passages: {exc}") from exc
        index.take(Postings(terms, ptr, slots, a["tfs"]))
        self._arrays = {}
        return index

"""The vocabulary: index terms <-> the integer ids stored with each passage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

NewTerms = list[tuple[int, str]]  # (id, term) pairs not yet stored


class Vocabulary:
    """Term ids as stored; new terms get the next free ids, kept once their write commits."""

    def __init__(self, ids: Mapping[str, int] | None = None) -> None:
        self._ids = dict(ids or {})
        self._next = max(self._ids.values(), default=0) + 1

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, term: str) -> int | None:
        return self._ids.get(term)

    def assign(
        self, passages_terms: Iterable[Counter[str]]
    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], NewTerms]:
        """Each passage's (term ids, counts) as int32 arrays, and the terms that need new ids.

        Nothing is kept until `commit` is called with the new terms (after their write).
        """
        new: dict[str, int] = {}
        arrays = []
        for counts in passages_terms:
            ids = []
            for term in counts:
                term_id = self._ids.get(term) or new.get(term)
                if term_id is None:
                    term_id = new[term] = self._next + len(new)
                ids.append(term_id)
            arrays.append(
                (
                    np.array(ids, dtype=np.int32),
                    np.fromiter(counts.values(), dtype=np.int32, count=len(counts)),
                )
            )
        return arrays, [(term_id, term) for term, term_id in new.items()]

    def commit(self, new_terms: Sequence[tuple[int, str]]) -> None:
        """Keep terms whose ids are now stored."""
        for term_id, term in new_terms:
            self._ids[term] = term_id
            self._next = max(self._next, term_id + 1)

    def clear(self) -> None:
        self._ids.clear()
        self._next = 1

"""The vocabulary: index terms <-> the integer ids stored with each passage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

IdTerms = list[tuple[int, str]]  # (id, term) pairs


class Vocabulary:
    """Term ids as this process knows them from the store.

    Ids are given by the store, inside the transaction that writes the passages using them, so
    that processes writing at once agree. Until then a passage names its new terms by
    provisional ids: -1 for the first new term, -2 for the second, and so on.
    """

    def __init__(self, ids: Mapping[str, int] | None = None) -> None:
        self._ids = dict(ids or {})
        self._next = max(self._ids.values(), default=0) + 1

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, term: str) -> int | None:
        return self._ids.get(term)

    def assign(
        self, passages_terms: Iterable[Mapping[str, int]]
    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[str]]:
        """Each passage's (term ids, counts) as int32 arrays, and the terms without an id yet
        (named in the arrays by provisional ids -1, -2, ...)."""
        new: dict[str, int] = {}
        arrays = [
            (
                self._ids_of(counts, new),
                np.fromiter(counts.values(), dtype=np.int32, count=len(counts)),
            )
            for counts in passages_terms
        ]
        return arrays, list(new)

    def token_ids(
        self, passages_terms: Iterable[Sequence[str]], new_terms: list[str]
    ) -> list[np.ndarray]:
        """Each passage's terms in order (its tokens') as int32 arrays of ids; a term without
        an id yet is named by its provisional id (`assign`), added to `new_terms` if not there."""
        new = {term: -1 - n for n, term in enumerate(new_terms)}
        out = [self._ids_of(terms, new) for terms in passages_terms]
        new_terms[len(new_terms) :] = list(new)[len(new_terms) :]
        return out

    def _ids_of(self, terms: Iterable[str], new: dict[str, int]) -> np.ndarray:
        """The terms' ids as an int32 array; a term without one gets the next provisional id
        (-1 - how many `new` holds), kept in `new`."""
        ids = []
        for term in terms:
            term_id = self._ids.get(term) or new.get(term)
            if term_id is None:
                term_id = new[term] = -1 - len(new)
            ids.append(term_id)
        return np.array(ids, dtype=np.int32)

    def allocate(self, terms: Sequence[str]) -> IdTerms:
        """Ids for new terms from this vocabulary alone: only for rebuilding the whole index,
        which replaces the stored vocabulary in one transaction."""
        return [(self._next + n, term) for n, term in enumerate(terms)]

    def commit(self, new_terms: Sequence[tuple[int, str]]) -> None:
        """Keep terms whose ids are now stored (given by this process or another)."""
        for term_id, term in new_terms:
            self._ids[term] = term_id
            self._next = max(self._next, term_id + 1)

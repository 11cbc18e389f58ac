"""The vocabulary: index terms <-> the integer ids stored with each passage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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

    def ids(self, terms: list[str]) -> list[int | None]:
        """Each term's id (None where it has none), looked up in C."""
        return list(map(self._ids.get, terms))

    def allocate(self, terms: Sequence[str]) -> IdTerms:
        """Ids for new terms from this vocabulary alone: only for rebuilding the whole index,
        which replaces the stored vocabulary in one transaction."""
        return [(self._next + n, term) for n, term in enumerate(terms)]

    def commit(self, new_terms: Sequence[tuple[int, str]]) -> None:
        """Keep terms whose ids are now stored (given by this process or another)."""
        for term_id, term in new_terms:
            self._ids[term] = term_id
            self._next = max(self._next, term_id + 1)

"""A question's word that the library lacks, read as a library term one edit away (a typo).

"carageenan" finds "carrageenan", "infleunza" "influenza": a term of at least `MIN_CHARS`
characters that no passage holds is replaced by the term held by the most passages among those
that one deletion, insertion, substitution or swap of two neighbouring characters makes of it
(Norvig's spelling corrector, with the collection's terms as the dictionary). Shorter terms are
left alone: one edit away from a short word lie too many others. So is a word English uses, as
`index.prior` counts them (`rank.candidates`): it is a word the library lacks, not a typo."""

from __future__ import annotations

import string
from collections.abc import Callable

MIN_CHARS = 5
_LETTERS = string.ascii_lowercase + string.digits


def edits(term: str) -> set[str]:
    """Every string one deletion, swap, substitution or insertion away from `term`."""
    letters = set(_LETTERS) | set(term)
    splits = [(term[:i], term[i:]) for i in range(len(term) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in letters}
    inserts = {a + c + b for a, b in splits for c in letters}
    return (deletes | swaps | replaces | inserts) - {term}


def correct(term: str, idf: Callable[[str], float]) -> str | None:
    """The term one edit from `term` that the most passages hold (the lowest `idf`, which is 0
    for a term none holds; ties by the term itself), None when `term` is short or none is held."""
    if len(term) < MIN_CHARS:
        return None
    held = [(value, t) for t in edits(term) if (value := idf(t)) > 0]
    return min(held)[1] if held else None

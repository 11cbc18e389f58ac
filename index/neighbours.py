"""Quoting a whole sentence with its neighbour where it does not stand alone (`index.quotes`).

A short sentence rarely holds its answer whole; a sentence that opens with a word referring back
or linking continues the one before; a neighbour holding much of the question's weight, or what
the question asks for (`index.answer_type`), often holds the answer beside the sentence that
echoes the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from index.passages import Span

# Words that, opening a sentence, make it continue the one before: pronouns and determiners
# that refer back, and linking adverbs.
CONTINUING = (
    *("this", "these", "that", "those", "it", "its", "they", "their", "them", "he", "she"),
    *("his", "her", "such", "both", "each", "here", "there", "however", "moreover", "therefore"),
    *("thus", "hence", "furthermore", "additionally", "also", "but", "yet", "consequently"),
    *("similarly", "likewise", "instead", "then", "after", "later", "in addition", "as a result"),
    *("in contrast", "the latter", "the former"),
)
_CONTINUES = re.compile(rf"(?:{'|'.join(CONTINUING)})\b", re.IGNORECASE)


class Limits(NamedTuple):
    """What bounds a quote: its words, the length under which a sentence is short (quoted with
    a neighbour), the share of a sentence's weight that a neighbour quoted with it holds."""

    max_words: int
    short_words: int
    neighbour_share: float


def with_neighbour(
    text: str,
    sentences: Sequence[Span],
    pieces: tuple[Sequence[int], Callable[[int], bool] | None],
    i: int,
    limits: Limits,
    measures: tuple[Callable[[int], float], Callable[[int], int]],
) -> tuple[int, int]:
    """Whole sentence `i` with the neighbour it needs, as (first, last): where `i` is short,
    the neighbour holding more of the question's weight (the next on a tie, and where neither
    holds any); else the next sentence when that one continues it, else the one before when
    `i` continues it, else the neighbour holding more of the question's weight when it holds at
    least `limits.neighbour_share` of what `i` holds; `i` alone when none applies, or the
    neighbour is not whole or the two would pass the word limit. Where none applies and `i`
    lacks the type of answer asked for, the neighbour holding it. `pieces`: each sentence's
    cuts (`index.passages`) and whether one holds the type of answer asked for (None: none
    asked); `measures`: a sentence's weight and its words, by index. Neighbours are tried the
    next first: it wins a tie."""
    cuts, typed = pieces
    max_words, short_words, share = limits
    score, words = measures
    n = words(i)

    def fits(j: int) -> bool:  # a whole neighbour that fits beside it
        return 0 <= j < len(sentences) and not cuts[j] and n + words(j) <= max_words

    # a short sentence rarely holds its answer whole
    if n < short_words and (near := [j for j in (i + 1, i - 1) if fits(j)]):
        j = max(near, key=score)
        if score(j) or j == i + 1:
            return min(i, j), max(i, j)
    if i + 1 < len(sentences) and _CONTINUES.match(text, *sentences[i + 1]) and fits(i + 1):
        return i, i + 1
    if i > 0 and _CONTINUES.match(text, *sentences[i]) and fits(i - 1):
        return i - 1, i
    # the neighbour holding more of the question (the next on a tie), if it holds enough
    own = score(i)
    near = [j for j in (i + 1, i - 1) if fits(j) and score(j) >= share * own] if own else []
    if near:
        j = max(near, key=score)
        return min(i, j), max(i, j)
    # the neighbour holding what the question asks for ("on July 22" for "when")
    if typed and not typed(i) and (near := [j for j in (i + 1, i - 1) if fits(j) and typed(j)]):
        return min(i, near[0]), max(i, near[0])
    return i, i

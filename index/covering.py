"""A question's candidates before they are quoted: what ranking reads of each (its row, or its
head, read whole when quoted; what its stored tokens hold, `Outline`), and which cover enough
of the question (`covering`). See `rank.rerank` and `index.pruning`.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence, Set
from typing import NamedTuple

from index.analyzer import Analyzer, Token
from index.postings import Hit
from index.store.base import PassageHead, StoredPassage

Row = StoredPassage | PassageHead  # a candidate as read: whole, or its head (read whole if quoted)
Whole = Callable[[PassageHead], StoredPassage | None]  # a head's passage whole (None: gone)


class Outline(NamedTuple):
    """What the ranking reads of a passage's tokens before it quotes it (`asking.outlines`):
    the question's terms among them, the pairs of those standing side by side, the term of
    its first token ("" if not one of the question's), and its tokens, made when first asked
    for (only the passages quoted need them)."""

    held: frozenset[str]
    adjacent: frozenset[tuple[str, str]]
    first: str
    tokens: Callable[[], Sequence[Token]]


class Covering(NamedTuple):
    """A candidate covering enough of the question, before it is quoted: its hit and row, its
    heading's terms, the question's terms its tokens hold, its pair share (`pair_share`) and
    its tokens (made when needed: `tokens`)."""

    hit: Hit
    row: Row
    heading: list[str]
    held: Set[str]
    pairs: float
    tokens: Callable[[], Sequence[Token]]


def covering(
    hits: Sequence[Hit],
    weights: Mapping[str, float],
    rows: Mapping[int, Row],
    analyzer: Analyzer,
    min_coverage: float,
    pairs: Mapping[tuple[str, str], float],
    outlines: Mapping[int, Outline],
) -> list[Covering]:
    """The candidates (BM25's `hits`) whose coverage is at least `min_coverage`, in BM25's order
    (see `rank.score_candidates`), with their pair shares for the question's `pairs`; their
    tokens `outlines` where given, else their rows' (or analysed). `weights`: each question
    term's weight."""
    total = sum(weights.values())
    floor = min_coverage * total
    pairs_total = sum(pairs.values())  # (`pair_share`'s, once for all candidates)
    kept = []
    for hit in hits:
        row = rows.get(hit.doc_id)
        if row is None:  # removed since the search
            continue
        # the heading the passage is under is shown with it: its words count as the passage's
        heading = analyzer.terms(row.heading) if row.heading else []
        outline = outlines.get(hit.doc_id)
        if outline is None:  # from the stored tokens (`asking.outlines`), or analysed here
            tokens = tokens_of(row, analyzer)
            terms = [t.term for t in tokens]
            first = terms[0] if terms else ""
            given = functools.partial(tuple, tokens)  # (made already)
            outline = Outline(frozenset(terms), frozenset(itertools.pairwise(terms)), first, given)
        held, adjacent = outline.held, outline.adjacent
        contains = held
        if heading:
            adjacent = adjacent | {*itertools.pairwise(heading), (heading[-1], outline.first)}
            contains = held | set(heading)
        if math.fsum(map(weights.__getitem__, contains & weights.keys())) >= floor:
            share = pair_share(adjacent, pairs, pairs_total)
            kept.append(Covering(hit, row, heading, held, share, outline.tokens))
    return kept


def tokens_of(row: Row, analyzer: Analyzer) -> Sequence[Token]:
    """A candidate's tokens where no outline of its stored tokens is given: its row's, or its
    text analysed."""
    if isinstance(row, StoredPassage) and row.tokens is not None:
        return row.tokens
    if row.text is None:
        raise ValueError(f"passage {row.id}: a head with stored tokens is ranked by its outline")
    return analyzer.tokens(row.text)


def pair_share(
    adjacent: Set[tuple[str, str]],
    pairs: Mapping[tuple[str, str], float],
    total: float | None = None,
) -> float:
    """The share of the question's adjacent `pairs` (by weight) among the pairs of terms side
    by side in a passage (`adjacent`; 0 without pairs, or where they weigh nothing); `total`,
    the pairs' summed weight, if known."""
    if total is None:
        total = sum(pairs.values())  # 0 where every pair is of words the library lacks
    if not total:
        return 0.0
    return math.fsum(map(pairs.__getitem__, pairs.keys() & adjacent)) / total

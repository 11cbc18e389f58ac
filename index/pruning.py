"""Re-ranking's pruning: quoting only the candidates that may be among the best k.

Quoting a candidate (`quotes.choose_quote`) is most of re-ranking's work (`rank.rerank`). Each of
a candidate's features (`rank.features`) has a bound known before it is quoted, from its terms
alone:

* `bm25` (its BM25 score over the best kept): exact. The best kept is known once every
  candidate's coverage is, and coverage needs the terms only.
* `pairs` (the share of the question's adjacent pairs side by side in the passage): exact. It
  is read from the passage's terms, not from its quote.
* `quote` (the share of the question's weight that `Quote.covered` holds): at most
  `held_share`, the share the passage's tokens hold (its heading's are never quoted); and at
  most `quote_bound`, the share held by the two adjacent sentences of the passage holding the
  most. `covered` is what the quote chosen at the question's full weights holds before it is
  completed (`quotes._complete`): one sentence, a run of a long sentence's pieces, or two
  adjacent sentences, a sentence here being all of its pieces (`quotes._best_run`,
  `quotes._best_whole`, and `neighbours.with_neighbour`, which adds one whole neighbour to one
  whole sentence). A change of `choose_quote` that quotes more than two adjacent sentences
  must change this bound.

Each bound is a sum of non-negative weights over a superset of the terms of the sum it bounds,
over the same total: `math.fsum` rounds exactly, so the order holds in floating point as well. A
candidate's score bound is its features' bounds weighed as its features are (the same
operations, monotonic for non-negative weights). `best_of` quotes the candidates by decreasing
bound (ties in BM25's order; `held_share`'s bound first, then `quote_bound`'s, which costs more,
for those that reach the front) until the k-th best score so far, BM25's order breaking ties, is
ahead of every bound left: no candidate left can pass it, and the results are the same as with
every candidate quoted. With a negative weight (`unbounded`), or a candidate whose score passes
its bound (a bound broken by a change elsewhere), every candidate is quoted.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence

from index.analyzer import Token
from index.passages import CUT_START, Span


def unbounded(weights: Sequence[float], term_weights: Mapping[str, float]) -> bool:
    """Whether a feature weight or a question term's weight is negative: the bounds do not
    hold (a larger feature may lower a score)."""
    return any(w < 0 for w in weights) or any(w < 0 for w in term_weights.values())


def held_share(terms: Iterable[str], weights: Mapping[str, float]) -> float:
    """At least the `quote` feature of a passage of these `terms` (its tokens'): the share of
    the question's weight they hold."""
    return math.fsum(map(weights.__getitem__, weights.keys() & terms)) / sum(weights.values())


def quote_bound(
    sentences: Sequence[Span],
    cuts: Sequence[int],
    tokens: Sequence[Token],
    weights: Mapping[str, float],
) -> float:
    """At least the `quote` feature of a passage (its `sentences`, which ends of them are cuts,
    its `tokens`) for a question of term `weights`: the largest share of the question's weight
    two adjacent sentences hold, a long sentence's pieces taken together."""
    starts = [start for start, _ in sentences]
    runs: list[set[str]] = []  # each sentence's question terms, a long one's pieces together
    run_of = []
    for cut in cuts or [0] * len(starts):
        if not runs or not cut & CUT_START:
            runs.append(set())
        run_of.append(len(runs) - 1)
    for token in tokens:
        if token.term in weights and (i := bisect_right(starts, token.start) - 1) >= 0:
            runs[run_of[i]].add(token.term)
    # a pair beginning with a run of none holds the next run's terms alone, at most those of
    # the pair beginning there: only the pairs beginning with a run of some are summed
    runs.append(set())
    get = weights.__getitem__
    held = max(
        (math.fsum(map(get, run | runs[i + 1])) for i, run in enumerate(runs[:-1]) if run),
        default=0.0,
    )
    return held / sum(weights.values())


def best_of(
    bounds: Sequence[float],
    k: int,
    exact: Callable[[int], float],
    closer: Callable[[int, bool], float] | None = None,
) -> list[int]:
    """The candidates (by their places in BM25's order) quoted to find the best k, given an
    upper bound of each one's score: `exact(i)` quotes candidate i and gives its score;
    `closer(i, True)`, if given, a closer bound of it, asked for before it is quoted. Every
    candidate among the best k (score descending, ties in BM25's order) is among those quoted;
    all are quoted where a score passes its bound."""
    if k < 1:
        return []
    front = [(-bound, i, closer is None) for i, bound in enumerate(bounds)]  # a heap
    heapq.heapify(front)
    done: list[tuple[float, int]] = []  # (score, place), best first
    while front:
        bound, i, close = front[0]
        if len(done) >= k and (-bound, -i) < (done[k - 1][0], -done[k - 1][1]):
            break  # the k-th is ahead of this bound, and so of every one after it
        if not close and closer is not None:
            heapq.heapreplace(front, (-min(-bound, closer(i, True)), i, True))
            continue
        heapq.heappop(front)
        value = exact(i)
        if value > -bound:  # not a bound: quote them all
            quoted = {j for _, j in done} | {i}
            for j in range(len(bounds)):
                if j not in quoted:
                    exact(j)
            return list(range(len(bounds)))
        done.append((value, i))
        done.sort(key=lambda d: (-d[0], d[1]))
    return sorted(j for _, j in done)

"""Choosing the verbatim quote: the sentence, or two adjacent sentences, that best answers.

A candidate's score is the summed weight (the IDF the ranking used) of the distinct question terms
it contains. A sentence that fits the word limit is quoted whole; a longer one (stored as pieces,
see `index.passages`) is quoted by a run of its pieces that fits, and the quote says which of
its ends cut the sentence. Two adjacent whole sentences are chosen only when together they cover
more of the question than either alone and still fit the limit. Ties go to the candidate cut the
least (uncut, then cut only at its end, so that it starts where its sentence starts), then to the
shorter (where nothing matches, not), then to the earlier. The matched terms' spans are returned
for highlighting.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from index.analyzer import Token
from index.answers import holds
from index.passages import CUT_END, CUT_START, Span

MAX_QUOTE_WORDS = 60


@dataclass(frozen=True)
class Quote:
    """A span of the article text and, inside it, the spans of the matched terms; `cut_start`
    and `cut_end` say whether the quote begins or ends inside a sentence."""

    start: int
    end: int
    highlights: tuple[Span, ...]
    terms: frozenset[str]  # the question's terms the quote contains
    cut_start: bool
    cut_end: bool


class Candidate(NamedTuple):
    """A run of pieces, `first` to `last`; `second` is where the second of a pair begins."""

    first: int
    last: int
    second: int | None = None


def _sentences(cuts: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of pieces that are one sentence, as (first, last) indexes: a piece that begins
    inside its sentence continues the one before."""
    runs: list[tuple[int, int]] = []
    for i, cut in enumerate(cuts):
        if runs and cut & CUT_START:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _candidates(cuts: Sequence[int], words: Sequence[int], max_words: int) -> list[Candidate]:
    """The runs of pieces a quote may be: within each sentence, every run that fits the limit
    (one piece always does), the whole sentence among them when it fits; and each pair of
    adjacent sentences that fits whole."""
    sentences = _sentences(cuts)
    runs: list[Candidate] = []
    for first, last in sentences:
        for i in range(first, last + 1):
            runs.append(Candidate(i, i))
            j = i
            while j < last and sum(words[i : j + 2]) <= max_words:
                j += 1
                runs.append(Candidate(i, j))
    for (first, _), (second, last) in itertools.pairwise(sentences):
        if sum(words[first : last + 1]) <= max_words:
            runs.append(Candidate(first, last, second))
    return runs


@dataclass(frozen=True)
class Asked:
    """What of the question a quote weighs beyond its terms: the kind of answer it asks for
    (`index.answers.asks_for`), its own words (folded: an answer is none of them) and its
    adjacent term pairs with their weights."""

    kind: str | None = None
    words: frozenset[str] = frozenset()
    pairs: Mapping[tuple[str, str], float] = field(default_factory=dict)


# What a quote candidate is scored by (see `quote_features`), and the weight of each: fitted by
# `python benchmarks/fit_rank.py --quotes` (see the README's "Answer quality").
QUOTE_FEATURES = ("coverage", "answer", "pairs", "words")
QUOTE_WEIGHTS = (1.0, 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Sentences:
    """A passage's sentences as a quote sees them: their tokens, the question terms each
    holds and its words."""

    by_sentence: list[list[Token]]
    matched: list[set[str]]
    words: list[int]


def _read(
    text: str, sentences: Sequence[Span], tokens: Sequence[Token], weights: Mapping[str, float]
) -> Sentences:
    starts = [start for start, _ in sentences]
    by_sentence: list[list[Token]] = [[] for _ in sentences]
    for token in tokens:  # words outside every sentence are not the quote's
        i = bisect_right(starts, token.start) - 1
        if i >= 0 and token.end <= sentences[i][1]:
            by_sentence[i].append(token)
    matched = [{t.term for t in toks if t.term in weights} for toks in by_sentence]
    words = [len(text[s:e].split()) for s, e in sentences]
    return Sentences(by_sentence, matched, words)


def quote_features(
    text: str,
    span: Span,
    run: Sentences,
    candidate: Candidate,
    weights: Mapping[str, float],
    asked: Asked,
    max_words: int,
) -> tuple[float, ...]:
    """A candidate's features, in the order of `QUOTE_FEATURES`: the share of the question's
    weight it holds; whether it holds an answer of the kind asked for; the share of the
    question's pairs (by weight) side by side in it; its words over the limit."""
    first, last, _ = candidate
    terms = set().union(*run.matched[first : last + 1])
    coverage = sum(weights[t] for t in terms) / (sum(weights.values()) or 1.0)
    answer = float(holds(asked.kind, text[span[0] : span[1]], asked.words))
    pair_share = 0.0
    if asked.pairs:
        order = [t.term for toks in run.by_sentence[first : last + 1] for t in toks]
        adjacent = asked.pairs.keys() & set(itertools.pairwise(order))
        pair_share = sum(asked.pairs[p] for p in adjacent) / sum(asked.pairs.values())
    words = sum(run.words[first : last + 1]) / max_words
    return (coverage, answer, pair_share, words)


def quote_candidates(
    text: str,
    sentences: Sequence[Span],
    tokens: Sequence[Token],
    weights: Mapping[str, float],
    max_words: int = MAX_QUOTE_WORDS,
    cuts: Sequence[int] = (),
    asked: Asked | None = None,
) -> list[tuple[Candidate, tuple[float, ...]]]:
    """Every quote a passage allows (see `_candidates`; a pair only where it covers more than
    either of its sentences) with its features (`quote_features`)."""
    if not sentences:
        raise ValueError("a passage has at least one sentence")
    cuts = cuts or [0] * len(sentences)
    asked = asked or Asked()
    run = _read(text, sentences, tokens, weights)

    def value(first: int, last: int) -> float:
        return sum(weights[t] for t in set().union(*run.matched[first : last + 1]))

    return [
        (
            c,
            quote_features(
                text,
                (sentences[c.first][0], sentences[c.last][1]),
                run,
                c,
                weights,
                asked,
                max_words,
            ),
        )
        for c in _candidates(cuts, run.words, max_words)
        if c.second is None
        or value(c.first, c.last) > max(value(c.first, c.second - 1), value(c.second, c.last))
    ]


def choose_quote(
    text: str,
    sentences: Sequence[Span],
    tokens: Sequence[Token],
    weights: Mapping[str, float],
    max_words: int = MAX_QUOTE_WORDS,
    cuts: Sequence[int] = (),
    asked: Asked | None = None,
    quote_weights: Sequence[float] = QUOTE_WEIGHTS,
) -> Quote:
    """The best sentence, run of a long sentence's pieces, or adjacent pair of `sentences` for
    a question with term `weights`: the candidate whose features (`quote_features`) weigh
    most by `quote_weights`.

    `tokens` are the analysed tokens of all of `text` (`Analyzer.tokens`); `cuts` says which
    ends of each sentence are cuts inside a longer one (none when empty).
    """
    cuts = cuts or [0] * len(sentences)
    found = quote_candidates(text, sentences, tokens, weights, max_words, cuts, asked)
    run = _read(text, sentences, tokens, weights)

    def rank(item: tuple[Candidate, tuple[float, ...]]) -> tuple[float, bool, bool, int, int]:
        # ties prefer a quote that starts its sentence, then one that ends it, then the shorter
        # (where nothing matches, not: the passage's opening says what it is about), then the
        # earlier
        (first, last, _), features = item
        value = sum(w * f for w, f in zip(quote_weights, features, strict=True))
        length = sum(run.words[first : last + 1]) if features[0] else 0
        return (value, not cuts[first] & CUT_START, not cuts[last] & CUT_END, -length, -first)

    (first, last, _), _ = max(found, key=rank)
    start, end = sentences[first][0], sentences[last][1]
    highlights = tuple(
        (t.start - start, t.end - start)
        for i in range(first, last + 1)
        for t in run.by_sentence[i]
        if t.term in weights
    )
    terms = frozenset().union(*run.matched[first : last + 1])
    cut_start, cut_end = bool(cuts[first] & CUT_START), bool(cuts[last] & CUT_END)
    return Quote(start, end, highlights, terms, cut_start, cut_end)

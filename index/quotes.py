"""Choosing the verbatim quote: the sentence, or two adjacent sentences, that best answers.

A candidate's score is the summed weight (the IDF the ranking used) of the distinct question terms
it contains. A sentence that fits the word limit is quoted whole; a longer one (stored as pieces,
see `index.passages`) is quoted by a run of its pieces that fits, and the quote says which of
its ends cut the sentence. Two adjacent whole sentences are chosen only when together they cover
more of the question than either alone and still fit the limit. Ties go to the candidate cut the
least (uncut, then cut only at its end, so that it starts where its sentence starts), then to the
one that opens with a question term (one among its first `OPENING_WORDS` words: a sentence
names what it is about, given in the question, before what is new about it, the answer), then
to the shorter (where nothing matches, neither), then to the earlier. The matched terms' spans
are returned for highlighting. A term of what the article is about (its title's, the passage's
headings') weighs `ABOUT_WEIGHT` of its weight in this choice: every sentence of the article is
about it. Where the question asks for a number, a date or a name (`index.answer_type`), a
candidate holding one gains `TYPE_WEIGHT` of the question's weight: of sentences holding about
as much of the question, the one holding what it asks for.

A whole sentence chosen alone is then quoted with its neighbour where it does not stand alone
(`index.neighbours`): when it is short (under `SHORT_WORDS` words), with the neighbour holding
more of the question's weight (the next on a tie, and where neither holds any); else with the
next sentence when that one continues it (opens with a word that refers back or links,
`neighbours.CONTINUING`: "It", "This", "However", ...), else with the one before when it opens
with such a word itself, else with the neighbour holding more of the question's weight when it
holds at least `NEIGHBOUR_SHARE` of what the sentence holds, else with the neighbour holding
what the question asks for where it does not; always within the limit. The answer is often in the
sentence next to the one that echoes the question.

A quote that cuts its sentence (a run of the pieces of one longer than the limit) is then
completed within its sentence, piece by piece, up to `SENTENCE_WORDS` words (`_complete`): a
sentence of up to that many words is quoted whole. The limit chooses the quote; what re-ranking
weighs (`Quote.covered`) is what the quote chosen within the limit holds.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from index.analyzer import Token
from index.answer_type import AnswerType
from index.neighbours import Limits, with_neighbour
from index.passages import CUT_END, CUT_START, Span

MAX_QUOTE_WORDS = 60
# A quote that cuts its sentence is completed within it up to this many words: a sentence of up
# to two of its pieces' worth (`PassageSettings.max_sentence_words`, 50) is quoted whole.
SENTENCE_WORDS = 100
SHORT_WORDS = 15  # a sentence shorter than this is quoted with a neighbour, where one fits
# A whole sentence chosen alone is quoted with a neighbour holding at least this share of the
# question's weight it holds (the answer is often beside the sentence that echoes the question).
NEIGHBOUR_SHARE = 0.5
# In choosing the quote, a term of what the article is about (its title, the passage's headings)
# weighs this share of its weight: it tells little about which of the article's sentences answers.
ABOUT_WEIGHT = 0.25
# Of quotes of equal weight, one holding a question term among its first this many words is
# chosen: a sentence opens with what it is about.
OPENING_WORDS = 3
# A candidate holding a span of the type of answer asked for (a number for "how many", a date
# for "when", a name for "who") gains this share of the question's weight: it breaks near ties.
TYPE_WEIGHT = 0.1


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
    covered: frozenset[str]  # the question's terms of the quote chosen at their full weights


class Found(NamedTuple):
    """Each sentence's (or piece's) question terms and where the first of them begins in
    `text` (None where it holds none); `typed`, whether one holds the type of answer asked for
    (None: none asked), which gains a candidate `gain`."""

    text: str
    matched: Sequence[set[str]]
    firsts: Sequence[int | None]
    typed: Callable[[int], bool] | None = None
    gain: float = 0.0

    def bonus(self, first: int, last: int) -> float:
        """What sentences `first` to `last` gain for holding the type of answer asked for."""
        typed = self.typed
        return self.gain if typed and any(typed(k) for k in range(first, last + 1)) else 0.0

    def opens(self, sentences: Sequence[Span], first: int, last: int) -> bool:
        """Whether sentences `first` to `last` open with a question term: one among their
        first `OPENING_WORDS` words."""
        at = [k for k in self.firsts[first : last + 1] if k is not None]
        start = sentences[first][0]
        return bool(at) and len(self.text[start : min(at)].split()) < OPENING_WORDS


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


def choose_quote(
    text: str,
    sentences: Sequence[Span],
    tokens: Sequence[Token],
    weights: Mapping[str, float],
    max_words: int = MAX_QUOTE_WORDS,
    cuts: Sequence[int] = (),
    short_words: int = SHORT_WORDS,
    about: frozenset[str] = frozenset(),
    neighbour_share: float = NEIGHBOUR_SHARE,
    sentence_words: int | None = None,
    asks: AnswerType | None = None,
) -> Quote:
    """The best sentence, run of a long sentence's pieces, or adjacent pair of `sentences` for
    a question with term `weights`.

    `tokens` are the analysed tokens of all of `text` (`Analyzer.tokens`); `cuts` says which
    ends of each sentence are cuts inside a longer one (none when empty); a whole sentence
    chosen alone with fewer than `short_words` words is quoted with a neighbour, and with a
    neighbour holding `neighbour_share` of the question's weight it holds. The terms in
    `about` (what the article is about: its title's and the passage's headings' terms) weigh
    `ABOUT_WEIGHT` of their weight in choosing it; `Quote.covered` holds the question's terms
    of the quote chosen at their full weights (what re-ranking weighs). A quote cutting its
    sentence is then completed within it up to `sentence_words` words (`_complete`; default
    `SENTENCE_WORDS`). A candidate holding the type of answer it `asks` for gains (`Found`).
    """
    if not sentences:
        raise ValueError("a passage has at least one sentence")
    cuts = cuts or [0] * len(sentences)
    starts = [start for start, _ in sentences]
    by_sentence: list[list[Token]] = [[] for _ in sentences]
    # the question's terms only (the others are neither scored nor highlighted); words outside
    # every sentence are not the quote's
    for token in [t for t in tokens if t.term in weights]:
        i = bisect_right(starts, token.start) - 1
        if i >= 0 and token.end <= sentences[i][1]:
            by_sentence[i].append(token)
    matched = [{t.term for t in toks} if toks else set() for toks in by_sentence]
    firsts = [toks[0].start if toks else None for toks in by_sentence]
    typed = _typed(text, sentences, asks) if asks else None
    found = Found(text, matched, firsts, typed, TYPE_WEIGHT * sum(weights.values()))
    limits = Limits(max_words, short_words, neighbour_share)
    count = _word_counter(text, sentences, every=any(cuts))
    chosen = _best(sentences, cuts, found, weights, max_words, count)
    best = first, last = _extend(text, sentences, cuts, found, weights, chosen, limits, count)
    # with what the article is about at its lower weight: where neither the best nor its
    # neighbours hold any of it, the choice is the same
    near = matched[max(chosen[0] - 1, 0) : chosen[1] + 2]
    if about and any(not about.isdisjoint(terms) for terms in near):
        focused = {t: w * ABOUT_WEIGHT if t in about else w for t, w in weights.items()}
        # where the best holds none of it, it only lowers the best's rivals: the best stays
        if any(not about.isdisjoint(terms) for terms in matched[chosen[0] : chosen[1] + 1]):
            chosen = _best(sentences, cuts, found, focused, max_words, count)
        first, last = _extend(text, sentences, cuts, found, focused, chosen, limits, count)
    if cuts[first] & CUT_START or cuts[last] & CUT_END:
        limit = SENTENCE_WORDS if sentence_words is None else sentence_words
        first, last = _complete(cuts, matched, weights, (first, last), count, limit)
    start, end = sentences[first][0], sentences[last][1]
    highlights = tuple(
        [(t.start - start, t.end - start) for i in range(first, last + 1) for t in by_sentence[i]]
    )
    terms = frozenset().union(*matched[first : last + 1])
    covered = frozenset().union(*matched[best[0] : best[1] + 1])
    cut_start, cut_end = bool(cuts[first] & CUT_START), bool(cuts[last] & CUT_END)
    return Quote(start, end, highlights, terms, cut_start, cut_end, covered)


def _typed(text: str, sentences: Sequence[Span], asks: AnswerType) -> Callable[[int], bool]:
    """Whether a sentence holds the type of answer `asks` for, by index, each read once when
    first needed (a regular expression over the sentence)."""
    held: dict[int, bool] = {}

    def typed(i: int) -> bool:
        value = held.get(i)
        if value is None:
            value = held[i] = asks.holds(text[sentences[i][0] : sentences[i][1]])
        return value

    return typed


def _word_counter(
    text: str, sentences: Sequence[Span], every: bool = False
) -> Callable[[int], int]:
    """A sentence's words by its index, each counted once: all at once with `every` (a run of
    pieces counts them all), else when first needed."""
    if every:
        return [len(text[s:e].split()) for s, e in sentences].__getitem__
    counts: dict[int, int] = {}

    def count(i: int) -> int:
        if i not in counts:
            counts[i] = len(text[sentences[i][0] : sentences[i][1]].split())
        return counts[i]

    return count


def _best(
    sentences: Sequence[Span],
    cuts: Sequence[int],
    found: Found,
    weights: Mapping[str, float],
    max_words: int,
    count: Callable[[int], int],
) -> tuple[int, int]:
    """The first and last sentence (or piece) of the best run or pair for term `weights`."""
    if any(cuts):
        return _best_run(sentences, cuts, found, weights, max_words, count)
    return _best_whole(sentences, found, weights, max_words, count)


def _extend(
    text: str,
    sentences: Sequence[Span],
    cuts: Sequence[int],
    found: Found,
    weights: Mapping[str, float],
    chosen: tuple[int, int],
    limits: Limits,
    count: Callable[[int], int],
) -> tuple[int, int]:
    """`chosen`, or where it is one whole sentence, with the neighbour it needs: where none
    applies and it lacks the type of answer asked for, the whole neighbour holding it (the
    next first) that fits beside it."""
    i, last = chosen
    if i != last or cuts[i]:
        return chosen

    def score(k: int) -> float:
        return math.fsum(map(weights.__getitem__, found.matched[k]))

    return with_neighbour(text, sentences, (cuts, found.typed), i, limits, (score, count))


def _complete(
    cuts: Sequence[int],
    matched: Sequence[set[str]],
    weights: Mapping[str, float],
    run: tuple[int, int],
    count: Callable[[int], int],
    limit: int,
) -> tuple[int, int]:
    """A `run` of pieces that cuts its sentence, with the sentence's pieces beside it added
    one at a time (the one holding more of the question's weight first, the next on a tie)
    while the run holds at most `limit` words: the whole sentence where it fits."""
    first, last = run
    words = sum(count(i) for i in range(first, last + 1))
    while True:
        ends = ((first - 1, cuts[first] & CUT_START), (last + 1, cuts[last] & CUT_END))
        beside = [
            k for k, inside in ends if inside and 0 <= k < len(cuts) and words + count(k) <= limit
        ]
        if not beside:
            return first, last
        k = max(beside, key=lambda k: (math.fsum(map(weights.__getitem__, matched[k])), k))
        words += count(k)
        first, last = min(first, k), max(last, k)


def _best_run(
    sentences: Sequence[Span],
    cuts: Sequence[int],
    found: Found,
    weights: Mapping[str, float],
    max_words: int,
    count: Callable[[int], int],
) -> tuple[int, int]:
    """The best candidate (first and last piece) among every run `_candidates` gives."""
    matched = found.matched
    words = [count(i) for i in range(len(sentences))]
    scores: dict[tuple[int, int], float] = {}

    def score(first: int, last: int) -> float:
        value = scores.get((first, last))
        if value is None:
            terms = matched[first] if first == last else set().union(*matched[first : last + 1])
            value = scores[first, last] = math.fsum(map(weights.__getitem__, terms))
        return value

    def rank(candidate: Candidate) -> tuple[bool, bool, bool, int, int]:
        # ties prefer a quote that starts its sentence, then one that ends it, then one that
        # opens with a question term, then the shorter (where nothing matches, neither: the
        # passage's opening says what it is about), then the earlier
        first, last, _ = candidate
        length = sum(words[first : last + 1]) if best else 0
        opens = found.opens(sentences, first, last) if best else False
        return (not cuts[first] & CUT_START, not cuts[last] & CUT_END, opens, -length, -first)

    allowed = [  # a pair must cover more than either of its sentences
        c
        for c in _candidates(cuts, words, max_words)
        if c.second is None
        or score(c.first, c.last) > max(score(c.first, c.second - 1), score(c.second, c.last))
    ]
    values = [score(c.first, c.last) for c in allowed]
    if found.typed:  # the gain, read only where it can make a candidate reach the best
        floor = max(values) - found.gain
        values = [
            v + found.bonus(c.first, c.last) if v >= floor and v else v
            for c, v in zip(allowed, values, strict=True)
        ]
    best = max(values)
    tied = [c for c, v in zip(allowed, values, strict=True) if v == best]
    first, last, _ = tied[0] if len(tied) == 1 else max(tied, key=rank)
    return first, last


def _best_whole(
    sentences: Sequence[Span],
    found: Found,
    weights: Mapping[str, float],
    max_words: int,
    count: Callable[[int], int],
) -> tuple[int, int]:
    """`_best_run` where no sentence is cut (the candidates are the sentences and the pairs of
    adjacent ones), with the same ties, counting the words of the sentences it needs only."""
    matched = found.matched
    alone = [math.fsum(map(weights.__getitem__, terms)) if terms else 0.0 for terms in matched]
    # what holds the type of answer asked for gains: read only where the gain can make a
    # candidate reach the best (a pair holds at least what either of its sentences holds)
    plain, typed, gain = alone, found.typed, found.gain
    floor = max(alone) - gain if typed else -math.inf
    if typed:
        alone = [v + gain if v >= floor and v and typed(i) else v for i, v in enumerate(alone)]
    best = max(alone)
    tied = [(i, i) for i, value in enumerate(alone) if value == best]
    for i in range(len(sentences) - 1):
        a, b = matched[i], matched[i + 1]
        if a <= b or b <= a:  # covers no more than one of the two
            continue
        value = math.fsum(map(weights.__getitem__, a | b))
        if value < floor or value <= max(plain[i], plain[i + 1]):  # cannot win, or adds nothing
            continue
        if typed and (typed(i) or typed(i + 1)):
            value += gain
        better = value >= best
        if better and count(i) + count(i + 1) <= max_words:
            tied = tied if value == best else []
            best = value
            tied.append((i, i + 1))
    if len(tied) == 1:
        return tied[0]
    if not best:  # nothing matches: the earliest (a sentence before a pair beginning there)
        return min(tied)
    # one opening with a question term, then the shortest, then the earliest, then a sentence
    # before a pair beginning there
    return min(
        tied,
        key=lambda c: (
            not found.opens(sentences, *c),
            sum(count(i) for i in range(c[0], c[1] + 1)),
            *c,
        ),
    )

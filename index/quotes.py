"""Choosing the verbatim quote: the sentence, or two adjacent sentences, that best answers.

A candidate's score is the summed weight (the IDF the ranking used) of the distinct question terms
it contains; ties go to the shorter candidate. Two adjacent sentences are chosen only when together
they cover more of the question than either alone and still fit the word limit. The matched terms'
spans are returned for highlighting.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index.analyzer import Token
from index.passages import Span

MAX_QUOTE_WORDS = 60


@dataclass(frozen=True)
class Quote:
    """A span of the article text and, inside it, the spans of the matched terms."""

    start: int
    end: int
    highlights: tuple[Span, ...]
    terms: frozenset[str]  # the question's terms the quote contains


def choose_quote(
    text: str,
    sentences: Sequence[Span],
    tokens: Sequence[Token],
    weights: Mapping[str, float],
    max_words: int = MAX_QUOTE_WORDS,
) -> Quote:
    """The best sentence or adjacent pair of `sentences` for a question with term `weights`.

    `tokens` are the analysed tokens of all of `text` (`Analyzer.tokens`).
    """
    if not sentences:
        raise ValueError("a passage has at least one sentence")
    starts = [start for start, _ in sentences]
    by_sentence: list[list[Token]] = [[] for _ in sentences]
    for token in tokens:  # words outside every sentence are not the quote's
        i = bisect_right(starts, token.start) - 1
        if i >= 0 and token.end <= sentences[i][1]:
            by_sentence[i].append(token)
    matched = [{t.term for t in toks if t.term in weights} for toks in by_sentence]
    words = [len(text[s:e].split()) for s, e in sentences]

    def score(terms: set[str]) -> float:
        return sum(weights[t] for t in terms)

    # (score, -words, -first index) so that ties prefer shorter, then earlier candidates
    best_key = (score(matched[0]), -words[0], 0)
    best = (0, 0)
    for i in range(len(sentences)):
        key = (score(matched[i]), -words[i], -i)
        if key > best_key:
            best_key, best = key, (i, i)
    for i in range(len(sentences) - 1):
        pair_words = words[i] + words[i + 1]
        union = matched[i] | matched[i + 1]
        pair_score = score(union)
        if pair_words <= max_words and pair_score > max(score(matched[i]), score(matched[i + 1])):
            key = (pair_score, -pair_words, -i)
            if key > best_key:
                best_key, best = key, (i, i + 1)

    first, last = best
    start, end = sentences[first][0], sentences[last][1]
    highlights = tuple(
        (t.start - start, t.end - start)
        for i in range(first, last + 1)
        for t in by_sentence[i]
        if t.term in weights
    )
    terms = frozenset().union(*matched[first : last + 1])
    return Quote(start, end, highlights, terms)

"""Ranking: question terms -> BM25 candidates -> coverage -> quotes -> re-rank -> results.

Pure functions over a `PassageIndex` and stored passages; the library does the I/O around them
(see the README's "How it works" and "Answer quality" for the measurements behind the weights).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from index.analyzer import Analyzer
from index.fragments import TextFragment, text_fragment
from index.passages import Span
from index.postings import Hit, PassageIndex
from index.quotes import Quote, choose_quote
from index.store.base import ArticleInfo, StoredPassage

MAX_QUESTION_TERMS = 32  # a question's most specific terms searched for; the rest only weigh


@dataclass(frozen=True)
class RankSettings:
    """How candidates are re-ranked (tuned on SQuAD: `benchmarks/eval_squad.py`)."""

    min_coverage: float = 0.2  # share of the question's weight a passage must contain
    pool: int = 10  # passages BM25 proposes for re-ranking
    rerank: float = 0.6  # weight of how well a passage's quote answers, against its BM25 score
    phrase: float = 1.0  # weight of the question's word pairs found side by side


@dataclass(frozen=True)
class Result:
    """One ranked passage with its quote. Offsets: quote in passage, highlights in quote.

    `quote_cut` says whether the quote begins and ends inside a sentence (a sentence longer
    than a quote); `heading` is the heading the passage is under, if any; `passage_start` the
    passage's offset in its article's text; `fragment` the text directive that finds the quote
    in its article's page (set by the library for articles with a link).
    """

    rank: int
    score: float
    article: ArticleInfo
    passage: str
    quote_start: int
    quote_end: int
    highlights: tuple[Span, ...]
    quote_cut: tuple[bool, bool] = (False, False)
    heading: str | None = None
    passage_start: int = 0
    fragment: TextFragment | None = None

    @property
    def quote(self) -> str:
        return self.passage[self.quote_start : self.quote_end]


@dataclass(frozen=True)
class Candidates:
    """What BM25 proposes for a question, and how much each question term weighs."""

    hits: list[Hit]
    weights: dict[str, float]  # each question term's IDF times its count
    present: set[str]  # the question terms that occur in the collection


Query = Mapping[str, tuple[int | None, int]]  # question term -> (its term id if known, count)


def candidates(index: PassageIndex, query: Query, pool: int) -> Candidates:
    """BM25's best `pool` passages for the question's most specific terms.

    A term the collection lacks weighs as much as the rarest possible term, so that a question
    about something the library does not hold finds no passage covering enough of it.
    """
    absent = math.log((len(index) + 0.5) / 0.5)
    idf = {
        t: index.idf(term_id) if term_id is not None else 0.0 for t, (term_id, _) in query.items()
    }
    present = {t for t, value in idf.items() if value > 0}
    # the most specific terms; ties by the term itself, so that the same question always
    # searches the same terms (a set's order changes from process to process)
    kept = sorted(present, key=lambda t: (-idf[t], t))[:MAX_QUESTION_TERMS]
    search = {term_id: n for t in kept for term_id, n in [query[t]] if term_id is not None}
    hits = index.search(search, pool) if search else []
    weights = {t: (idf[t] if t in present else absent) * n for t, (_, n) in query.items()}
    return Candidates(hits, weights, present)


def rerank(
    found: Candidates,
    rows: Mapping[int, StoredPassage],
    question: Sequence[str],
    analyzer: Analyzer,
    settings: RankSettings,
    k: int,
) -> list[Result]:
    """Quote the candidate passages, re-rank them and keep the best k.

    A passage's coverage is the weight of the question terms it contains over the weight of
    all of them; below `min_coverage` it matches the question only incidentally (a question
    about jobs on Mars against an article that merely says "jobs") and is dropped; the words of
    the heading the passage is under (shown with it) count as its first words. The rest
    are ranked by their BM25 score (relative to the best) plus `rerank` times how well their
    quote answers (`answer_score`). BM25 finds the neighbourhood; the quote and word order pick
    the answer in it. `question` is the question's terms in order.
    """
    weights = found.weights
    total = sum(weights.values())
    pairs = _weighted_pairs(question, weights)
    scored: list[tuple[float, Hit, StoredPassage, Quote]] = []
    for hit in found.hits:
        row = rows.get(hit.doc_id)
        if row is None:  # removed since the search
            continue
        # stored when the passage was added (`asking.quotable`); analysed where not
        tokens = row.tokens if row.tokens is not None else analyzer.tokens(row.text)
        # the heading the passage is under is shown with it: its words count as the passage's
        terms = [*(analyzer.terms(row.heading) if row.heading else ()), *(t.term for t in tokens)]
        if sum(weights[t] for t in set(terms) & weights.keys()) < settings.min_coverage * total:
            continue
        quote = choose_quote(row.text, row.sentences, tokens, weights, cuts=row.cuts)
        scored.append(
            (answer_score(quote, terms, weights, pairs, settings.phrase), hit, row, quote)
        )
    if not scored:
        return []
    best = max(hit.score for _, hit, _, _ in scored) or 1.0
    ranked = sorted(
        (
            (hit.score / best + settings.rerank * answers, row, quote)
            for answers, hit, row, quote in scored
        ),
        key=lambda c: -c[0],
    )
    return [
        Result(
            rank,
            score,
            row.article,
            row.text,
            quote.start,
            quote.end,
            quote.highlights,
            (quote.cut_start, quote.cut_end),
            row.heading,
            row.start,
        )
        for rank, (score, row, quote) in enumerate(ranked[:k], 1)
    ]


def _weighted_pairs(
    question: Sequence[str], weights: Mapping[str, float]
) -> dict[tuple[str, str], float]:
    """The question's adjacent pairs of two different known terms, each with its weight."""
    return {
        (a, b): weights[a] + weights[b]
        for a, b in itertools.pairwise(question)
        if a != b and a in weights and b in weights
    }


def answer_score(
    quote: Quote,
    terms: Sequence[str],
    weights: Mapping[str, float],
    pairs: Mapping[tuple[str, str], float],
    phrase: float,
) -> float:
    """How well a passage answers: the share of the question's weight its quote contains,
    plus `phrase` times the share of the question's adjacent pairs (by weight) that stand side
    by side in the passage (`terms`, in order)."""
    score = sum(weights[t] for t in quote.terms) / sum(weights.values())
    if pairs:
        adjacent = pairs.keys() & set(itertools.pairwise(terms))
        score += phrase * sum(pairs[p] for p in adjacent) / sum(pairs.values())
    return score


def with_fragments(results: Sequence[Result], texts: Mapping[int, str]) -> list[Result]:
    """The results with the text directive of each quote, for those whose article's text
    (by article id) is in `texts`."""
    out = []
    for result in results:
        text = texts.get(result.article.id)
        if text is not None:
            start = result.passage_start + result.quote_start
            fragment = text_fragment(text, start, start + len(result.quote))
            result = replace(result, fragment=fragment)
        out.append(result)
    return out

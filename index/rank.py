"""Ranking: question terms -> BM25 candidates -> coverage -> quotes -> re-rank -> results.

Pure functions over a `PassageIndex` and stored passages; the library does the I/O around them
(see the README's "How it works" and "Answer quality" for the measurements behind the weights).
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from index.analyzer import Analyzer
from index.answer_type import AnswerType
from index.covering import Covering, Outline, Row, Whole, covering, pair_share
from index.fragments import TextFragment, text_fragment
from index.passages import Span
from index.postings import Hit, PassageIndex
from index.pruning import best_of, held_share, quote_bound, unbounded
from index.quotes import Quote, choose_quote
from index.spelling import correct
from index.store.base import ArticleInfo, PassageHead, StoredPassage

MAX_QUESTION_TERMS = 32  # a question's most specific terms searched for; the rest only weigh

# What re-ranking weighs of each candidate (see `features`), and the weight of each. Set by hand
# on SQuAD and checked by `python benchmarks/fit_rank.py`: weights fitted by coordinate ascent or
# listwise regression, with these and other features, did no better on held-out articles (see
# the README's "Answer quality").
FEATURES = ("bm25", "quote", "pairs")
WEIGHTS = (1.0, 0.6, 0.6)


@dataclass(frozen=True)
class RankSettings:
    """How candidates are re-ranked: `weights` has one weight for each of `FEATURES`."""

    min_coverage: float = 0.2  # share of the question's weight a passage must contain
    pool: int = 10  # passages BM25 proposes for re-ranking
    weights: tuple[float, ...] = WEIGHTS

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"one weight for each of {', '.join(FEATURES)}")


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
    corrected: dict[str, str] = field(default_factory=dict)  # a typo -> the term read for it
    asks: AnswerType | None = None  # the type of answer the question asks for, if any


Query = Mapping[str, tuple[int | None, int]]  # question term -> (its term id if known, count)


def candidates(
    index: PassageIndex,
    query: Query,
    pool: int,
    within: Sequence[int] | None = None,
    lookup: Callable[[str], int | None] | None = None,
    rarity: Callable[[str], float] | None = None,
) -> Candidates:
    """BM25's best `pool` passages for the question's most specific terms (with `within`,
    among those passages only: a topic's).

    With `lookup` (a term's id, if known), a term the collection lacks is read as the one a
    typo would make of a term it holds (`index.spelling`), unless `rarity` says its word is one
    English uses (more than once in a million words: "price" is not read as "prime"; of the 22
    real words SQuAD's questions had read so, 19 were wrong, "knight" as "night", "powder" as
    "power"). A term still lacking weighs as much as the rarest possible term, so that a
    question about something the library does not hold finds no passage covering enough of it;
    with `rarity` (0 to 1: how rare the term's word is in English, `index.prior`), times that,
    so that a common word the library lacks weighs little.
    """

    def idf_of(term_id: int | None) -> float:
        return index.idf(term_id) if term_id is not None else 0.0

    ids = [term_id for term_id, _ in query.values() if term_id is not None]
    held = dict(zip(ids, index.idfs(ids), strict=True))  # computed together: faster
    idf = {t: held[i] if i is not None else 0.0 for t, (i, _) in query.items()}
    corrected: dict[str, str] = {}
    if lookup is not None:
        for t in [t for t, value in idf.items() if not value and (not rarity or rarity(t) >= 1)]:
            fixed = correct(t, lambda term: idf_of(lookup(term)))
            if fixed is not None:
                corrected[t] = fixed
    if corrected:  # the query as read: each typo's count added to its correction's
        read: dict[str, tuple[int | None, int]] = {}
        for t, (term_id, n) in query.items():
            t = corrected.get(t, t)
            term_id = query[t][0] if t in query else lookup(t) if lookup else term_id
            read[t] = (term_id, read.get(t, (None, 0))[1] + n)
        query = read
        idf = {t: idf_of(term_id) for t, (term_id, _) in query.items()}
    absent = math.log((len(index) + 0.5) / 0.5)
    present = {t for t, value in idf.items() if value > 0}
    # the most specific terms; ties by the term itself, so that the same question always
    # searches the same terms (a set's order changes from process to process)
    kept = sorted(present, key=lambda t: (-idf[t], t))[:MAX_QUESTION_TERMS]
    search = {term_id: n for t in kept for term_id, n in [query[t]] if term_id is not None}
    hits = index.search(search, pool, within) if search else []
    weights = {
        t: (idf[t] if t in present else absent * (rarity(t) if rarity else 1.0)) * n
        for t, (_, n) in query.items()
    }
    return Candidates(hits, weights, present, corrected)


@dataclass(frozen=True)
class Scored:
    """A candidate passage kept for re-ranking: its quote, its terms in order (its heading's
    first) and its features (see `features`)."""

    features: tuple[float, ...]
    hit: Hit
    row: StoredPassage
    quote: Quote
    terms: list[str]


def _scored(
    candidate: Covering,
    best: float,
    weights: Mapping[str, float],
    analyzer: Analyzer,
    whole: Whole | None = None,
    asks: AnswerType | None = None,
) -> Scored | None:
    """A covering candidate quoted, with its features (`best`: the best BM25 score kept), its
    row read `whole` first if it is a head (None if it is gone since); `asks`, the type of
    answer the question asks for (`Candidates.asks`)."""
    hit, row, heading = candidate.hit, candidate.row, candidate.heading
    if isinstance(row, PassageHead):
        if whole is None:
            raise ValueError(f"passage {row.id}: a head is ranked with a way to read it whole")
        if (read := whole(row)) is None:
            return None
        row = read
    tokens = candidate.tokens()
    # what the article is about weighs less in choosing which of its sentences answers
    title = row.article.title
    about = frozenset((*heading, *(analyzer.title_terms(title) if title else ())))
    quote = choose_quote(
        row.text, row.sentences, tokens, weights, cuts=row.cuts, about=about, asks=asks
    )
    bm25 = hit.score / best if best else 0.0
    terms = [*heading, *(t.term for t in tokens)]
    return Scored((bm25, quote_share(quote, weights), candidate.pairs), hit, row, quote, terms)


def score_candidates(
    found: Candidates,
    rows: Mapping[int, StoredPassage],
    question: Sequence[str],
    analyzer: Analyzer,
    min_coverage: float,
    outlines: Mapping[int, Outline] | None = None,
) -> list[Scored]:
    """Quote each candidate passage and compute its features, in BM25's order.

    A passage's coverage is the weight of the question terms it contains over the weight of
    all of them; below `min_coverage` it matches the question only incidentally (a question
    about jobs on Mars against an article that merely says "jobs") and is dropped; the words of
    the heading the passage is under (shown with it) count as its first words. `question` is
    the question's terms in order (a typo read as its correction); `outlines`, what is read
    of candidates' stored tokens (`asking.outlines`), by passage id.
    """
    kept = _covering(found, rows, question, analyzer, min_coverage, outlines)
    if not kept:
        return []
    best = max(c.hit.score for c in kept)  # 0 only if every score is 0
    scored = (_scored(c, best, found.weights, analyzer, None, found.asks) for c in kept)
    return [s for s in scored if s is not None]


def rerank(
    found: Candidates,
    rows: Mapping[int, Row],
    question: Sequence[str],
    analyzer: Analyzer,
    settings: RankSettings,
    k: int,
    outlines: Mapping[int, Outline] | None = None,
    prune: bool = True,
    whole: Whole | None = None,
) -> list[Result]:
    """Quote the candidate passages, re-rank them and keep the best k.

    A candidate's score is its features (`features`: its BM25 score relative to the best,
    how well its quote and its word order answer) weighed by `settings.weights`. BM25 finds
    the neighbourhood; the quote and word order pick the answer in it. Ties keep BM25's order.
    With `prune`, only the candidates that may be among the best k are quoted
    (`index.pruning`): the results are the same. A candidate's row may be its head, read
    `whole` only if it is quoted.
    """
    kept = _covering(found, rows, question, analyzer, settings.min_coverage, outlines)
    reading = (analyzer, whole, found.asks)
    quoted = _quote(kept, found.weights, settings.weights, (k, prune), reading)
    ranked = sorted(((v, i, c) for i, (v, c) in quoted.items()), key=lambda c: (-c[0], c[1]))
    return [
        Result(
            rank,
            score,
            c.row.article,
            c.row.text,
            c.quote.start,
            c.quote.end,
            c.quote.highlights,
            (c.quote.cut_start, c.quote.cut_end),
            c.row.heading,
            c.row.start,
        )
        for rank, (score, _, c) in enumerate(ranked[:k], 1)
    ]


def _covering(
    found: Candidates,
    rows: Mapping[int, Row],
    question: Sequence[str],
    analyzer: Analyzer,
    min_coverage: float,
    outlines: Mapping[int, Outline] | None,
) -> list[Covering]:
    """BM25's candidates covering enough of the question (`covering.covering`), with the
    question's adjacent pairs read in its terms (a typo as its correction)."""
    pairs = _weighted_pairs([found.corrected.get(t, t) for t in question], found.weights)
    return covering(found.hits, found.weights, rows, analyzer, min_coverage, pairs, outlines or {})


def _quote(
    kept: Sequence[Covering],
    weights: Mapping[str, float],
    feature_weights: Sequence[float],
    best_k: tuple[int, bool],
    reading: tuple[Analyzer, Whole | None, AnswerType | None],
) -> dict[int, tuple[float, Scored]]:
    """The covering candidates quoted, with their scores, by place in BM25's order: all of
    them, or with pruning (`best_k`: k, prune) those that may be among the best k."""
    if not kept:
        return {}
    (k, prune), (analyzer, whole, asks) = best_k, reading
    best = max(c.hit.score for c in kept)  # 0 only if every score is 0

    def score(features: Sequence[float]) -> float:  # (the same sum, in the same order)
        return float(sum(map(operator.mul, feature_weights, features)))

    quoted: dict[int, tuple[float, Scored]] = {}

    def exact(i: int) -> float:  # candidate i quoted: its score (gone since: below any)
        c = _scored(kept[i], best, weights, analyzer, whole, asks)
        if c is None:
            return -math.inf
        quoted[i] = (score(c.features), c)
        return quoted[i][0]

    # each feature's bound (`index.pruning`), weighed as the features are: a cheap one, then a
    # closer one for the candidates that reach the front
    def bound(i: int, closer: bool) -> float:
        c = kept[i]
        if closer:
            share = quote_bound(c.row.sentences, c.row.cuts, c.tokens(), weights)
        else:
            share = held_share(c.held, weights)
        return score((c.hit.score / best if best else 0.0, share, c.pairs))

    if prune and not unbounded(feature_weights, weights):
        best_of([bound(i, False) for i in range(len(kept))], k, exact, bound)
    else:
        for i in range(len(kept)):
            exact(i)
    return quoted


def _weighted_pairs(
    question: Sequence[str], weights: Mapping[str, float]
) -> dict[tuple[str, str], float]:
    """The question's adjacent pairs of two different known terms, each with its weight."""
    return {
        (a, b): weights[a] + weights[b]
        for a, b in itertools.pairwise(question)
        if a != b and a in weights and b in weights
    }


def features(
    bm25: float,
    quote: Quote,
    terms: Sequence[str],
    weights: Mapping[str, float],
    pairs: Mapping[tuple[str, str], float],
) -> tuple[float, float, float]:
    """A candidate's features, in the order of `FEATURES`: `bm25`, its BM25 score over the
    best candidate's; the share of the question's weight its quote contains (the quote chosen
    at the question's own weights, `Quote.covered`); the share of the question's adjacent pairs
    (by weight) that stand side by side in the passage (`terms`, in order; 0 without pairs)."""
    return (bm25, quote_share(quote, weights), pair_share(set(itertools.pairwise(terms)), pairs))


def quote_share(quote: Quote, weights: Mapping[str, float]) -> float:
    """The share of the question's weight `quote` holds (`Quote.covered`)."""
    return math.fsum(map(weights.__getitem__, quote.covered)) / sum(weights.values())


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

"""Re-ranking's pruning: only the candidates that may be among the best k are quoted, and the
results are those of quoting every candidate (`index.pruning`, `rank.rerank`)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from index import rank
from index.analyzer import Analyzer
from index.asking import outlines
from index.passages import CUT_END, CUT_START
from index.postings import Hit
from index.pruning import best_of, quote_bound
from index.quotes import choose_quote
from index.rank import Candidates, RankSettings, quote_share, rerank
from index.store.base import ArticleInfo, PassageHead, StoredPassage

ANALYZER = Analyzer()
WORDS = ["china", "russia", "energy", "spring", "trade", "vision", "pandemic", "india", "the"]
WORDS += ["bomber", "worker", "mars", "jobs", "cat", "sat", "on", "a", "mat", "however"]
TERMS = sorted({t for word in WORDS for t in ANALYZER.terms(word)})
TERM_IDS = {term: i for i, term in enumerate(TERMS)}
ARTICLE = ArticleInfo(1, "c", "China and Russia", None, None, None, None, None, None, "x", 9)

# --- best_of ----------------------------------------------------------------------------------


@given(
    scores=st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0]), min_size=1, max_size=12),
    slack=st.data(),
    k=st.integers(1, 5),
)
def test_the_best_k_are_among_the_candidates_quoted(
    scores: list[float], slack: st.DataObject, k: int
) -> None:
    """Whatever the bounds (at least the scores), the best k by score, ties in order, are
    quoted; and only those quoted are asked for."""
    extra = slack.draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=len(scores)))
    bounds = [s + e for s, e in zip(scores, extra, strict=False)]
    asked: list[int] = []

    def exact(i: int) -> float:
        asked.append(i)
        return scores[i]

    quoted = best_of(bounds, k, exact)
    best = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
    assert set(best) <= set(quoted) == set(asked)
    assert len(asked) == len(set(asked))


def test_candidates_behind_the_kth_are_not_quoted() -> None:
    """Scores 3, 2.9, 2.8 (bounds 3 each) are ahead of every other bound (2.7 and less): of ten
    candidates, three are quoted."""
    bounds = [3.0, 3.0, 3.0, *(2.7 - i / 10 for i in range(7))]
    scores = [3.0, 2.9, 2.8, *(b - 0.5 for b in bounds[3:])]
    assert best_of(bounds, 3, scores.__getitem__) == [0, 1, 2]


def test_a_tie_with_the_kth_is_quoted_when_it_is_earlier_in_bm25s_order() -> None:
    """The k-th (place 1) scores 2; place 0's bound is 2 too: a tie it would win, so it is
    quoted; place 2's bound 2 would lose the tie, so it is not."""
    bounds = [2.0, 3.0, 2.0]
    scores = [1.0, 2.0, 2.0]
    assert best_of(bounds, 1, scores.__getitem__) == [0, 1]


def test_no_result_asked_for_quotes_none() -> None:
    """k = 0: nothing to find, nothing quoted."""
    assert best_of([1.0, 2.0], 0, [1.0, 2.0].__getitem__) == []


def test_every_candidate_is_quoted_when_a_score_passes_its_bound() -> None:
    """A bound that is not one (score 5 over bound 1): the others are quoted too."""
    bounds = [3.0, 2.0, 1.0, 0.5]
    scores = [0.0, 0.0, 5.0, 0.0]
    asked: list[int] = []

    def exact(i: int) -> float:
        asked.append(i)
        return scores[i]

    assert best_of(bounds, 1, exact) == [0, 1, 2, 3]
    assert sorted(asked) == [0, 1, 2, 3]


def test_a_closer_bound_is_asked_for_before_quoting() -> None:
    """Bounds 3 and 2.5; the first's closer bound is 1: the second (score 2) is quoted first
    and is ahead of it, so the first is never quoted."""
    closer_asked: list[int] = []

    def closer(i: int, _: bool) -> float:
        closer_asked.append(i)
        return [1.0, 2.5][i]

    assert best_of([3.0, 2.5], 1, [0.5, 2.0].__getitem__, closer) == [1]
    assert closer_asked == [0, 1]


# --- the bounds and re-ranking ----------------------------------------------------------------

sentence_st = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14)
passage_st = st.tuples(
    st.lists(sentence_st, min_size=1, max_size=6),
    st.lists(st.booleans(), max_size=6),  # which sentences continue the one before (cut)
    st.sampled_from([None, "China trade", "Mars jobs"]),  # the heading
)
weight_st = st.sampled_from([0.0, 0.1, 0.5, 1.0, 1.0, 2.5])
weights_st = st.dictionaries(st.sampled_from([*TERMS, "absent"]), weight_st, min_size=1)


def _passage(
    doc_id: int, sentences: list[list[str]], joined: list[bool], heading: str | None
) -> StoredPassage:
    """A passage of these sentences (a long one's pieces where `joined`), its tokens stored."""
    text, spans = "", []
    for words in sentences:
        start = len(text)
        text += " ".join(words) + ". "
        spans.append((start, len(text) - 2))
    cuts = [0] * len(spans)
    for i in range(1, len(spans)):
        if i - 1 < len(joined) and joined[i - 1]:
            cuts[i - 1] |= CUT_END
            cuts[i] |= CUT_START
    tokens = ANALYZER.tokens(text)
    ids = np.array([TERM_IDS[t.term] for t in tokens], "<i4").tobytes()
    blob = ids + np.array([(t.start, t.end) for t in tokens], "<u2").tobytes()
    return StoredPassage(doc_id, text, 0, tuple(spans), ARTICLE, tuple(cuts), heading, blob)


@given(
    passage=passage_st,
    weights=weights_st,
)
def test_the_quote_bound_is_at_least_the_quote_share(
    passage: tuple[list[list[str]], list[bool], str | None], weights: dict[str, float]
) -> None:
    """Whatever the passage (long sentences in pieces, neighbours) and the weights, the share
    of the question's weight that the chosen quote covers is at most `quote_bound`."""
    if not sum(weights.values()):
        return
    row = _passage(1, *passage)
    tokens = ANALYZER.tokens(row.text)
    quote = choose_quote(row.text, row.sentences, tokens, weights, cuts=row.cuts)
    assert quote_share(quote, weights) <= quote_bound(row.sentences, row.cuts, tokens, weights)


@given(
    passage=passage_st,
    weights=weights_st,
)
def test_the_quote_bound_is_what_the_two_adjacent_sentences_holding_most_hold(
    passage: tuple[list[list[str]], list[bool], str | None], weights: dict[str, float]
) -> None:
    """`quote_bound` is the largest share of the question's weight that two adjacent runs of
    sentences (a long sentence's pieces together; the last run alone) hold, every pair summed."""
    if not sum(weights.values()):
        return
    row = _passage(1, *passage)
    tokens = ANALYZER.tokens(row.text)
    runs: list[set[str]] = []
    for (start, end), cut in zip(row.sentences, row.cuts, strict=True):
        if not runs or not cut & CUT_START:
            runs.append(set())
        runs[-1] |= {t.term for t in tokens if start <= t.start < end and t.term in weights}
    pairs = zip(runs, [*runs[1:], set()], strict=True)
    held = max(math.fsum(weights[t] for t in a | b) for a, b in pairs)
    assert quote_bound(row.sentences, row.cuts, tokens, weights) == held / sum(weights.values())


@given(
    passages=st.lists(passage_st, min_size=1, max_size=10),
    scores=st.data(),
    weights=weights_st,
    question=st.lists(st.sampled_from([*TERMS, "absent"]), max_size=8),
    k=st.integers(1, 4),
    min_coverage=st.sampled_from([0.0, 0.2, 0.5]),
    stored=st.booleans(),
    heads=st.booleans(),
)
def test_pruned_re_ranking_gives_the_results_of_quoting_every_candidate(
    passages: list[tuple[list[list[str]], list[bool], str | None]],
    scores: st.DataObject,
    weights: dict[str, float],
    question: list[str],
    k: int,
    min_coverage: float,
    stored: bool,
    heads: bool,
) -> None:
    """Same results, order, scores (to the bit) and quotes, ties included (BM25 scores drawn
    from a few values), from stored tokens (`asking.outlines`) or analysed, from whole rows
    or from heads read whole when quoted."""
    if not sum(weights.values()):
        return
    rows = {i: _passage(i, *p) for i, p in enumerate(passages, 1)}
    values = scores.draw(st.lists(st.sampled_from([1.0, 2.0, 2.0, 3.0]), min_size=len(rows)))
    hits = [Hit(i, s) for i, s in zip(rows, sorted(values, reverse=True), strict=False)]
    found = Candidates(hits, weights, {t for t in weights if t in TERM_IDS})
    settings = RankSettings(min_coverage=min_coverage)
    analysed = {i: dataclasses.replace(row, stored_tokens=None) for i, row in rows.items()}
    full = rerank(found, analysed, question, ANALYZER, settings, k, prune=False)
    read = outlines(rows, {TERM_IDS[t]: t for t in found.present}) if stored else None
    source: dict[int, StoredPassage | PassageHead] = dict(analysed)
    if heads:  # as `SQLiteReader.heads`: the text only where no tokens are stored
        source = {i: _head(row, None if stored else row.text) for i, row in rows.items()}

    def whole(head: PassageHead) -> StoredPassage:
        return analysed[head.id]

    assert rerank(found, source, question, ANALYZER, settings, k, read, whole=whole) == full


def _head(row: StoredPassage, text: str | None) -> PassageHead:
    """A passage's head, as `SQLiteReader.heads` reads it."""
    return PassageHead(
        row.id,
        1,
        row.start,
        row.start + len(row.text),
        row.sentences,
        row.cuts,
        row.heading,
        row.stored_tokens,
        text,
    )


def test_only_the_candidates_that_may_be_among_the_best_are_quoted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ten candidates: the first three hold every question term in one sentence, the other
    seven only 'mars' (BM25 0.1 of the best's): one result asked for, one candidate quoted."""
    quoted: list[str] = []

    def counted(text: str, *args: object, **kwargs: object) -> object:
        quoted.append(text)
        return choose_quote(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rank, "choose_quote", counted)
    rows = {i: _passage(i, [["china", "trade"], ["cat", "mat"]], [], None) for i in (1, 2, 3)}
    rows |= {i: _passage(i, [["mars", "cat"], ["sat", "mat"]], [], None) for i in range(4, 11)}
    hits = [Hit(1, 10.0), Hit(2, 9.0), Hit(3, 8.0), *(Hit(i, 1.0) for i in range(4, 11))]
    weights = {"china": 1.0, "trade": 1.0, "mar": 0.5}
    found = Candidates(hits, weights, set(weights))
    present = {TERM_IDS[t]: t for t in weights}
    read = outlines(rows, present)
    results = rerank(found, rows, ["china", "trade"], ANALYZER, RankSettings(), 1, read)
    assert [r.score for r in results] == [1 + 0.6 * 0.8 + 0.6] and len(quoted) == 1


def test_a_headings_last_term_and_the_passages_first_stand_side_by_side() -> None:
    """Under the heading "China trade", a passage opening with "Mars": the question's pair
    (trade, mar) is side by side, from stored tokens as when analysed (pair share 1)."""
    row = _passage(1, [["mars", "cat"], ["sat", "mat"]], [], "China trade")
    found = Candidates([Hit(1, 1.0)], {"trade": 1.0, "mar": 1.0}, {"trade", "mar"})
    read = outlines({1: row}, {TERM_IDS["trade"]: "trade", TERM_IDS["mar"]: "mar"})
    bare = {1: dataclasses.replace(row, stored_tokens=None)}
    for rows, outlined in (({1: row}, read), (bare, None)):
        results = rerank(found, rows, ["trade", "mar"], ANALYZER, RankSettings(), 1, outlined)
        assert [r.score for r in results] == [1 + 0.6 * 0.5 + 0.6]

"""Ranking: BM25 candidates for a question, then quoted and re-ranked results.

The expected values are worked out by hand from the documented rules: a term's weight is its
IDF (rank-bm25's Okapi IDF, log((N - df + 0.5) / (df + 0.5)) where positive) times its count;
a passage's final score is its BM25 score over the best candidate's plus 0.6 times the share of
the question's weight its quote holds plus 0.6 times the share of the question's adjacent pairs
(by weight) that stand side by side in the passage (`WEIGHTS`).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from index.analyzer import Analyzer
from index.fragments import TextFragment
from index.passages import CUT_START, split_sentences
from index.postings import Hit, PassageIndex
from index.quotes import Quote
from index.rank import (
    MAX_QUESTION_TERMS,
    Candidates,
    RankSettings,
    Result,
    _weighted_pairs,
    candidates,
    features,
    pair_share,
    rerank,
    score_candidates,
    with_fragments,
)
from index.store.base import ArticleInfo, StoredPassage

# --- candidates -------------------------------------------------------------------------------

# Five passages over term ids 0-3: "xi" (id 0) in one, "putin" (1) in two, "biden" (2) in two.
# Term id 3 is in the vocabulary but in no live passage. With N = 5, Okapi IDF:
# df 1: log(4.5 / 1.5) = log 3; df 2: log(3.5 / 2.5) = log 1.4.
PASSAGE_TERMS = {10: [0, 1], 20: [1], 30: [2], 40: [2], 50: [4]}


def _index() -> PassageIndex:
    index = PassageIndex()
    for doc_id, terms in PASSAGE_TERMS.items():
        index.add(doc_id, np.array(terms), np.ones(len(terms), np.int64))
    return index


def test_a_known_terms_weight_is_its_idf_times_its_count() -> None:
    """'xi' twice (df 1 of 5) weighs 2 log 3; 'putin' once (df 2) weighs log 1.4."""
    found = candidates(_index(), {"xi": (0, 2), "putin": (1, 1)}, pool=10)
    assert found.weights == pytest.approx({"xi": 2 * math.log(3), "putin": math.log(1.4)})


def test_a_term_the_collection_lacks_weighs_as_the_rarest_possible() -> None:
    """Unknown, or known but in no live passage: log((N + 0.5) / 0.5) = log 11, times count."""
    found = candidates(_index(), {"mars": (None, 1), "jobs": (3, 2)}, pool=10)
    assert found.weights == pytest.approx({"mars": math.log(11), "jobs": 2 * math.log(11)})
    assert found.present == set()
    assert found.hits == []


def test_a_term_the_collection_lacks_weighs_by_its_rarity_when_given() -> None:
    """With `rarity` (a common word 0.25): 'mars' weighs 0.25 log 11; 'xi' keeps its IDF."""
    rarity = {"mars": 0.25}.__getitem__
    found = candidates(_index(), {"mars": (None, 2), "xi": (0, 1)}, pool=10, rarity=rarity)
    assert found.weights == pytest.approx({"mars": 2 * 0.25 * math.log(11), "xi": math.log(3)})


def test_only_terms_of_the_collection_are_present_and_searched() -> None:
    """'xi' and 'putin' are present; the hits are BM25's for them alone."""
    index = _index()
    found = candidates(index, {"xi": (0, 1), "putin": (1, 1), "mars": (None, 1)}, pool=10)
    assert found.present == {"xi", "putin"}
    assert found.hits == index.search({0: 1, 1: 1}, 10)
    assert [h.doc_id for h in found.hits] == [10, 20]


def test_the_pool_limits_the_candidates() -> None:
    """pool=1: only BM25's best passage is proposed."""
    found = candidates(_index(), {"xi": (0, 1), "putin": (1, 1)}, pool=1)
    assert [h.doc_id for h in found.hits] == [10]


def test_only_the_most_specific_terms_are_searched() -> None:
    """33 known terms: the least specific (in most passages) still weighs but is not searched."""
    # 70 passages; term t is in passages 0..t, so its IDF falls with t; passage 32 holds only
    # the least specific term, 32.
    index = PassageIndex()
    for doc in range(70):
        terms = np.arange(doc, 33) if doc < 33 else np.array([], np.int64)
        index.add(doc, terms, np.ones(terms.size, np.int64))
    query = {f"t{t}": (t, 1) for t in range(33)}
    found = candidates(index, query, pool=100)
    assert MAX_QUESTION_TERMS == 32
    assert {h.doc_id for h in found.hits} == set(range(32))
    assert found.weights["t32"] == pytest.approx(math.log(37.5 / 33.5))
    assert found.present == set(query)


# --- re-ranking -------------------------------------------------------------------------------

ARTICLE = ArticleInfo(
    id=1,
    collection="news",
    title="China and Russia Relationship Can’t Be Broken By Any Nation",
    url=None,
    author=None,
    date=None,
    site=None,
    source=None,
    added_by=None,
    added_at="2026-01-01T00:00:00",
    passages=3,
)
PANDEMIC = (  # a sentence of the sample article
    "Xi Jinping said that any crisis would only push Sino-Russia relations to be more prominent,"
    " adding that the two countries had worked together to contain the COVID-19 pandemic."
)
PUTIN = (  # another: 'xi' and 'jinp' side by side, no 'pandem'
    "The relationship between China and Russia cannot be broken by any third nation and will"
    " wither all kinds of international crises, the Chinese President Xi Jinping told his Russian"
    " counterpart President Vladimir Putin as signal to U.S. that the ties between China and"
    " Russia are strong."
)
MARS = "Elon Musk Says There Will Be a Lot of Jobs on Mars Once Humans Arrive"  # only 'say'

# "What did Xi Jinping say about the pandemic?" -> xi jinp say pandem; weights chosen round.
QUESTION = ["xi", "jinp", "say", "pandem"]
WEIGHTS = {"xi": 1.0, "jinp": 1.0, "say": 0.5, "pandem": 2.0}  # total 4.5
# Pairs: (xi, jinp) 2.0, (jinp, say) 1.5, (say, pandem) 2.5: total 6.0.


def _row(doc_id: int, text: str) -> StoredPassage:
    sentences = tuple(span for paragraph in split_sentences(text) for span in paragraph)
    return StoredPassage(doc_id, text, 0, sentences, ARTICLE)


ROWS = {1: _row(1, PANDEMIC), 2: _row(2, PUTIN), 3: _row(3, MARS)}


def _rerank(
    hits: list[Hit],
    weights: dict[str, float] = WEIGHTS,
    settings: RankSettings | None = None,
    k: int = 3,
) -> list[Result]:
    found = Candidates(hits, dict(weights), set(weights))
    return rerank(found, ROWS, QUESTION, Analyzer(), settings or RankSettings(), k)


def test_the_passage_whose_quote_answers_better_is_lifted_above_bm25s_best() -> None:
    """BM25 3 vs 4: the pandemic passage, 3/4 + 0.6 (8/9 + 1/3), beats 4/4 + 0.6 (4/9 + 1/3)."""
    results = _rerank([Hit(2, 4.0), Hit(1, 3.0)])
    assert [(r.rank, r.passage) for r in results] == [(1, PANDEMIC), (2, PUTIN)]
    assert results[0].score == pytest.approx(3 / 4 + 0.6 * (8 / 9 + 1 / 3), rel=1e-12)
    assert results[1].score == pytest.approx(1 + 0.6 * (4 / 9 + 1 / 3), rel=1e-12)


def test_bm25_still_decides_when_the_quotes_differ_less() -> None:
    """BM25 2 vs 4: 2/4 + 0.6 (11/9) is below 1 + 0.6 (7/9): BM25's order stands."""
    results = _rerank([Hit(2, 4.0), Hit(1, 2.0)])
    assert [r.passage for r in results] == [PUTIN, PANDEMIC]
    assert results[1].score == pytest.approx(2 / 4 + 0.6 * 11 / 9, rel=1e-12)


def test_a_passage_covering_under_a_fifth_of_the_question_is_dropped() -> None:
    """The Mars headline holds only 'say': 0.5 of 4.5 is under a fifth."""
    results = _rerank([Hit(3, 9.0), Hit(1, 3.0)])
    assert [r.passage for r in results] == [PANDEMIC]
    assert results[0].score == pytest.approx(1 + 0.6 * 11 / 9, rel=1e-12)  # 3 is the best


def test_a_passage_covering_exactly_a_fifth_is_kept() -> None:
    """'say' weighs 1 of 5: exactly the minimum coverage, so the headline stays."""
    weights = {"xi": 1.0, "jinp": 1.0, "say": 1.0, "pandem": 2.0}
    results = _rerank([Hit(3, 1.0)], weights)
    assert [r.passage for r in results] == [MARS]
    # its quote holds 'say' (1/5); pairs (xi, jinp) 2, (jinp, say) 2, (say, pandem) 3: none
    assert results[0].score == pytest.approx(1 + 0.6 * (1 / 5), rel=1e-12)


def test_the_minimum_coverage_can_be_set() -> None:
    """With min_coverage 0.5 the passage with 2 of 4.5 is dropped, the one with 4 kept."""
    results = _rerank([Hit(2, 4.0), Hit(1, 3.0)], settings=RankSettings(min_coverage=0.5))
    assert [r.passage for r in results] == [PANDEMIC]


def test_a_passage_removed_since_the_search_is_skipped() -> None:
    """A hit without a stored row is left out, the others ranked as usual."""
    results = _rerank([Hit(99, 8.0), Hit(1, 3.0)])
    assert [(r.rank, r.passage) for r in results] == [(1, PANDEMIC)]
    assert results[0].score == pytest.approx(1 + 0.6 * 11 / 9, rel=1e-12)


def test_no_candidate_left_gives_no_results() -> None:
    """Nothing to rank: an empty list."""
    assert _rerank([Hit(3, 9.0)]) == []
    assert _rerank([]) == []


def test_k_keeps_the_best_results() -> None:
    """k=1: only the top result, ranked 1."""
    results = _rerank([Hit(2, 4.0), Hit(1, 3.0)], k=1)
    assert [(r.rank, r.passage) for r in results] == [(1, PANDEMIC)]


def test_bm25_scores_of_zero_leave_the_quotes_to_rank() -> None:
    """All BM25 scores 0: no division by zero, the score is the answer part alone."""
    results = _rerank([Hit(2, 0.0), Hit(1, 0.0)])
    assert [r.passage for r in results] == [PANDEMIC, PUTIN]
    assert results[0].score == pytest.approx(0.6 * 11 / 9, rel=1e-12)


def test_the_weights_of_bm25_and_of_the_answer_can_be_set() -> None:
    """Weights (1, 0, 0) keep BM25's order; a pairs' weight of 0 drops the pairs' part."""
    plain = _rerank([Hit(2, 4.0), Hit(1, 3.0)], settings=RankSettings(weights=(1.0, 0.0, 0.0)))
    assert [(r.passage, r.score) for r in plain] == [(PUTIN, 1.0), (PANDEMIC, 0.75)]
    no_pairs = _rerank([Hit(1, 3.0)], settings=RankSettings(weights=(1.0, 0.6, 0.0)))
    assert no_pairs[0].score == pytest.approx(1 + 0.6 * 8 / 9, rel=1e-12)


def test_settings_need_one_weight_for_each_feature() -> None:
    """Two weights for three features: a ValueError naming the features."""
    with pytest.raises(ValueError, match="bm25, quote, pairs"):
        RankSettings(weights=(1.0, 0.6))


def test_a_result_carries_its_article_passage_and_quote() -> None:
    """The quote's offsets are in the passage, the highlights in the quote."""
    result = _rerank([Hit(1, 3.0)])[0]
    assert result.article == ARTICLE
    assert (result.quote_start, result.quote_end) == (0, len(PANDEMIC))
    assert result.quote == PANDEMIC
    assert [result.quote[s:e] for s, e in result.highlights] == ["Xi", "Jinping", "pandemic"]


def test_equal_scores_keep_bm25s_order() -> None:
    """Two passages scoring the same are listed in the order BM25 gave them."""
    twin = {5: _row(5, PANDEMIC), 6: _row(6, PANDEMIC)}
    found = Candidates([Hit(6, 1.0), Hit(5, 1.0)], dict(WEIGHTS), set(WEIGHTS))
    results = rerank(found, twin, QUESTION, Analyzer(), RankSettings(), 2)
    assert [r.rank for r in results] == [1, 2]
    assert results[0].score == results[1].score
    assert [r.article for r in results] == [ARTICLE, ARTICLE]
    assert results == sorted(results, key=lambda r: r.rank)


# --- the answer part --------------------------------------------------------------------------


def _quote_with(terms: set[str]) -> Quote:
    return Quote(0, 10, (), frozenset(terms), False, False, frozenset(terms))


def test_without_pairs_the_features_are_bm25_and_the_quotes_share() -> None:
    """No pairs: the BM25 part as given, the quote's terms' weight over the question's, 0."""
    found = features(0.5, _quote_with({"pandem"}), ["pandem"], WEIGHTS, {})
    assert found == pytest.approx((0.5, 2.0 / 4.5, 0.0), rel=1e-12)


def test_the_pairs_feature_is_the_share_of_pairs_found_side_by_side() -> None:
    """(say, pandem) of 6.0 in pair weight found adjacent: 2.5 / 6."""
    pairs = _weighted_pairs(QUESTION, WEIGHTS)
    terms = ["say", "pandem", "xi"]  # (say, pandem) adjacent; (pandem, xi) is no question pair
    found = features(1.0, _quote_with({"xi"}), terms, WEIGHTS, pairs)
    assert found == pytest.approx((1.0, 1.0 / 4.5, 2.5 / 6.0), rel=1e-12)


def test_a_pair_in_the_reverse_order_does_not_count() -> None:
    """'jinp xi' in the passage is not the question's 'xi jinp'."""
    pairs = _weighted_pairs(QUESTION, WEIGHTS)
    assert features(1.0, _quote_with(set()), ["jinp", "xi"], WEIGHTS, pairs)[2] == 0.0


def test_scored_candidates_keep_bm25s_order_with_their_features_and_terms() -> None:
    """Each kept candidate, in BM25's order, with its features and its terms in order."""
    found = Candidates([Hit(2, 4.0), Hit(3, 9.0), Hit(1, 3.0)], dict(WEIGHTS), set(WEIGHTS))
    scored = score_candidates(found, ROWS, QUESTION, Analyzer(), 0.2)
    assert [c.row.text for c in scored] == [PUTIN, PANDEMIC]  # Mars covers too little
    assert [c.features[0] for c in scored] == [1.0, 0.75]
    assert scored[1].terms == Analyzer().terms(PANDEMIC)


def test_pairs_are_adjacent_different_known_terms_with_their_summed_weight() -> None:
    """A repeated term or an unweighted one makes no pair."""
    weights = {"xi": 1.0, "jinp": 2.0, "putin": 4.0}
    question = ["xi", "xi", "jinp", "mars", "putin", "xi"]
    assert _weighted_pairs(question, weights) == {("xi", "jinp"): 3.0, ("putin", "xi"): 5.0}


# --- settings and results -------------------------------------------------------------------


def test_default_settings_are_the_tuned_ones() -> None:
    """A fifth of the question's weight, ten candidates; BM25 1, the quote 0.6, the pairs 0.6."""
    assert dataclasses.astuple(RankSettings()) == (0.2, 10, (1.0, 0.6, 0.6))


def test_settings_candidates_and_results_are_immutable_values() -> None:
    """Settings, candidates, scored candidates and results are frozen: never changed in place."""
    result = _rerank([Hit(1, 3.0)])[0]
    found = Candidates([Hit(1, 3.0)], dict(WEIGHTS), set(WEIGHTS))
    scored = score_candidates(found, ROWS, QUESTION, Analyzer(), 0.2)
    for value in (RankSettings(), found, result, *scored):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.rank = 2  # type: ignore[union-attr]
    assert hash(RankSettings()) == hash(RankSettings())


def test_a_results_quote_is_its_span_of_the_passage() -> None:
    """Result.quote is the passage from quote_start up to, not including, quote_end."""
    passage = f"{PANDEMIC} {PUTIN}"
    result = Result(1, 1.0, ARTICLE, passage, 0, len(PANDEMIC), ())
    assert result.quote == PANDEMIC


def test_terms_tied_on_specificity_are_cut_the_same_way_every_time() -> None:
    """33 equally rare terms: the 32 searched are the first by name, whatever the hash seed."""
    index = PassageIndex()
    for term in range(33):
        index.add(term, np.array([term]), np.array([1]))
    query = {f"t{t:02d}": (t, 1) for t in range(33)}
    found = candidates(index, query, pool=100)
    assert {h.doc_id for h in found.hits} == set(range(32))


# --- text fragments -------------------------------------------------------------------------


def test_each_result_whose_article_text_is_given_gets_its_quotes_fragment() -> None:
    """The quote is found at the passage's offset in the article: 'Keepers light the lamp'
    opens an earlier passage too, so the fragment's start is longer; a result whose text is
    not given is left as it is."""
    article = (
        "Keepers light the lamp early. Then they sleep.\n\nSo. Keepers light the lamp at dusk."
    )
    passage_start = article.index("So.")
    passage = article[passage_start:]
    quote_start = passage.index("Keepers")
    linked = Result(
        1, 1.0, ARTICLE, passage, quote_start, len(passage), (), passage_start=passage_start
    )
    other = dataclasses.replace(linked, article=dataclasses.replace(ARTICLE, id=2))
    first, second = with_fragments([linked, other], {1: article})
    assert first.fragment == TextFragment("Keepers light the lamp at dusk.")
    assert dataclasses.replace(first, fragment=None) == linked
    assert second == other


def test_a_result_carries_its_passage_offset_heading_and_cuts() -> None:
    """A piece cut at its start, at offset 500 under a heading: the result says all three."""
    text = "we are stronger when flanked by allies"
    row = StoredPassage(7, text, 500, ((0, len(text)),), ARTICLE, (CUT_START,), "Coalitions")
    found = Candidates([Hit(7, 1.0)], {"alli": 1.0}, {"alli"})
    result = rerank(found, {7: row}, ["alli"], Analyzer(), RankSettings(), 1)[0]
    assert (result.passage_start, result.heading, result.quote_cut) == (
        500,
        "Coalitions",
        (True, False),
    )


def test_the_words_of_a_passages_heading_count_as_its_own() -> None:
    """A passage holding the question's words only in its heading covers the question, and
    the heading's words stand side by side for the question's word pairs."""
    text = "citebot ranks passages with BM25."
    row = StoredPassage(8, text, 0, ((0, len(text)),), ARTICLE, (0,), "How answers are found")
    weights = {"answer": 1.0, "found": 1.0}
    found = Candidates([Hit(8, 1.0)], weights, set(weights))
    results = rerank(found, {8: row}, ["answer", "found"], Analyzer(), RankSettings(), 1)
    assert [r.quote for r in results] == [text]
    assert results[0].score == pytest.approx(1.0 + 0.6 * (0.0 + 1.0))
    bare = {8: dataclasses.replace(row, heading=None)}
    assert rerank(found, bare, ["answer", "found"], Analyzer(), RankSettings(), 1) == []


def test_a_result_built_without_them_has_no_cuts_heading_offset_or_fragment() -> None:
    """What a caller leaves out: a quote cut nowhere, no heading, the passage at the article's
    start, no fragment."""
    result = Result(1, 1.0, ARTICLE, "Otters.", 0, 7, ())
    assert (result.quote_cut, result.heading, result.passage_start, result.fragment) == (
        (False, False),
        None,
        0,
        None,
    )


# --- typos ----------------------------------------------------------------------------------


def test_a_term_no_passage_holds_is_read_as_the_held_term_one_edit_away() -> None:
    """'putn' is no term, 'putin' (id 1) is one edit away: searched and weighed as 'putin'."""
    index = _index()
    ids = {"xi": 0, "putin": 1, "biden": 2}
    found = candidates(index, {"xi": (0, 1), "putinn": (None, 1)}, 10, lookup=ids.get)
    assert found.corrected == {"putinn": "putin"}
    assert found.weights == pytest.approx({"xi": math.log(3), "putin": math.log(1.4)})
    assert found.present == {"xi", "putin"}
    assert found.hits == index.search({0: 1, 1: 1}, 10)


def test_a_word_common_in_english_is_not_read_as_a_typo() -> None:
    """'prime' is one edit from the held 'prize' (id 1) but is a word English uses often
    (rarity below 1): it stays unknown, weighing by its rarity. 'prizee' (rarity 1: no such
    word) is still read as 'prize'."""
    ids = {"xi": 0, "prize": 1}
    rarity = {"prime": 0.5, "prizee": 1.0}.__getitem__
    common = candidates(_index(), {"prime": (None, 1)}, 10, lookup=ids.get, rarity=rarity)
    typo = candidates(_index(), {"prizee": (None, 1)}, 10, lookup=ids.get, rarity=rarity)
    assert (common.corrected, common.weights) == ({}, pytest.approx({"prime": math.log(11) / 2}))
    assert typo.corrected == {"prizee": "prize"}


def test_a_typo_of_a_term_the_question_also_holds_adds_to_its_count() -> None:
    """'putin putinn': 'putin' twice."""
    ids = {"putin": 1}
    found = candidates(_index(), {"putin": (1, 1), "putinn": (None, 1)}, 10, lookup=ids.get)
    assert found.weights == pytest.approx({"putin": 2 * math.log(1.4)})


def test_without_a_lookup_nothing_is_corrected() -> None:
    """No lookup of term ids: the unknown term stays unknown, weighing as the rarest."""
    found = candidates(_index(), {"putinn": (None, 1)}, 10)
    assert found.corrected == {}
    assert found.weights == pytest.approx({"putinn": math.log(11)})


def test_reranking_reads_the_questions_typos_as_their_corrections() -> None:
    """The question 'xi jinpin' ('jinpin' corrected to 'jinp'): its pair (xi, jinp) counts."""
    weights = {"xi": 1.0, "jinp": 1.0}
    found = Candidates([Hit(2, 1.0)], weights, set(weights), {"jinpin": "jinp"})
    scored = score_candidates(found, ROWS, ["xi", "jinpin"], Analyzer(), 0.2)
    assert scored[0].features[2] == 1.0


def test_pairs_that_weigh_nothing_give_a_pair_share_of_0() -> None:
    """Two adjacent common words the library lacks weigh 0 each (their rarity): their pair
    weighs 0, and the share is 0, not a division by zero."""
    assert pair_share({("time", "peopl")}, {("time", "peopl"): 0.0}) == 0.0

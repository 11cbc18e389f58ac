"""BM25's parameters and scorers: rank-bm25's classes and defaults, restated over postings.

That the scores equal rank-bm25's is tested with the index in test_postings.py.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from index import bm25
from index.bm25 import BM25Params

REFERENCE = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}

# --- parameters -------------------------------------------------------------------------------


def test_delta_defaults_to_rank_bm25s():
    """delta=None means rank-bm25's own default for the variant."""
    assert bm25.make_scorer(BM25Params(variant="l")).delta == 0.5
    assert bm25.make_scorer(BM25Params(variant="plus")).delta == 1.0


def test_scorers_are_rank_bm25_classes():
    """Each variant's scorer is a subclass of the rank-bm25 class it restates."""
    for variant, cls in REFERENCE.items():
        assert isinstance(bm25.make_scorer(BM25Params(variant=variant)), cls)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"variant": "bm25t"}, "variant"),
        ({"k1": 0}, "k1"),
        ({"b": 1.5}, "b must"),
        ({"epsilon": 0}, "epsilon"),
        ({"variant": "okapi", "delta": 1.0}, "delta applies"),
        ({"variant": "plus", "delta": -1.0}, "delta must"),
    ],
)
def test_bad_params_are_rejected(kwargs: dict[str, Any], error: str):
    """Parameters rank-bm25 would misuse (or that do not apply) raise ValueError."""
    with pytest.raises(ValueError, match=error):
        BM25Params(**kwargs)


# --- defaults -------------------------------------------------------------------------------


def _rank_bm25_default(cls: type, name: str) -> Any:
    return inspect.signature(cls.__init__).parameters[name].default


def test_default_params_are_rank_bm25s_okapi_defaults():
    """BM25Params(): Okapi with k1 1.5, b 0.75, epsilon 0.25, as BM25Okapi's own defaults."""
    params = BM25Params()
    assert (params.variant, params.k1, params.b, params.epsilon, params.delta) == (
        "okapi",
        1.5,
        0.75,
        0.25,
        None,
    )
    for name in ("k1", "b", "epsilon"):
        assert getattr(params, name) == _rank_bm25_default(BM25Okapi, name)


@pytest.mark.parametrize(
    ("scorer", "reference", "expected"),
    [
        (bm25.OkapiScorer, BM25Okapi, {"k1": 1.5, "b": 0.75, "epsilon": 0.25}),
        (bm25.BM25LScorer, BM25L, {"k1": 1.5, "b": 0.75, "delta": 0.5}),
        (bm25.BM25PlusScorer, BM25Plus, {"k1": 1.5, "b": 0.75, "delta": 1.0}),
    ],
)
def test_scorers_default_to_rank_bm25s_parameters(
    scorer: type, reference: type, expected: dict[str, float]
):
    """Each scorer built without arguments has its rank-bm25 class's defaults."""
    built = scorer()
    assert {name: getattr(built, name) for name in expected} == expected
    assert expected == {name: _rank_bm25_default(reference, name) for name in expected}


def test_params_are_immutable_values():
    """BM25Params is frozen: hashable and never changed in place."""
    params = BM25Params()
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.k1 = 2.0  # type: ignore[misc]
    assert hash(params) == hash(BM25Params())


@pytest.mark.parametrize("b", [-0.01, 1.01])
def test_b_outside_zero_to_one_is_rejected(b: float):
    """b is a proportion: below 0 or above 1 raises."""
    with pytest.raises(ValueError, match="b must"):
        BM25Params(b=b)


def test_the_edges_of_the_parameter_ranges_are_accepted():
    """b 0 and 1, a k1 and an epsilon below 1, and delta 0, are valid."""
    assert BM25Params(b=0.0).b == 0.0
    assert BM25Params(b=1.0).b == 1.0
    assert BM25Params(k1=0.5, epsilon=0.01).k1 == 0.5
    assert BM25Params(variant="plus", delta=0.0).delta == 0.0


# --- the scorers' formulas ------------------------------------------------------------------

K1, B = 1.5, 0.75
# A term counted twice in a 4-word passage of a collection whose passages average 2 words:
TF, DOC_LEN, AVGDL = np.array([2.0]), np.array([4.0]), 2.0
NORM = 1 - B + B * 4 / 2  # the length normalisation, 1.75


def _no_average() -> float:
    raise AssertionError("the average IDF is needed only for a negative Okapi IDF")


def test_okapi_raw_idf_is_log_of_absent_over_present():
    """log((N - df + 0.5) / (df + 0.5)): N 5 and df 1, 2, 3."""
    raw = bm25.OkapiScorer.raw_idf(5, np.array([1.0, 2.0, 3.0]))
    assert_allclose(
        raw, [math.log(4.5 / 1.5), math.log(3.5 / 2.5), math.log(2.5 / 3.5)], rtol=1e-12
    )


def test_okapi_average_idf_is_the_mean_over_the_collections_terms():
    """Terms with df 1, 2, 2 and 3 of 5 (id 0 unused): the mean of their four raw IDFs."""
    average = bm25.OkapiScorer().average_idf(5, np.array([0, 1, 2, 2, 3]))
    expected = (math.log(3) + 2 * math.log(1.4) + math.log(2.5 / 3.5)) / 4
    assert average == pytest.approx(expected, rel=1e-12)


def test_okapi_average_idf_of_cancelling_terms_is_exactly_zero():
    """df 1 and 3 of 4: IDFs log(3.5 / 1.5) and its negative average to 0.0, not noise."""
    assert bm25.OkapiScorer().average_idf(4, np.array([1, 3])) == 0.0


def test_okapi_positive_idf_is_the_raw_idf():
    """Where the raw IDF is positive it is used as is, without the average."""
    idf = bm25.OkapiScorer().idf_of(5, np.array([1.0, 2.0]), _no_average)
    assert_allclose(idf, [math.log(3), math.log(1.4)], rtol=1e-12)


def test_okapi_negative_idf_is_epsilon_times_the_average():
    """df 3 and 4 of 5 are negative: rank-bm25's epsilon (0.25) times the average IDF (2.0)."""
    idf = bm25.OkapiScorer().idf_of(5, np.array([1.0, 3.0, 4.0]), lambda: 2.0)
    assert_allclose(idf, [math.log(3), 0.25 * 2.0, 0.25 * 2.0], rtol=1e-12)


def test_okapi_idf_of_zero_or_below_is_the_floor():
    """A raw IDF of exactly 0 (df 2 of 4), or an epsilon share <= 0: epsilon * ln 2."""
    floor = 0.25 * math.log(2)
    assert_allclose(bm25.OkapiScorer().idf_of(4, np.array([2.0]), _no_average), [floor])
    assert_allclose(bm25.OkapiScorer().idf_of(5, np.array([4.0]), lambda: -1.0), [floor])
    assert bm25.OkapiScorer(epsilon=0.5).idf_floor == pytest.approx(0.5 * math.log(2))


def test_okapi_tf_weight_is_rank_bm25s():
    """tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl))."""
    weight = bm25.OkapiScorer().tf_weight(TF, DOC_LEN, AVGDL)
    assert_allclose(weight, [2 * 2.5 / (2 + K1 * NORM)], rtol=1e-12)


def test_bm25l_idf_and_tf_weight_are_rank_bm25s():
    """IDF log(N + 1) - log(df + 0.5); weight tf (k1 + 1) (ctd + delta) / (k1 + ctd + delta)."""
    scorer = bm25.BM25LScorer()
    assert_allclose(scorer.idf_of(5, np.array([2.0]), _no_average), [math.log(6 / 2.5)])
    ctd = 2 / NORM
    expected = 2 * 2.5 * (ctd + 0.5) / (K1 + ctd + 0.5)
    assert_allclose(scorer.tf_weight(TF, DOC_LEN, AVGDL), [expected], rtol=1e-12)


def test_bm25plus_idf_and_tf_weight_are_rank_bm25s():
    """IDF log((N + 1) / df); weight tf (k1 + 1) / (k1 (1 - b + b dl / avgdl) + tf)."""
    scorer = bm25.BM25PlusScorer()
    assert_allclose(scorer.idf_of(5, np.array([2.0]), _no_average), [math.log(3)])
    assert_allclose(scorer.tf_weight(TF, DOC_LEN, AVGDL), [2 * 2.5 / (K1 * NORM + 2)])


def test_only_bm25plus_weighs_a_term_a_passage_lacks():
    """Okapi and BM25L give nothing for an absent term; BM25Plus gives delta per unit of IDF."""
    assert bm25.OkapiScorer().absent_weight == 0.0
    assert bm25.BM25LScorer().absent_weight == 0.0
    assert bm25.BM25PlusScorer().absent_weight == 1.0
    assert bm25.BM25PlusScorer(delta=0.3).absent_weight == 0.3


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_a_terms_score_per_passage_is_rank_bm25s(variant: Any):
    """idf * tf_weight (+ idf * absent_weight) equals rank-bm25's score for each passage."""
    docs = [["a", "b"], ["a", "a", "c"], ["d"], ["e", "e", "e", "f"], ["g"]]
    params = BM25Params(variant=variant, k1=1.2, b=0.6)
    scorer = bm25.make_scorer(params)
    kwargs = {"k1": 1.2, "b": 0.6}
    reference = REFERENCE[variant](docs, **kwargs)
    lengths = np.array([len(d) for d in docs], np.float64)
    tf = np.array([d.count("a") for d in docs], np.float64)
    idf = scorer.idf_of(len(docs), np.array([2.0]), _no_average)[0]  # "a" is in 2 of 5
    expected = reference.get_scores(["a"])
    got = idf * scorer.tf_weight(tf, lengths, lengths.mean()) + idf * scorer.absent_weight
    assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_weights_from_each_passages_length_norm_are_the_formulas_to_the_bit(variant: Any):
    """Each passage's length norm computed once for all passages, then read for the postings,
    gives exactly the weights of rank-bm25's expression over the postings' passage lengths."""
    rng = np.random.default_rng(5)
    lens = rng.integers(1, 400, 1000).astype(np.float64)
    avgdl = float(lens.mean())
    slots = rng.integers(0, lens.size, 5000)
    tf = rng.integers(1, 30, slots.size).astype(np.float64)
    k1, b, delta = 0.6, 0.45, 0.5
    dl = lens[slots]
    expected = {
        "okapi": lambda: tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)),
        "l": lambda: (
            tf
            * (k1 + 1)
            * (tf / (1 - b + b * dl / avgdl) + delta)
            / (k1 + tf / (1 - b + b * dl / avgdl) + delta)
        ),
        "plus": lambda: tf * (k1 + 1) / (k1 * (1 - b + b * dl / avgdl) + tf),
    }[variant]()
    scorer = bm25.make_scorer(BM25Params(variant=variant, k1=k1, b=b))
    got = scorer.tf_weight_normed(tf, scorer.length_norm(lens, avgdl)[slots])
    assert np.array_equal(got, expected)
    assert np.array_equal(scorer.tf_weight(tf, dl, avgdl), expected)


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
@pytest.mark.parametrize("longest", [bm25.TfWeights.TABLED, bm25.TfWeights.TABLED + 1])
@pytest.mark.parametrize("slots", [1000, bm25.TfWeights.TABLE_FROM])
def test_tf_weights_are_the_length_norms_weights_to_the_bit(variant: Any, longest: int, slots: int):
    """`TfWeights` gives each posting exactly the weight of its passage's length norm: read from
    the table of every (count, length) pair in a large collection where no passage is longer than
    `TABLED`, from each passage's norm otherwise."""
    rng = np.random.default_rng(11)
    lens = rng.integers(1, longest + 1, slots).astype(np.float64)
    lens[0] = longest
    avgdl = float(lens.mean())
    slots = rng.integers(0, lens.size, 5000)
    tfs = np.minimum(rng.integers(1, 40, slots.size), lens[slots]).astype(np.uint16)
    scorer = bm25.make_scorer(BM25Params(variant=variant, k1=0.9, b=0.4))
    norms = scorer.length_norm(lens, avgdl)
    expected = scorer.tf_weight_normed(tfs.astype(np.float64), norms[slots])
    assert np.array_equal(bm25.TfWeights(scorer, lens, avgdl)(tfs, slots), expected)


def test_a_small_collection_keeps_no_weight_table():
    """A collection of fewer than `TABLE_FROM` slots weighs its postings from the norms (8 bytes
    a slot) rather than a 512 KB table: a bot holds thousands of small collections."""
    scorer = bm25.make_scorer(BM25Params())
    small = np.full(bm25.TfWeights.TABLE_FROM - 1, 50.0)
    large = np.full(bm25.TfWeights.TABLE_FROM, 50.0)
    assert bm25.TfWeights(scorer, small, 50.0)._table.size == 0
    assert bm25.TfWeights(scorer, large, 50.0)._table.size == 65_536


def test_make_scorer_passes_every_parameter():
    """The scorer has the variant's class and the parameters given."""
    okapi = bm25.make_scorer(BM25Params(k1=1.2, b=0.5, epsilon=0.1))
    assert (type(okapi), okapi.k1, okapi.b, okapi.epsilon) == (bm25.OkapiScorer, 1.2, 0.5, 0.1)
    for variant, cls in [("l", bm25.BM25LScorer), ("plus", bm25.BM25PlusScorer)]:
        scorer = bm25.make_scorer(BM25Params(variant=variant, k1=1.2, b=0.5, delta=0.3))
        assert (type(scorer), scorer.k1, scorer.b, scorer.delta) == (cls, 1.2, 0.5, 0.3)


def test_the_scorers_refuse_rank_bm25s_corpus_methods():
    """get_scores, get_batch_scores and get_top_n point to PassageIndex instead."""
    scorer = bm25.OkapiScorer()
    for call in (
        lambda: scorer.get_scores(["a"]),
        lambda: scorer.get_batch_scores(["a"], [0]),
        lambda: scorer.get_top_n(["a"], []),
    ):
        with pytest.raises(NotImplementedError, match="PassageIndex"):
            call()

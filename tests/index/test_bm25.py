"""BM25's parameters and scorers: rank-bm25's classes and defaults, restated over postings.

That the scores equal rank-bm25's is tested with the index in test_postings.py.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest
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
    """b 0 and 1, and delta 0, are valid."""
    assert BM25Params(b=0.0).b == 0.0
    assert BM25Params(b=1.0).b == 1.0
    assert BM25Params(variant="plus", delta=0.0).delta == 0.0

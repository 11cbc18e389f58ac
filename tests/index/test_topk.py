"""A large collection's top k (index.topk): the same hits and scores, to the bit, as scoring every
posting, while reading fewer postings."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from index import arrays, topk
from index.bm25 import BM25Params
from index.postings import PassageIndex
from tests.index.test_postings import (
    WORDS,
    Doc,
    build,
    docs_st,
    encode,
    encode_query,
    params_st,
    query_st,
)


def every_posting(index: PassageIndex, query: Doc, k: int) -> list[object]:
    """The search as it runs without `topk` (every posting of the query's terms scored)."""
    with mock.patch.object(topk, "PRUNE_SLOTS", 2**62):
        return list(index.search(encode_query(query), k))


@pytest.fixture(autouse=True)
def always_pruned() -> Iterator[None]:
    """`topk` for every question, however small the collection."""
    with mock.patch.object(topk, "PRUNE_SLOTS", 0), mock.patch.object(topk, "PRUNE_FROM", 0):
        yield


@pytest.mark.parametrize("scan_below", [0, 10**9])
@pytest.mark.parametrize("dense_from", [0, 2**62])
@pytest.mark.parametrize("summing", ["sort", "bincount"])
@given(
    params=params_st,
    docs=docs_st,
    query=query_st,
    k=st.integers(1, 14),
    removed=st.sets(st.integers(0, 11)),
    added=st.lists(st.lists(st.sampled_from(WORDS), max_size=8), max_size=4),
)
def test_the_top_k_is_exactly_that_of_every_posting(
    scan_below: int,
    dense_from: int,
    summing: str,
    params: BM25Params,
    docs: list[Doc],
    query: Doc,
    k: int,
    removed: set[int],
    added: list[Doc],
) -> None:
    """Hits and scores equal, to the bit, those of scoring every posting: loaded, removed (dead
    postings) and added since (the delta) alike; the candidates merged or summed per slot, the
    terms left scanned or looked up."""
    assume(any(docs))
    index = build(params, list(range(len(docs))), docs, bulk=True)
    index.remove(removed)
    for n, doc in enumerate(added):
        if doc:
            index.add(100 + n, *encode(doc))
    with (
        mock.patch.object(arrays, "SORT_BELOW", 10**9 if summing == "sort" else 0),
        mock.patch.object(topk, "DENSE_FROM", dense_from),
        mock.patch.object(topk, "SCAN_BELOW", scan_below),
    ):
        assert index.search(encode_query(query), k) == every_posting(index, query, k)


def test_common_terms_are_read_only_where_a_candidate_is() -> None:
    """A question's rare term decides its top k: the common term's postings (in every passage)
    are not all read, and the hits are those of reading them all."""
    docs = [["a", "b"] if i % 100 == 0 else ["a", "c", "d"] for i in range(2000)]
    index = build(BM25Params(), list(range(2000)), docs, bulk=True)
    before = index.postings_read
    hits = index.search(encode_query(["a", "b"]), 5)
    read = index.postings_read - before
    assert hits == every_posting(index, ["a", "b"], 5)
    assert read < 2000  # "a" alone has 2,000 postings, "b" 20


def test_a_question_leaves_the_candidates_flags_down() -> None:
    """The terms left after those read whole are scanned against flags on the candidates' slots
    (`topk.Marks`): a question lowers every flag it raised, so the next one starts clean."""
    docs = [["a", "b"] if i % 10 == 0 else ["a", "c"] if i % 3 else ["b", "d"] for i in range(3000)]
    index = build(BM25Params(), list(range(3000)), docs, bulk=True)
    for query in (["a", "b"], ["b", "c", "d"], ["a", "d"]):
        assert index.search(encode_query(query), 3) == every_posting(index, query, 3)
        assert not index._marks.flags.any()
    assert index._marks.flags.size >= 1  # the flags were used


def test_a_question_leaves_the_sums_per_slot_at_zero() -> None:
    """Candidates summed per slot (`topk.Marks.summing`): a question sets every sum it added
    to back to 0, so the next one starts clean."""
    docs = [["a", "b"] if i % 10 == 0 else ["a", "c"] if i % 3 else ["b", "d"] for i in range(3000)]
    index = build(BM25Params(), list(range(3000)), docs, bulk=True)
    with mock.patch.object(topk, "DENSE_FROM", 0):
        for query in (["a", "b"], ["b", "c", "d"], ["a", "d"], ["c", "d"]):
            assert index.search(encode_query(query), 3) == every_posting(index, query, 3)
            assert not index._marks.sums.any()
    assert index._marks.sums.size >= 3000  # the sums were used


def test_a_collection_too_small_for_topk_makes_no_sums_per_slot() -> None:
    """The sums per slot (8 bytes a slot) are made only for a collection large enough for
    `topk`: a bot's many small collections do not each hold them."""
    docs = [["a", "b"] if i % 10 == 0 else ["a", "c"] for i in range(3000)]
    index = build(BM25Params(), list(range(3000)), docs, bulk=True)
    with mock.patch.object(topk, "PRUNE_SLOTS", 3001), mock.patch.object(topk, "DENSE_FROM", 0):
        index.search(encode_query(["a", "b", "c"]), 3)
    assert index._marks.sums.size == 0


def test_weights_too_small_for_float32_sums_are_merged_instead() -> None:
    """Sums per slot are float32, within `topk.MARGIN` of exact for weights of at least
    `topk.SMALLEST`; a question with a smaller weight (a term in most passages, Okapi with a
    tiny epsilon) is merged in float64 instead, with the same hits as every posting's."""
    docs = [["a", "b"] if i % 10 == 0 else ["a", "c"] for i in range(3000)]
    index = build(BM25Params(epsilon=1e-40), list(range(3000)), docs, bulk=True)
    with (
        mock.patch.object(topk, "DENSE_FROM", 0),
        mock.patch.object(topk, "_candidates", wraps=topk._candidates) as tried,
    ):
        hits = index.search(encode_query(["a", "b", "c"]), 3)
    assert hits == every_posting(index, ["a", "b", "c"], 3)
    assert [call.args[4][1] for call in tried.call_args_list] == [True, False]


def test_a_candidate_probed_again_is_not_looked_up_again() -> None:
    """A probe scores its candidates in full for a threshold (`topk.Scored`): a full score does
    not change as more terms are read, so a candidate probed before is not looked up again,
    and the threshold is the k-th best of every candidate scored."""
    slots = np.arange(0, 40, 2, dtype=np.int32)
    rest = [topk.Part(0, ((slots, np.ones(slots.size, np.uint16)),), 1.0)]
    weighed: list[int] = []

    def weigh(part: topk.Part, piece: int, at: np.ndarray | None) -> np.ndarray:
        weighed.append(slots.size if at is None else at.size)
        return np.ones(slots.size if at is None else at.size)

    scored = topk.Scored()
    first = np.array([2, 4, 5], np.int32)
    assert scored.reached(first, np.array([3.0, 1.0, 2.0]), rest, 2, weigh) == 2.0
    assert weighed == [2]  # slots 2 and 4 hold the term left
    again = np.array([4, 5, 6], np.int32)
    assert scored.reached(again, np.array([1.0, 2.0, 5.0]), rest, 2, weigh) == 4.0
    assert weighed == [2, 1]  # only slot 6 is new

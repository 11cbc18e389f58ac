"""A large collection's top k (index.topk): the same hits and scores, to the bit, as scoring every
posting, while reading fewer postings."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

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
    summing: str,
    params: BM25Params,
    docs: list[Doc],
    query: Doc,
    k: int,
    removed: set[int],
    added: list[Doc],
) -> None:
    """Hits and scores equal, to the bit, those of scoring every posting: loaded, removed (dead
    postings) and added since (the delta) alike."""
    assume(any(docs))
    index = build(params, list(range(len(docs))), docs, bulk=True)
    index.remove(removed)
    for n, doc in enumerate(added):
        if doc:
            index.add(100 + n, *encode(doc))
    with mock.patch.object(arrays, "SORT_BELOW", 10**9 if summing == "sort" else 0):
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

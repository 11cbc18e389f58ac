"""PassageIndex against rank-bm25 itself, plus the behaviours rank-bm25 does not define.

The deliberate departure from rank-bm25 is the Okapi IDF floor: wherever the Okapi IDF rank-bm25
would use is <= 0, PassageIndex uses ``epsilon * ln 2``. The equality tests therefore compare with
rank-bm25 after putting that floor into its ``idf`` table (a no-op whenever no query term has an
IDF <= 0, i.e. an exact comparison with unmodified rank-bm25 there), and the floor itself is
asserted separately. (rank-bm25 also gives NaN, 0 / 0, to a passage without terms when b = 1; there
PassageIndex gives what any passage lacking the query terms gets.)
"""

from __future__ import annotations

import gc
import itertools
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from index import arrays, postings
from index.bm25 import BM25Params
from index.postings import Hit, PassageIndex

RTOL = 1e-12
# rank-bm25 sums the Okapi IDFs with plain float additions: where their true mean is 0 it can come
# out as +-1e-17 (PassageIndex sums exactly). Such an IDF counts as 0, i.e. gets the floor.
NOISE = 1e-12
REFERENCE = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}
WORDS = [chr(c) for c in range(ord("a"), ord("j"))]  # small vocabulary: many shared terms
UNKNOWN = ["zz", "yy"]  # never in a passage
VOCAB = {w: i * 3 + 1 for i, w in enumerate(WORDS + UNKNOWN)}  # sparse ids, not 0..n-1

Doc = list[str]


# --- helpers ----------------------------------------------------------------------------------


def encode(doc: Doc) -> tuple[np.ndarray, np.ndarray]:
    counts = Counter(VOCAB[w] for w in doc)
    return np.array(list(counts), np.int32), np.array(list(counts.values()), np.int32)


def encode_query(query: Doc) -> dict[int, int]:
    return dict(Counter(VOCAB[w] for w in query))


def build(params: BM25Params, ids: Sequence[int], docs: Sequence[Doc], *, bulk: bool) -> Any:
    index = PassageIndex(params)
    encoded = [encode(d) for d in docs]
    if bulk:
        index.load(list(ids), [t for t, _ in encoded], [c for _, c in encoded])
    else:
        for doc_id, (terms, counts) in zip(ids, encoded, strict=True):
            index.add(doc_id, terms, counts)
    return index


def reference(params: BM25Params, docs: Sequence[Doc]) -> Any:
    """rank-bm25 on ``docs``, with the Okapi IDF floor (the documented departure) put in."""
    kwargs: dict[str, float] = {"k1": params.k1, "b": params.b}
    if params.variant == "okapi":
        kwargs["epsilon"] = params.epsilon
    elif params.delta is not None:
        kwargs["delta"] = params.delta
    ref = REFERENCE[params.variant](list(docs), **kwargs)
    if params.variant == "okapi":
        for word, idf in ref.idf.items():
            if idf <= NOISE:
                ref.idf[word] = params.epsilon * math.log(2)
    return ref


def expected_scores(params: BM25Params, docs: Sequence[Doc], query: Doc) -> np.ndarray:
    """rank-bm25's get_scores (with the Okapi floor); an empty passage when b = 1, for which
    rank-bm25 computes 0 / 0 = NaN, scores like any passage lacking every query term."""
    ref = reference(params, docs)
    with np.errstate(invalid="ignore"):
        expected = np.asarray(ref.get_scores(query), np.float64)
    empty = np.array([not d for d in docs])
    if params.b == 1 and empty.any():
        assert np.isnan(expected[empty]).all()
        absent = ref.delta if params.variant == "plus" else 0.0
        expected[empty] = sum(ref.idf.get(w, 0.0) * absent for w in query)
    return expected


def assert_matches_reference(index: PassageIndex, ids: list[int], docs: list[Doc], query: Doc):
    got_ids, got = index.scores(encode_query(query))
    assert got_ids.tolist() == ids
    assert_allclose(got, expected_scores(index.params, docs, query), rtol=RTOL, atol=0)


def assert_search_matches_reference(
    index: PassageIndex, ids: list[int], docs: list[Doc], query: Doc, k: int
):
    expected = dict(zip(ids, expected_scores(index.params, docs, query), strict=True))
    candidates = {i for i, d in zip(ids, docs, strict=True) if set(d) & set(query)}
    hits = index.search(encode_query(query), k)
    assert len(hits) == min(k, len(candidates))
    assert {h.doc_id for h in hits} <= candidates
    for hit in hits:
        assert hit.score == pytest.approx(expected[hit.doc_id], rel=RTOL)
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    if hits:  # nothing left out scores above the last hit
        left_out = candidates - {h.doc_id for h in hits}
        assert all(expected[d] <= hits[-1].score * (1 + RTOL) for d in left_out)


# --- strategies -------------------------------------------------------------------------------

docs_st = st.lists(st.lists(st.sampled_from(WORDS), max_size=8), min_size=1, max_size=12)
query_st = st.lists(st.sampled_from(WORDS + UNKNOWN), min_size=1, max_size=6)
params_st = st.builds(
    lambda variant, k1, b, epsilon, delta: BM25Params(
        variant=variant,
        k1=k1,
        b=b,
        epsilon=epsilon,
        delta=None if variant == "okapi" else delta,
    ),
    st.sampled_from(["okapi", "l", "plus"]),
    st.floats(0.1, 3.0, allow_subnormal=False),
    st.floats(0.0, 1.0, allow_subnormal=False),
    st.floats(0.05, 1.0, allow_subnormal=False),
    st.none() | st.floats(0.0, 2.0, allow_subnormal=False),
)


def changes_st(min_size: int, max_size: int) -> st.SearchStrategy[list[tuple[bool, Doc, int]]]:
    """Changes for `_change`: add (else remove), the passage to add, which live one to remove."""
    change = st.tuples(st.booleans(), st.lists(st.sampled_from(WORDS), max_size=8), st.integers())
    return st.lists(change, min_size=min_size, max_size=max_size)


def doc_ids_st(n: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n, unique=True)


def has_terms(docs: Sequence[Doc]) -> bool:
    return any(docs)  # rank-bm25 divides by zero on a corpus without a single term


# --- equality with rank-bm25 ------------------------------------------------------------------


@pytest.mark.parametrize("summing", ["sort", "bincount"])
@settings(max_examples=300)
@given(params=params_st, docs=docs_st, query=query_st, data=st.data())
def test_scores_equal_rank_bm25(
    summing: str, params: BM25Params, docs: list[Doc], query: Doc, data: st.DataObject
):
    """scores() equals rank-bm25's get_scores for every variant (Okapi with the IDF floor)."""
    assume(has_terms(docs))
    ids = data.draw(doc_ids_st(len(docs)))
    sort_below = 10**9 if summing == "sort" else 0
    with mock.patch.object(arrays, "SORT_BELOW", sort_below):
        assert_matches_reference(build(params, ids, docs, bulk=True), ids, docs, query)


@given(params=params_st, docs=docs_st, query=query_st, k=st.integers(1, 14))
def test_search_ranks_like_rank_bm25(params: BM25Params, docs: list[Doc], query: Doc, k: int):
    """search() returns rank-bm25's top k among the passages containing a query term."""
    assume(has_terms(docs))
    ids = list(range(100, 100 + len(docs)))
    assert_search_matches_reference(build(params, ids, docs, bulk=True), ids, docs, query, k)


@given(params=params_st, docs=docs_st, query=query_st, data=st.data())
def test_incremental_adds_equal_bulk_load(
    params: BM25Params, docs: list[Doc], query: Doc, data: st.DataObject
):
    """Adding passages one by one, or loading them in batches, scores as one bulk load."""
    assume(has_terms(docs))
    ids = list(range(len(docs)))
    bulk = build(params, ids, docs, bulk=True).scores(encode_query(query))
    added = build(params, ids, docs, bulk=False).scores(encode_query(query))
    cut = data.draw(st.integers(0, len(docs)))
    batched = build(params, ids[:cut], docs[:cut], bulk=True)
    rest = [encode(d) for d in docs[cut:]]
    batched.load(ids[cut:], [t for t, _ in rest], [c for _, c in rest])
    for other in (added, batched.scores(encode_query(query))):
        assert other[0].tolist() == bulk[0].tolist()
        assert_allclose(other[1], bulk[1], rtol=RTOL, atol=0)


@settings(max_examples=300)
@given(params=params_st, docs=docs_st, query=query_st, data=st.data())
def test_scores_equal_rank_bm25_after_removals(
    params: BM25Params, docs: list[Doc], query: Doc, data: st.DataObject
):
    """After removals, scores equal rank-bm25 built on the remaining passages."""
    ids = list(range(len(docs)))
    index = build(params, ids, docs, bulk=True)
    gone = data.draw(st.sets(st.sampled_from(ids)))
    index.remove([*gone, 10_000])  # an unknown id is ignored
    kept = [i for i in ids if i not in gone]
    kept_docs = [docs[i] for i in kept]
    assert len(index) == len(kept)
    if has_terms(kept_docs):
        assert_matches_reference(index, kept, kept_docs, query)
        assert_search_matches_reference(index, kept, kept_docs, query, 5)
    else:
        assert index.search(encode_query(query), 5) == []


@settings(max_examples=300)
@given(
    params=params_st,
    first=docs_st,
    later=changes_st(0, 25),
    query=query_st,
)
def test_scores_equal_rank_bm25_after_any_adds_and_removes(
    params: BM25Params, first: list[Doc], later: list[tuple[bool, Doc, int]], query: Doc
):
    """Any sequence of loads, adds and removes (compactions included) keeps rank-bm25's scores."""
    live: dict[int, Doc] = dict(enumerate(first))  # insertion order = rank-bm25's corpus order
    index = build(params, list(live), list(live.values()), bulk=True)
    next_id = len(first)
    for change in later:
        next_id = _change(index, live, next_id, change)
    assert len(index) == len(live)
    if has_terms(list(live.values())):
        assert_matches_reference(index, list(live), list(live.values()), query)


@settings(max_examples=200)
@given(
    params=params_st,
    first=docs_st,
    later=changes_st(1, 10),
    query=query_st,
)
def test_scores_asked_between_changes_equal_rank_bm25(
    params: BM25Params, first: list[Doc], later: list[tuple[bool, Doc, int]], query: Doc
):
    """What a question derives (IDFs, each passage's length norm) is forgotten at each change:
    asked before and after every add and remove (compactions included), rank-bm25's scores."""
    live: dict[int, Doc] = dict(enumerate(first))
    index = build(params, list(live), list(live.values()), bulk=True)
    next_id = len(first)
    for change in later:
        if has_terms(list(live.values())):
            assert_matches_reference(index, list(live), list(live.values()), query)
        next_id = _change(index, live, next_id, change)
    if has_terms(list(live.values())):
        assert_matches_reference(index, list(live), list(live.values()), query)


def _change(
    index: PassageIndex, live: dict[int, Doc], next_id: int, change: tuple[bool, Doc, int]
) -> int:
    """One add (of `next_id`) or removal of a live passage, done to `index` and `live`; the
    next id to add."""
    is_add, doc, pick = change
    if is_add or not live:
        index.add(next_id, *encode(doc))
        live[next_id] = doc
        return next_id + 1
    victim = list(live)[pick % len(live)]
    index.remove([victim])
    del live[victim]
    return next_id


# --- the Okapi IDF floor (the departure) ------------------------------------------------------


@settings(max_examples=300)
@given(
    docs=docs_st,
    query=query_st,
    k1=st.floats(0.1, 3.0, allow_subnormal=False),
    b=st.floats(0.0, 1.0, allow_subnormal=False),
    epsilon=st.floats(0.05, 1.0, allow_subnormal=False),
)
def test_okapi_equals_unmodified_rank_bm25_where_no_floor_applies(
    docs: list[Doc], query: Doc, k1: float, b: float, epsilon: float
):
    """Passages holding no floored query term score exactly as in unmodified rank-bm25."""
    assume(has_terms(docs))
    ref = BM25Okapi(docs, k1=k1, b=b, epsilon=epsilon)
    floored = {w for w in query if w in ref.idf and ref.idf[w] <= NOISE}
    compared = np.array([not (floored & set(d)) and (bool(d) or b < 1) for d in docs])
    index = build(BM25Params(k1=k1, b=b, epsilon=epsilon), range(len(docs)), docs, bulk=True)
    got = index.scores(encode_query(query))[1]
    with np.errstate(invalid="ignore"):  # rank-bm25's 0 / 0 for empty passages when b = 1
        expected = ref.get_scores(query)
    assert_allclose(got[compared], expected[compared], rtol=RTOL, atol=0)


@given(docs=docs_st, epsilon=st.floats(0.05, 1.0, allow_subnormal=False))
def test_okapi_idf_is_rank_bm25s_where_positive_else_the_floor(docs: list[Doc], epsilon: float):
    """idf() is rank-bm25's Okapi IDF where that is > 0, and epsilon * ln 2 where it is <= 0."""
    assume(has_terms(docs))
    index = build(BM25Params(epsilon=epsilon), range(len(docs)), docs, bulk=True)
    ref = BM25Okapi(docs, epsilon=epsilon)
    for word, idf in ref.idf.items():
        expected = idf if idf > NOISE else epsilon * math.log(2)
        assert index.idf(VOCAB[word]) == pytest.approx(expected, rel=RTOL)


# Tiny collections where rank-bm25 scores the obvious match 0 or less (asserted below).
TINY = [
    pytest.param([["cat", "sat"]], ["cat"], 0, id="1 passage"),
    pytest.param([["cat", "sat"], ["dog", "ran"]], ["cat"], 0, id="2 passages"),
    pytest.param([["bird"], ["cat", "dog"], ["cat", "dog"]], ["cat", "dog"], 1, id="3 passages"),
]


@pytest.mark.parametrize(("docs", "query", "match"), TINY)
def test_tiny_collection_ranks_the_obvious_match_first(docs: list[Doc], query: Doc, match: int):
    """Departure: with 1-3 passages rank-bm25 scores a match <= 0; here it ranks first, > 0."""
    assert BM25Okapi(docs).get_scores(query)[match] <= 0  # what we depart from
    words = {w for d in docs for w in d}
    vocab = {w: i for i, w in enumerate(sorted(words))}
    index = PassageIndex()
    for doc_id, doc in enumerate(docs):
        counts = Counter(vocab[w] for w in doc)
        index.add(doc_id, np.array(list(counts)), np.array(list(counts.values())))
    hits = index.search(dict(Counter(vocab[w] for w in query)), 3)
    assert hits[0].doc_id == match
    assert all(h.score > 0 for h in hits)


def test_tiny_collection_more_matched_terms_rank_higher():
    """Departure: in a 3-passage collection two matched terms outrank one, both above 0."""
    docs = [["bird", "eel"], ["cat", "fish"], ["cat", "dog"]]
    vocab = {"bird": 0, "eel": 1, "cat": 2, "fish": 3, "dog": 4}
    index = PassageIndex()
    for doc_id, doc in enumerate(docs):
        index.add(doc_id, np.array([vocab[w] for w in doc]), np.ones(2, np.int64))
    hits = index.search({vocab["cat"]: 1, vocab["dog"]: 1}, 3)
    assert [h.doc_id for h in hits] == [2, 1]
    assert hits[0].score > hits[1].score > 0


# --- search behaviour -------------------------------------------------------------------------


def small_index(params: BM25Params | None = None) -> PassageIndex:
    docs = [["a", "b"], ["c"], ["a", "a", "d"], ["e", "f", "g"], ["b"]]
    return build(params or BM25Params(), [10, 20, 30, 40, 50], docs, bulk=True)


def test_empty_index_returns_nothing():
    """An empty index answers [] and empty scores, without an exception."""
    index = PassageIndex()
    assert index.search({1: 1}, 5) == []
    ids, scores = index.scores({1: 1})
    assert ids.size == scores.size == 0
    assert index.idf(1) == 0.0
    assert len(index) == 0


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_unknown_terms_return_nothing(variant: Any):
    """A query whose terms are all unknown (or out of range) returns []."""
    index = small_index(BM25Params(variant=variant))
    assert index.search(encode_query(["zz", "yy"]), 5) == []
    assert index.search({10**6: 1, -3: 2}, 5) == []
    assert index.search({}, 5) == []
    assert index.idf(VOCAB["zz"]) == 0.0


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_search_returns_only_passages_with_a_query_term(variant: Any):
    """Passages without a query term are never returned (even with BM25Plus's constant)."""
    hits = small_index(BM25Params(variant=variant)).search(encode_query(["a", "zz"]), 10)
    assert sorted(h.doc_id for h in hits) == [10, 30]


def test_search_respects_k():
    """At most k hits, the best ones; k <= 0 gives []."""
    index = small_index()
    query = encode_query(["a", "b", "c"])
    everything = index.search(query, 10)
    assert len(everything) == 4
    assert index.search(query, 2) == everything[:2]
    assert index.search(query, 0) == []


def test_ties_are_broken_by_smaller_doc_id():
    """Equal scores come out by ascending doc_id, whatever the insertion order."""
    ids = [7, -3, 42, 0, 15]
    index = build(BM25Params(), ids, [["a", "b"]] * 5, bulk=False)
    index.add(99, *encode(["c"]))
    hits = index.search(encode_query(["a"]), 3)
    assert [h.doc_id for h in hits] == [-3, 0, 7]
    assert len({h.score for h in hits}) == 1


def test_repeated_query_terms_count_per_occurrence():
    """A term occurring twice in the question counts twice, as in rank-bm25's query list."""
    index = small_index(BM25Params(variant="plus"))
    once = dict(zip(*index.scores(encode_query(["a", "b"])), strict=True))
    twice = dict(zip(*index.scores(encode_query(["a", "a", "b"])), strict=True))
    a_only = dict(zip(*index.scores(encode_query(["a"])), strict=True))
    for doc_id, score in once.items():
        assert twice[doc_id] == pytest.approx(score + a_only[doc_id], rel=RTOL)


def test_hits_are_plain_python_values():
    """Hits carry Python ints and floats, not numpy scalars."""
    hit = small_index().search(encode_query(["a"]), 1)[0]
    assert isinstance(hit, Hit)
    assert type(hit.doc_id) is int
    assert type(hit.score) is float


# --- updates ----------------------------------------------------------------------------------


def test_membership_and_length_follow_adds_and_removes():
    """len() and `in` reflect the live passages; unknown or odd ids are ignored."""
    index = small_index()
    assert len(index) == 5
    assert 30 in index
    index.remove([30, 31, 30])
    assert 30 not in index
    assert [] not in index
    assert len(index) == 4
    index.add(30, *encode(["a"]))
    assert 30 in index
    assert index.scores({})[0].tolist() == [10, 20, 40, 50, 30]  # re-added goes last


def test_adding_a_present_id_raises():
    """A passage id can be in the index only once."""
    index = small_index()
    with pytest.raises(ValueError, match="already"):
        index.add(10, *encode(["a"]))
    with pytest.raises(ValueError, match="already"):
        index.load([99, 10], [np.array([1]), np.array([1])], [np.array([1]), np.array([1])])


@pytest.mark.parametrize(
    ("term_ids", "tfs", "error"),
    [
        ([1, 1], [1, 2], "repeats a term id"),
        ([1, 2], [1], "differ in length"),
        ([-1], [1], "term ids must be"),
        ([1], [0], "term counts must be"),
    ],
)
def test_bad_passages_are_rejected_and_leave_the_index_unchanged(
    term_ids: list[int], tfs: list[int], error: str
):
    """Invalid passages raise ValueError, by add or by load, and change nothing."""
    index = small_index()
    before = index.scores(encode_query(["a", "b"]))
    with pytest.raises(ValueError, match=error):
        index.add(99, np.array(term_ids), np.array(tfs))
    with pytest.raises(ValueError, match=error):
        index.load([98, 99], [np.array([1]), np.array(term_ids)], [np.array([1]), np.array(tfs)])
    after = index.scores(encode_query(["a", "b"]))
    assert 99 not in index
    assert 98 not in index
    assert before[0].tolist() == after[0].tolist()
    assert_allclose(after[1], before[1], rtol=0, atol=0)


def test_add_touches_only_the_new_passages_postings():
    """Adding a passage appends to its own terms' delta postings and rebuilds nothing else."""
    ids = list(range(50))
    docs = [[WORDS[i % 9], WORDS[(i * 7) % 9]] for i in ids]
    index = build(BM25Params(), ids, docs, bulk=True)
    grouped = index._postings
    before = {t: len(p) // arrays.POSTING_BYTES for t, p in index._delta.items()}
    with (
        mock.patch.object(PassageIndex, "_compact", side_effect=AssertionError("rebuilt")),
        mock.patch.object(PassageIndex, "_merge_delta", side_effect=AssertionError("merged")),
    ):
        index.add(50, *encode(["a", "b", "a"]))
    assert index._postings is grouped  # the grouped postings are untouched
    grown = {t: len(p) // arrays.POSTING_BYTES - before.get(t, 0) for t, p in index._delta.items()}
    assert {t: n for t, n in grown.items() if n} == {VOCAB["a"]: 1, VOCAB["b"]: 1}
    assert_matches_reference(index, [*ids, 50], [*docs, ["a", "b", "a"]], ["a", "b", "c"])


def test_the_delta_leaves_nothing_for_the_garbage_collector_to_scan():
    """A term new since the last merge holds its postings in an object the collector does not
    track (an `array.array` is tracked: thousands of them brought on full collections)."""
    ids = list(range(50))
    index = build(BM25Params(), ids, [[WORDS[i % 9]] for i in ids], bulk=True)
    index.add(50, *encode(["a", "b"]))
    index.add(51, *encode(["a", "c"]))
    assert index._delta and not any(gc.is_tracked(p) for p in index._delta.values())


def test_the_delta_is_merged_once_it_outgrows_its_share():
    """Passages added one by one wait in the delta until it holds more than its share; merged,
    they are grouped with the others and the scores do not change."""
    ids = list(range(3000))
    docs = [[WORDS[i % 9], WORDS[(i * 7) % 9], WORDS[(i * 5) % 9]] for i in ids]
    index = build(BM25Params(), ids, docs, bulk=False)
    assert index._postings.slots.size > 0 and index._delta_size <= postings._DELTA_MIN
    assert stored_postings(index) == sum(len(set(d)) for d in docs)
    assert_matches_reference(index, ids, docs, ["a", "i", "c", "c"])


def test_batches_loaded_one_after_another_score_as_one():
    """Start-up's batches are merged into the postings one after another: the scores are
    rank-bm25's over all of them."""
    ids = list(range(10_000))
    docs = [[WORDS[i % 9], WORDS[(i * 7) % 9], WORDS[(i // 3) % 9]] for i in ids]
    index = PassageIndex()
    for start in range(0, len(ids), 2000):
        batch = [encode(d) for d in docs[start : start + 2000]]
        index.load(ids[start : start + 2000], [t for t, _ in batch], [c for _, c in batch])
    assert not index._delta  # every batch merged
    assert_matches_reference(index, ids, docs, ["a", "i", "c", "c"])
    assert stored_postings(index) == sum(len(set(d)) for d in docs)


def test_a_question_reads_only_the_postings_of_its_terms():
    """A search gathers exactly the postings of the question's terms, loaded or added."""
    ids = list(range(60))
    docs = [[WORDS[i % 9], WORDS[(i * 7) % 9]] for i in ids]
    index = build(BM25Params(), ids, docs, bulk=True)
    index.add(60, *encode(["a", "i"]))
    before = index.postings_read
    index.search(encode_query(["a", "c"]), 5)
    expected = sum(("a" in d) + ("c" in d) for d in [*docs, ["a", "i"]])
    assert index.postings_read - before == expected


def test_removing_most_passages_compacts_the_storage():
    """Once dead postings outnumber live ones, they are dropped (and scores stay right)."""
    ids = list(range(40))
    docs = [[WORDS[i % 9], WORDS[(i * 7) % 9], "i"] for i in ids]
    index = build(BM25Params(), ids, docs, bulk=True)
    index.remove(ids[:30])
    assert index._dead_postings == 0
    live_postings = sum(len(set(d)) for d in docs[30:])
    assert stored_postings(index) == live_postings
    assert_matches_reference(index, ids[30:], docs[30:], ["a", "i", "c"])
    index.remove(ids[30:])
    assert len(index) == 0
    assert index.search(encode_query(["a"]), 3) == []
    index.add(7, *encode(["a"]))
    assert [h.doc_id for h in index.search(encode_query(["a"]), 3)] == [7]


def test_load_accepts_empty_passages_and_an_empty_batch():
    """Passages without terms count as documents of length 0; an empty batch is a no-op."""
    index = PassageIndex()
    index.load([], [], [])
    assert len(index) == 0
    docs = [["a"], [], ["b", "a"]]
    index = build(BM25Params(), [1, 2, 3], docs, bulk=True)
    assert_matches_reference(index, [1, 2, 3], docs, ["a"])


# --- edges and limits ---------------------------------------------------------------------


# Five passages over term ids 0..4: df 1 for term 0, 2 for terms 1, 3 and 4, 0 for term 2.
EDGE_DOCS = {1: [0, 1], 2: [1, 4], 3: [3, 4], 4: [3], 5: []}


def edge_index() -> PassageIndex:
    index = PassageIndex()
    for doc_id, terms in EDGE_DOCS.items():
        index.add(doc_id, np.array(terms, np.int64), np.ones(len(terms), np.int64))
    return index


def test_idf_of_the_first_and_last_term_ids():
    """Term 0 (df 1 of 5) has IDF log(4.5 / 1.5); term 4, the last id (df 2), log(3.5 / 2.5)."""
    index = edge_index()
    assert index.idf(0) == pytest.approx(math.log(3), rel=RTOL)
    assert index.idf(4) == pytest.approx(math.log(1.4), rel=RTOL)


def test_idf_outside_the_known_ids_or_of_an_unused_id_is_zero():
    """-1, an id past the last one, and an id in no passage all have IDF 0."""
    index = edge_index()
    past = 5  # the first id no passage has
    assert [index.idf(-1), index.idf(past), index.idf(2)] == [0.0, 0.0, 0.0]


def test_a_negative_term_id_in_a_query_is_unknown():
    """-1 is no term id (not the last one, as a Python index would have it)."""
    assert edge_index().search({-1: 1}, 5) == []


def test_a_query_term_counted_zero_times_is_ignored():
    """Count 0 adds nothing and finds nothing; a negative count is an error."""
    index = edge_index()
    assert index.search({0: 0}, 5) == []
    assert index.search({0: 0, 4: 1}, 5) == index.search({4: 1}, 5)
    with pytest.raises(ValueError, match="negative count"):
        index.search({0: -1}, 5)


@pytest.mark.parametrize(
    ("term_ids", "tfs"),
    [
        ([np.array([1])], [np.array([1]), np.array([1])]),
        ([np.array([1]), np.array([1])], [np.array([1])]),
    ],
    ids=["term_ids short", "tfs short"],
)
def test_load_rejects_one_list_of_the_wrong_length(term_ids: list, tfs: list):
    """One of term_ids and tfs shorter than doc_ids: ValueError, nothing loaded."""
    index = PassageIndex()
    with pytest.raises(ValueError, match="differ in length"):
        index.load([1, 2], term_ids, tfs)
    assert len(index) == 0


def test_a_passage_with_an_int32_max_count_is_scored():
    """A term counted 2**31 - 1 times fits a posting and scores by the Okapi formula."""
    top = 2**31 - 1
    index = PassageIndex()
    index.add(1, np.array([0]), np.array([top]))
    index.add(2, np.array([1]), np.array([1]))
    index.add(3, np.array([1]), np.array([1]))
    idf = math.log(2.5 / 1.5)  # df 1 of 3
    norm = 1.5 * (1 - 0.75 + 0.75 * top / ((top + 2) / 3))
    expected = idf * top * 2.5 / (top + norm)
    assert_allclose(index.scores({0: 1})[1], [expected, 0.0, 0.0], rtol=RTOL, atol=0)


def test_a_passage_with_a_count_past_int32_is_rejected():
    """A count of 2**31 raises, and the index stays empty."""
    index = PassageIndex()
    with pytest.raises(ValueError, match="term counts must be"):
        index.add(1, np.array([0]), np.array([2**31]))
    assert len(index) == 0


def test_the_slot_limit_allows_exactly_max_slot_plus_one_passages():
    """With the limit set to slot 3: four passages fit, the last by add; a fifth raises."""
    with mock.patch.object(postings, "_MAX_SLOT", 3):
        index = PassageIndex()
        index.load([1, 2, 3], [np.array([0])] * 3, [np.array([1])] * 3)
        index.add(4, np.array([0]), np.array([1]))
        with pytest.raises(OverflowError):
            index.add(5, np.array([0]), np.array([1]))
        with pytest.raises(OverflowError):
            index.load([5], [np.array([0])], [np.array([1])])
    assert len(index) == 4


# --- compaction -------------------------------------------------------------------------------


def indexed(docs: dict[int, list[int]], *, bulk: bool = False) -> PassageIndex:
    index = PassageIndex()
    arrays = [np.array(terms, np.int64) for terms in docs.values()]
    if bulk:
        index.load(list(docs), arrays, [np.ones(a.size, np.int64) for a in arrays])
    for doc_id, terms in zip(docs, arrays, strict=True):
        if not bulk:
            index.add(doc_id, terms, np.ones(terms.size, np.int64))
    return index


def stored_postings(index: PassageIndex) -> int:
    return (
        index._postings.slots.size
        + sum(len(p) for p in index._delta.values()) // arrays.POSTING_BYTES
    )


@pytest.mark.parametrize("bulk", [False, True], ids=["added", "loaded"])
def test_as_many_dead_postings_as_live_ones_are_kept(bulk: bool):
    """Removing a 3-term passage of 6 postings leaves 3 dead, 3 live: no compaction yet."""
    index = indexed({1: [0, 1, 2], 2: [3], 3: [4], 4: [5]}, bulk=bulk)
    index.remove([1])
    assert (index._dead_postings, index._alive.size, stored_postings(index)) == (3, 4, 6)
    assert [h.doc_id for h in index.search({0: 1, 3: 1}, 5)] == [2]


@pytest.mark.parametrize("bulk", [False, True], ids=["added", "loaded"])
def test_one_dead_posting_more_than_live_ones_compacts(bulk: bool):
    """Removing a 4-term passage of 7 postings leaves 4 dead, 3 live: dropped, slots renumbered."""
    index = indexed({1: [0, 1, 2, 3], 2: [4], 3: [5], 4: [6]}, bulk=bulk)
    index.remove([1])
    assert (index._dead_postings, index._alive.size, stored_postings(index)) == (0, 3, 3)
    assert dict(index._slot_of.items()) == {2: 0, 3: 1, 4: 2}
    assert [h.doc_id for h in index.search({0: 1, 4: 1, 6: 1}, 5)] == [2, 4]


def test_as_many_dead_passages_as_live_ones_are_kept():
    """Two one-term passages removed of four: 2 dead slots, 2 live: no compaction."""
    index = indexed({1: [0, 1, 2, 3, 4], 2: [5], 3: [6], 4: [7, 8, 9, 10, 11]})
    index.remove([2, 3])
    assert (index._dead_postings, index._alive.size) == (2, 4)


def test_more_dead_passages_than_live_ones_compact():
    """Two one-term passages removed of three: few dead postings, but most slots dead."""
    index = indexed({1: [0, 1, 2, 3, 4], 2: [5], 3: [6]})
    index.remove([2, 3])
    assert (index._dead_postings, index._alive.size, stored_postings(index)) == (0, 1, 5)
    assert [h.doc_id for h in index.search({0: 1, 5: 1}, 5)] == [1]

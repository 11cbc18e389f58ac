"""Start-up's load (`index.loading`): batches held compactly, placed in one pass at the end."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import index.loading
from index.loading import Loading
from index.postings import PassageIndex
from index.store.base import int32_blob

Doc = list[int]  # a passage's term ids, repeats kept

docs_st = st.lists(st.lists(st.integers(0, 40), max_size=10), min_size=1, max_size=30)


def stored(docs: list[Doc]) -> tuple[list[bytes], list[bytes]]:
    """The passages' term ids and counts as the stores keep them."""
    counts = [Counter(doc) for doc in docs]
    return [int32_blob(list(c)) for c in counts], [int32_blob(list(c.values())) for c in counts]


def loaded(ids: list[int], docs: list[Doc], cuts: list[int]) -> PassageIndex:
    """The passages loaded by `Loading`, in batches cut at `cuts`."""
    loading = Loading(PassageIndex())
    terms, counts = stored(docs)
    bounds = [0, *sorted(cuts), len(docs)]
    for start, end in itertools.pairwise(bounds):
        loading.add(ids[start:end], terms[start:end], counts[start:end])
    loading.finish()
    return loading.index


def one_by_one(ids: list[int], docs: list[Doc]) -> PassageIndex:
    index = PassageIndex()
    for doc_id, doc in zip(ids, docs, strict=True):
        counts = Counter(doc)
        index.add(doc_id, np.array(list(counts), np.int32), np.array(list(counts.values())))
    return index


def assert_same_scores(index: PassageIndex, other: PassageIndex, query: dict[int, int]) -> None:
    ours, theirs = index.scores(query), other.scores(query)
    assert ours[0].tolist() == theirs[0].tolist()
    assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=0)


@given(docs=docs_st, query=st.lists(st.integers(0, 45), min_size=1, max_size=5), data=st.data())
def test_loading_in_batches_scores_as_adding_one_by_one(
    docs: list[Doc], query: list[int], data: st.DataObject
):
    """However the passages are cut into batches, the loaded index scores as one built by
    adding them one by one."""
    ids = [10 + 3 * i for i in range(len(docs))]
    cuts = data.draw(st.lists(st.integers(0, len(docs)), max_size=4))
    asked = dict(Counter(query))
    assert_same_scores(loaded(ids, docs, cuts), one_by_one(ids, docs), asked)


def test_a_count_too_large_to_pack_is_loaded_as_it_is():
    """A term counted more than 65,535 times in a passage keeps its count."""
    docs = [[1] * 70_000 + [2], [1, 3], [2, 2]]
    index = loaded([1, 2, 3], docs, [])
    assert_same_scores(index, one_by_one([1, 2, 3], docs), {1: 1, 2: 1})
    assert index._postings.tfs.max() == 70_000


def test_a_batch_of_more_passages_than_uint16_slots_number_is_held_in_two():
    """A batch of 70,000 passages is held as two (uint16 slots) and loads whole and right."""
    docs = [[i % 7, 7 + i % 5] for i in range(70_000)]
    ids = list(range(70_000))
    loading = Loading(PassageIndex())
    loading.add(ids, *stored(docs))
    assert len(loading._held) == 2
    loading.finish()
    bulk = PassageIndex()
    terms, counts = stored(docs)
    bulk.load(
        ids, [np.frombuffer(t, "<i4") for t in terms], [np.frombuffer(c, "<i4") for c in counts]
    )
    assert_same_scores(loading.index, bulk, {6: 1, 11: 2})


def test_held_batches_take_three_bytes_a_posting():
    """Until the end, a batch's postings are held as uint16 slots and uint8 counts."""
    loading = Loading(PassageIndex())
    terms, counts = stored([[1, 2, 2], [2, 3]])
    loading.add([5, 6], terms, counts)
    held = loading._held[0]
    assert (held.slots.dtype, held.tfs.dtype, held.slots.size) == (np.uint16, np.uint8, 4)


def test_a_passage_repeating_a_term_is_refused():
    loading = Loading(PassageIndex())
    with pytest.raises(ValueError, match="repeats a term"):
        loading.add([1], [int32_blob([4, 4])], [int32_blob([1, 1])])


def test_an_id_already_in_the_index_is_refused():
    loading = Loading(PassageIndex())
    terms, counts = stored([[1], [2]])
    loading.add([1, 2], terms, counts)
    with pytest.raises(ValueError, match="already in the index"):
        loading.add([2], terms[:1], counts[:1])


def test_loading_nothing_leaves_an_empty_index():
    loading = Loading(PassageIndex())
    loading.finish()
    assert len(loading.index) == 0
    assert loading.index.search({1: 1}, 3) == []


def test_each_batch_lets_go_of_the_gil_once_grouped_and_once_placed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The grouping thread lets go of the GIL after each batch, and so do the placing threads,
    so that a waiting event loop takes it at once rather than after the switch interval."""
    sleeps: list[float] = []
    monkeypatch.setattr(index.loading.time, "sleep", sleeps.append)
    loaded([1, 2, 3, 4, 5], [[1], [2, 3], [3], [1, 1], [4]], [2, 4])
    assert sleeps == [0] * 6  # three batches

"""The numpy building blocks of the postings: checked int32 arrays, packed postings sorted."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from index import arrays


def test_term_ids_and_counts_up_to_int32_max_are_accepted():
    """The largest int32 is a valid term id and count; one more is not, nor is -1."""
    top = 2**31 - 1
    terms, tfs = arrays.check_postings(np.array([0, top]), np.array([1, top]))
    assert terms.tolist() == [0, top]
    assert tfs.tolist() == [1, top]
    for bad_terms, bad_tfs, error in [
        ([top + 1], [1], "term ids must be"),
        ([-1], [1], "term ids must be"),
        ([0], [top + 1], "term counts must be"),
    ]:
        with pytest.raises(ValueError, match=error):
            arrays.check_postings(np.array(bad_terms), np.array(bad_tfs))


def test_the_largest_term_ids_sort_correctly():
    """Sorting postings by term packs term << 32 | position: int32 max still sorts last."""
    terms = np.array([2**31 - 1, 5, 2**31 - 1, 0], np.int32)
    keys, order = arrays.sort_by_term(terms)
    assert keys.tolist() == [0, 5, 2**31 - 1, 2**31 - 1]
    assert order.tolist() == [3, 1, 0, 2]


def test_a_batch_of_as_many_postings_as_positions_fit_is_sorted():
    """The batch limit: with room for 3 positions, 3 postings sort and 6 raise."""
    with mock.patch.object(arrays, "TF_MASK", 3):
        keys, order = arrays.sort_by_term(np.array([2, 1, 2], np.int32))
        assert (keys.tolist(), order.tolist()) == ([1, 2, 2], [1, 0, 2])
        with pytest.raises(OverflowError):
            arrays.sort_by_term(np.array([2, 1, 2, 0, 1, 1], np.int32))


def test_a_column_grows_by_half_and_keeps_what_it_holds():
    """Appends past the capacity grow it by half (at least to fit), keeping earlier values."""
    column = arrays.Column(np.int64)
    column.extend(range(16))
    assert (column.size, column.data.size) == (16, 16)
    column.extend([16])
    assert (column.size, column.data.size) == (17, 24)
    column.extend(range(17, 60))
    assert column.data.size == 60
    assert column.values.tolist() == list(range(60))


def test_a_column_holds_the_values_of_its_dtype_flattened():
    """Values are converted to the column's dtype and flattened; `values` is a live view."""
    column = arrays.Column(np.int32)
    column.extend(np.array([[1, 2], [3, 4]]))
    column.extend(5)
    column.values[0] = 9
    assert column.values.dtype == np.int32
    assert column.values.tolist() == [9, 2, 3, 4, 5]


def test_resetting_a_column_replaces_its_values():
    """`reset` leaves exactly the new values, however many there were before."""
    column = arrays.Column(np.bool_)
    column.extend([True] * 20)
    column.reset([False, True])
    assert column.values.tolist() == [False, True]
    column.reset([])
    assert column.size == 0
    assert column.values.tolist() == []


def test_int_array_flattens_integers_and_refuses_other_numbers():
    """Any integer array-like comes back flat; floats raise, naming what they were."""
    assert arrays.int_array(np.array([[1, 2], [3, 4]]), "ids").tolist() == [1, 2, 3, 4]
    assert arrays.int_array(7, "ids").tolist() == [7]
    assert arrays.int_array([], "ids").size == 0
    with pytest.raises(TypeError, match="term ids must be integers, not float64"):
        arrays.int_array([1.0, 2.0], "term ids")


def test_term_ids_and_counts_of_different_lengths_are_refused():
    """One count per term id, or a ValueError."""
    with pytest.raises(ValueError, match="differ in length"):
        arrays.check_postings(np.array([1, 2]), np.array([1]))
    terms, tfs = arrays.check_postings(np.array([], np.int64), np.array([], np.int64))
    assert (terms.dtype, tfs.dtype, terms.size) == (np.int32, np.int32, 0)


def test_a_count_of_zero_is_refused():
    """A passage's term occurs at least once."""
    with pytest.raises(ValueError, match="term counts must be"):
        arrays.check_postings(np.array([3]), np.array([0]))


def test_runs_are_the_bounds_and_values_of_equal_neighbours():
    """[4, 4, 7, 9, 9, 9]: runs start at 0, 2, 3 and end at 6; their values 4, 7, 9."""
    bounds, values = arrays.runs(np.array([4, 4, 7, 9, 9, 9], np.int64))
    assert bounds.tolist() == [0, 2, 3, 6]
    assert values.tolist() == [4, 7, 9]
    single_bounds, single = arrays.runs(np.array([5], np.int64))
    assert (single_bounds.tolist(), single.tolist()) == ([0, 1], [5])


def test_no_keys_make_no_runs():
    """An empty input has the bounds [0] and no values."""
    bounds, values = arrays.runs(np.array([], np.int64))
    assert bounds.tolist() == [0]
    assert values.size == 0


def test_merged_postings_keep_each_terms_old_postings_first():
    """Merging inserts each new posting after its term's old ones; new terms take their place
    in order; a count past uint16 widens the counts to int32."""
    old = arrays.Postings.grouped(
        np.array([5, 2, 5], np.int32), np.array([0, 1, 1]), np.array([1, 2, 3])
    )
    new = arrays.Postings.grouped(
        np.array([5, 3, 9], np.int32), np.array([2, 2, 3]), np.array([4, 70000, 6])
    )
    merged = old.merged(new)
    assert merged.terms.tolist() == [2, 3, 5, 9]
    assert merged.ptr.tolist() == [0, 1, 2, 5, 6]
    assert merged.slots.tolist() == [1, 2, 0, 1, 2, 3]
    assert merged.tfs.tolist() == [2, 70000, 1, 3, 4, 6]
    assert merged.tfs.dtype == np.int32 and old.tfs.dtype == np.uint16
    starts, ends = merged.find(np.array([5, 4, 9, -1, 10]))
    assert (starts.tolist(), ends.tolist()) == ([2, 0, 5, 0, 0], [5, 0, 6, 0, 0])


def test_a_slot_map_holds_ascending_ids_in_arrays_only():
    """Ids given in ascending order need no Python object each (the dict stays empty)."""
    slots = arrays.SlotMap()
    slots.add(np.array([3, 5, 9]), 0)
    slots.add(np.array([10, 12]), 3)
    assert (slots._other, len(slots)) == ({}, 5)
    assert sorted(slots.items()) == [(3, 0), (5, 1), (9, 2), (10, 3), (12, 4)]


def test_a_slot_map_finds_ids_given_out_of_order_and_forgets_removed_ones():
    slots = arrays.SlotMap()
    slots.add(np.array([3, 5, 9]), 0)
    slots.add(np.array([4, 2]), 3)  # not after 9: kept in the dict
    assert slots.pop([5, 2, 5, 7]) == [4, 1]
    assert (5 in slots, 2 in slots, 4 in slots, len(slots)) == (False, False, True, 3)
    slots.add(np.array([5]), 5)  # a removed id given again
    assert dict(slots.items()) == {3: 0, 9: 2, 4: 3, 5: 5}
    assert slots.held(np.array([1, 5])) and not slots.held(np.array([1, 2]))


@given(st.lists(st.integers(-5, 30), max_size=40))
def test_repeats_tells_whether_a_value_occurs_twice(values: list[int]) -> None:
    """Ascending or not (ids from the store come ascending: checked without sorting)."""
    for ordered in (values, sorted(values)):
        assert arrays.repeats(np.array(ordered, np.int64)) == (len(set(ordered)) < len(ordered))


@given(st.sets(st.integers(0, 60)), st.sets(st.integers(0, 60)))
def test_union_is_every_value_of_either_once_ascending(a: set[int], b: set[int]) -> None:
    got = arrays.union(np.array(sorted(a), np.int32), np.array(sorted(b), np.int32))
    assert got.tolist() == sorted(a | b)


@given(
    st.dictionaries(st.integers(0, 60), st.integers(1, 9)),
    st.dictionaries(st.integers(0, 60), st.integers(1, 9)),
)
def test_merged_sums_each_slot_of_either_run_once_ascending(
    a: dict[int, int], b: dict[int, int]
) -> None:
    """Two ascending runs of slots with their sums: every slot once, a slot in both with the
    sum of its two (the first run's first, as the sums were added before)."""
    found, sums = np.array(sorted(a), np.int32), np.array([a[s] for s in sorted(a)], np.float64)
    slots, weights = np.array(sorted(b), np.int32), np.array([b[s] for s in sorted(b)], float)
    got_slots, got_sums = arrays.merged(found, sums, slots, weights)
    every = sorted(a.keys() | b.keys())
    assert got_slots.tolist() == every
    assert got_sums.tolist() == [a.get(s, 0) + b.get(s, 0) for s in every]


def test_marks_are_made_on_first_use_and_grow_only_when_too_small() -> None:
    """A collection that never needs them holds none; once made, the flags and sums (all
    down, all 0) are at least as many as asked for, and the same arrays serve a smaller ask."""
    marks = arrays.Marks()
    assert (marks.flags.size, marks.sums.size, marks.above.size) == (0, 0, 0)
    flags = marks.ready(800)
    assert flags.size >= 800 and not flags.any()
    assert marks.ready(500) is flags
    sums = marks.summing(800)
    assert sums.size == 800 and not sums.any() and sums.dtype == np.float32
    assert marks.above.size >= 800 and not marks.above.any()
    sums[3] = 1.5  # the caller's to leave at 0; the same memory is handed out again
    again = marks.summing(500)
    assert again.size == 500 and again[3] == 1.5
    assert marks.summing(2_000).size == 2_000 and marks.above.size >= 2_000


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 5)), max_size=30))
def test_repeats_a_term_tells_whether_a_passage_holds_a_term_twice(
    postings: list[tuple[int, int]],
) -> None:
    """(passage, term) postings in passage order, grouped by term as a batch is."""
    postings.sort()
    batch = arrays.Postings.grouped(
        np.array([term for _, term in postings], np.int32),
        np.array([slot for slot, _ in postings], np.int32),
        np.ones(len(postings), np.int32),
    )
    assert arrays.repeats_a_term(batch) == (len(set(postings)) < len(postings))


@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(1, 9)), max_size=30),
    st.sampled_from([41, 100, 1_000]),
)
def test_summed_gives_each_slot_once_with_the_sum_of_its_contributions(
    contributions: list[tuple[int, int]], n_slots: int
) -> None:
    """By sorting where few slots of many are hit, by counting otherwise: the same sums."""
    slots = np.array([slot for slot, _ in contributions], np.int64)
    contrib = np.array([value for _, value in contributions], np.float64)
    got_slots, got_sums = arrays.summed(slots, contrib, n_slots)
    expected: dict[int, int] = {}
    for slot, value in contributions:
        expected[slot] = expected.get(slot, 0) + value
    assert got_slots.tolist() == sorted(expected)
    assert got_sums.tolist() == [expected[slot] for slot in sorted(expected)]

"""The numpy building blocks of the postings: checked int32 arrays, packed postings sorted."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

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

"""Questions' posting weights kept until the next change (`index.impacts`): asked again, a
term's postings are not weighed again; the same answers to the bit; a change forgets them; the
budget holds."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from index import topk
from index.impacts import BUDGET_SHARE, FIRST, WHOLE_FROM, Impacts
from index.postings import PassageIndex

QUESTION = {2: 1, 3: 2, 4: 1}  # 157 of the 490 postings: within the budget


def _index(passages: int = 200) -> PassageIndex:
    """Passages of terms 0 to 5 (term t in every (t+1)-th passage), counts 1 to 3."""
    index = PassageIndex()
    terms = [np.array([t for t in range(6) if n % (t + 1) == 0], np.int32) for n in range(passages)]
    counts = [np.array([1 + (n + t) % 3 for t in ids], np.int32) for n, ids in enumerate(terms)]
    index.load(list(range(1, passages + 1)), terms, counts)
    return index


def test_a_question_asked_again_weighs_none_of_its_postings() -> None:
    index = _index()
    index.search(QUESTION, 5)
    weighed = index._impacts.computed
    index.search(QUESTION, 5)
    assert weighed > 0
    assert index._impacts.computed == weighed


def test_a_question_asked_again_gets_the_same_scores_to_the_bit() -> None:
    index = _index()
    first = index.search(QUESTION, 10)
    assert index.search(QUESTION, 10) == first


def test_a_term_asked_with_another_count_is_weighed_again() -> None:
    """A term's weights are its query weight's: counted twice, it weighs differently."""
    index = _index()
    index.search({3: 1}, 5)
    weighed = index._impacts.computed
    index.search({3: 2}, 5)
    assert index._impacts.computed == 2 * weighed


def test_a_change_forgets_the_weights() -> None:
    """Adding a passage changes every IDF and length norm: the next question weighs again,
    and scores as an index built with the passage from the start."""
    index = _index()
    index.search(QUESTION, 5)
    index.add(1_000, np.array([0, 1], np.int32), np.array([1, 1], np.int32))
    weighed = index._impacts.computed
    hits = index.search(QUESTION, 10)
    fresh = _index()
    fresh.add(1_000, np.array([0, 1], np.int32), np.array([1, 1], np.int32))
    assert index._impacts.computed > weighed
    assert hits == fresh.search(QUESTION, 10)


def test_the_weights_held_stay_within_the_budget() -> None:
    impacts = Impacts()
    for term in range(5):  # in a collection of 40 postings: at most 20 kept
        impacts.get((term, -1, 8, 1.0), lambda: np.ones(8), 40)
    assert len(impacts) <= 20


def _kept(impacts: Impacts, term: int, size: int = 8, postings: int = 40) -> np.ndarray:
    """Term `term`'s weights (all `term`), kept in `impacts` for a collection of `postings`."""
    return impacts.get((term, -1, size, 1.0), lambda: np.full(size, float(term)), postings)


def test_the_oldest_weights_are_overwritten_first() -> None:
    impacts = Impacts()  # 20 postings kept: two terms of 8
    for term in range(3):
        impacts.question()
        _kept(impacts, term)
    computed = impacts.computed
    impacts.question()
    _kept(impacts, 1)
    _kept(impacts, 2)
    assert impacts.computed == computed
    _kept(impacts, 0)
    assert impacts.computed == computed + 8


def test_weights_used_again_among_the_oldest_half_are_moved_and_stay() -> None:
    impacts = Impacts()  # 40 postings kept: five terms of 8
    impacts.question()
    for term in (0, 1, 2):
        _kept(impacts, term, postings=80)
    impacts.question()
    _kept(impacts, 0, postings=80)  # among the oldest half: moved to the newest end
    _kept(impacts, 3, postings=80)
    impacts.question()
    _kept(impacts, 4, postings=80)
    _kept(impacts, 5, postings=80)  # overwrites 1, now the oldest
    computed = impacts.computed
    impacts.question()
    assert _kept(impacts, 0, postings=80).tolist() == [0.0] * 8
    assert impacts.computed == computed
    _kept(impacts, 1, postings=80)
    assert impacts.computed == computed + 8


def test_weights_a_question_uses_are_not_overwritten_during_it() -> None:
    """A question holds the weights it got until it ends: those that do not fit beside them
    are given, not kept."""
    impacts = Impacts()  # 20 postings kept
    impacts.question()
    first, second = _kept(impacts, 1), _kept(impacts, 2)
    third = _kept(impacts, 3)
    assert (first.tolist(), second.tolist(), third.tolist()) == ([1.0] * 8, [2.0] * 8, [3.0] * 8)
    assert len(impacts) == 16


def test_weights_kept_are_held_and_others_are_not() -> None:
    impacts = Impacts()
    impacts.question()
    assert impacts.held((1, -1, 8, 1.0)) is None
    _kept(impacts, 1)
    held = impacts.held((1, -1, 8, 1.0))
    assert held is not None
    assert held.tolist() == [1.0] * 8


def test_weights_that_end_at_the_pools_end_fit_without_a_wrap() -> None:
    impacts = Impacts()  # 40 postings kept: exactly five terms of 8
    for term in range(5):
        impacts.question()
        _kept(impacts, term, postings=80)
    assert len(impacts) == 40
    computed = impacts.computed
    impacts.question()
    assert _kept(impacts, 0, postings=80).tolist() == [0.0] * 8
    assert impacts.computed == computed


def test_at_a_wrap_the_weights_in_the_tail_skipped_go_first() -> None:
    """The tail too short for the next weights holds the oldest: forgotten at the wrap, and
    those the wrap then overwrites are forgotten too (their values never read as another's)."""
    impacts = Impacts()  # 40 postings kept
    for term, size in [(0, 10), (1, 10), (2, 10), (3, 10), (4, 15), (5, 15), (6, 15)]:
        impacts.question()  # 4 over 0 and 1; 5 over 2 (from 15); 6: the wrap, 3 in the tail
        _kept(impacts, term, size, postings=80)
    assert len(impacts) == 30  # 5 and 6
    computed = impacts.computed
    impacts.question()
    assert _kept(impacts, 6, 15, postings=80).tolist() == [6.0] * 15
    assert impacts.computed == computed
    assert _kept(impacts, 4, 15, postings=80).tolist() == [4.0] * 15
    assert _kept(impacts, 3, 10, postings=80).tolist() == [3.0] * 10


def test_weights_as_many_as_the_pool_holds_are_kept() -> None:
    impacts = Impacts()
    impacts.question()
    _kept(impacts, 1, size=20)  # a budget of 20
    assert len(impacts) == 20


def test_weights_used_again_among_the_newest_half_stay_where_they_are() -> None:
    """Moving them would take room: with a move, 1 would be overwritten by the fifth term."""
    impacts = Impacts()  # 40 postings kept: five terms of 8
    impacts.question()
    for term in range(4):
        _kept(impacts, term, postings=80)
    impacts.question()
    _kept(impacts, 3, postings=80)  # among the newest half
    _kept(impacts, 4, postings=80)
    impacts.question()
    _kept(impacts, 5, postings=80)  # overwrites 0
    computed = impacts.computed
    _kept(impacts, 1, postings=80)
    assert impacts.computed == computed


def test_kept_weights_are_read_only() -> None:
    impacts = Impacts()
    impacts.question()
    weights = _kept(impacts, 1)
    with pytest.raises(ValueError, match="read-only"):
        weights[0] = 5.0


def test_a_large_collections_pool_is_made_whole_when_first_used() -> None:
    """Made and touched at once (its page faults not paid a question at a time), at its
    budget's size, and not made again as the collection grows a little."""
    impacts = Impacts()
    postings = BUDGET_SHARE * WHOLE_FROM
    impacts.question()
    _kept(impacts, 1, postings=postings)
    pool = impacts._pool
    assert pool.size == WHOLE_FROM
    _kept(impacts, 2, postings=postings + postings // 5)
    assert impacts._pool is pool
    _kept(impacts, 3, postings=2 * postings)  # its budget doubled: made again
    assert impacts._pool.size == 2 * WHOLE_FROM


def test_a_small_collections_pool_grows_up_to_its_budget() -> None:
    impacts = Impacts()
    postings = BUDGET_SHARE * FIRST * 3  # a budget of 3 * FIRST postings
    impacts.question()
    _kept(impacts, 1, size=FIRST // 2, postings=postings)
    assert impacts._pool.size == FIRST
    _kept(impacts, 2, size=FIRST, postings=postings)
    assert impacts._pool.size == 2 * FIRST
    _kept(impacts, 3, size=2 * FIRST, postings=postings)
    assert impacts._pool.size == 3 * FIRST
    assert len(impacts) <= 3 * FIRST


def test_the_pruned_top_k_reads_the_kept_weights_of_a_question_asked_again() -> None:
    """`topk` weighs whole only the terms it reads whole, and asked again, reads them kept:
    the same hits to the bit as scoring every posting."""
    index = _index(400)
    with mock.patch.object(topk, "PRUNE_SLOTS", 0), mock.patch.object(topk, "PRUNE_FROM", 0):
        first = index.search(QUESTION, 3)
        weighed = index._impacts.computed
        again = index.search(QUESTION, 3)
    assert weighed > 0
    assert index._impacts.computed == weighed
    assert first == again == index.search(QUESTION, 3)  # the last one scores every posting


def test_merging_in_the_postings_added_since_forgets_the_weights() -> None:
    """The weights of the pruned top k are kept by piece of a term's postings (those grouped,
    those added since): once merged, a term is one piece, weighed again."""
    index = _index()
    index.add(1_000, np.array([2, 3], np.int32), np.array([1, 1], np.int32))
    with mock.patch.object(topk, "PRUNE_SLOTS", 0), mock.patch.object(topk, "PRUNE_FROM", 0):
        index.search(QUESTION, 3)
        assert len(index._impacts) > 0
        index._merge_delta()
        assert len(index._impacts) == 0
        assert index.search(QUESTION, 3) == _fresh_with_1000().search(QUESTION, 3)


def _fresh_with_1000() -> PassageIndex:
    index = _index()
    index.add(1_000, np.array([2, 3], np.int32), np.array([1, 1], np.int32))
    return index


def test_a_pieces_largest_count_is_read_once_until_a_change() -> None:
    """The bound of a term's weight needs its largest count: kept by term, piece and size
    (a pass over the counts once), and forgotten at the next change."""
    impacts = Impacts()
    counts = np.array([1, 3, 2], np.uint16)
    assert impacts.most((7, 0, 3), counts) == 3
    assert impacts.most((7, 0, 3), np.array([9, 9, 9], np.uint16)) == 3  # kept: not read
    impacts.clear()
    assert impacts.most((7, 0, 3), np.array([9, 9, 9], np.uint16)) == 9


@pytest.mark.parametrize("prune_from", [0, 10**9], ids=["pruned", "every-posting"])
def test_a_pool_too_small_for_a_question_gives_the_hits_of_none(prune_from: int) -> None:
    """Weights that do not fit beside those the question uses are given, not kept, and the
    oldest are overwritten between questions: the hits are those of an index keeping none."""
    questions = [{2: 1, 3: 2, 4: 1}, {0: 1, 5: 1}, {1: 2, 2: 1, 3: 1, 4: 1, 5: 1}] * 3
    with (
        mock.patch.object(topk, "PRUNE_SLOTS", 0),
        mock.patch.object(topk, "PRUNE_FROM", prune_from),
    ):
        with mock.patch("index.impacts.BUDGET_MAX", 250):  # a question holds up to 579
            small = _index(400)
            hits = [small.search(q, 5) for q in questions]
        with mock.patch("index.impacts.BUDGET_MAX", 0):
            none = _index(400)
            expected = [none.search(q, 5) for q in questions]
    assert len(small._impacts) > 0
    assert len(none._impacts) == 0
    assert hits == expected

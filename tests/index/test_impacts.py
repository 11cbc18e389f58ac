"""Questions' posting weights kept until the next change (`index.impacts`): asked again, a
term's postings are not weighed again; the same answers to the bit; a change forgets them; the
budget holds."""

from __future__ import annotations

from unittest import mock

import numpy as np

from index import topk
from index.impacts import Impacts
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


def test_the_least_recently_used_weights_go_first() -> None:
    impacts = Impacts()
    impacts.get((0, -1, 8, 1.0), lambda: np.ones(8), 40)
    impacts.get((1, -1, 8, 1.0), lambda: np.ones(8), 40)
    impacts.get((0, -1, 8, 1.0), lambda: np.ones(8), 40)  # used again: 1 is now the oldest
    impacts.get((2, -1, 8, 1.0), lambda: np.ones(8), 40)
    computed = impacts.computed
    impacts.get((0, -1, 8, 1.0), lambda: np.ones(8), 40)
    assert impacts.computed == computed
    impacts.get((1, -1, 8, 1.0), lambda: np.ones(8), 40)
    assert impacts.computed == computed + 8


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

"""The vocabulary: term ids as stored, new ids for new terms, kept only once committed."""

from collections import Counter

from index.vocabulary import Vocabulary


def test_known_terms_keep_their_ids_and_new_ones_follow_the_highest() -> None:
    """New terms are numbered from the highest stored id on, once each across passages."""
    vocabulary = Vocabulary({"lighthous": 3, "keeper": 7})
    arrays, new = vocabulary.assign([Counter(lighthous=2, stair=1), Counter(stair=1, dusk=4)])
    assert new == [(8, "stair"), (9, "dusk")]
    assert [ids.tolist() for ids, _ in arrays] == [[3, 8], [8, 9]]
    assert [counts.tolist() for _, counts in arrays] == [[2, 1], [1, 4]]


def test_new_ids_are_kept_only_when_committed() -> None:
    """Assigning twice without committing proposes the same ids; committing keeps them."""
    vocabulary = Vocabulary()
    _, first = vocabulary.assign([Counter(ship=1)])
    _, again = vocabulary.assign([Counter(ship=1)])
    assert first == again == [(1, "ship")]
    assert vocabulary.get("ship") is None
    vocabulary.commit(first)
    assert vocabulary.get("ship") == 1
    assert vocabulary.assign([Counter(ship=1, sail=1)])[1] == [(2, "sail")]


def test_committed_ids_above_the_next_move_it_on() -> None:
    """Ids committed from elsewhere (a re-index) are never handed out again."""
    vocabulary = Vocabulary()
    vocabulary.commit([(5, "harbour")])
    assert vocabulary.assign([Counter(quay=1)])[1] == [(6, "quay")]
    assert len(vocabulary) == 1


def test_clearing_starts_the_ids_again_at_one() -> None:
    """After `clear` (re-indexing), ids restart at 1 and no term is known."""
    vocabulary = Vocabulary({"a": 10})
    vocabulary.clear()
    assert vocabulary.get("a") is None
    assert vocabulary.assign([Counter(b=1)])[1] == [(1, "b")]

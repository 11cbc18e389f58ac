"""The vocabulary: term ids as stored; new terms named by provisional ids until their write."""

from collections import Counter

from index.vocabulary import Vocabulary


def test_known_terms_keep_their_ids_and_new_ones_get_provisional_ids() -> None:
    """New terms are named -1, -2, ... in order of first use, once each across passages."""
    vocabulary = Vocabulary({"lighthous": 3, "keeper": 7})
    arrays, new = vocabulary.assign([Counter(lighthous=2, stair=1), Counter(stair=1, dusk=4)])
    assert new == ["stair", "dusk"]
    assert [ids.tolist() for ids, _ in arrays] == [[3, -1], [-1, -2]]
    assert [counts.tolist() for _, counts in arrays] == [[2, 1], [1, 4]]


def test_token_ids_share_the_provisional_ids_and_add_the_terms_they_need() -> None:
    """A passage's tokens in order: known ids, the counts' provisional ids, and new ones after
    them for a term only the tokens have."""
    vocabulary = Vocabulary({"keeper": 7})
    _, new = vocabulary.assign([Counter(keeper=1, stair=1)])
    ids = vocabulary.token_ids([["stair", "keeper", "stair"], ["dusk", "stair"]], new)
    assert [a.tolist() for a in ids] == [[-1, 7, -1], [-2, -1]]
    assert new == ["stair", "dusk"]


def test_ids_are_kept_only_when_committed() -> None:
    """Until its write commits a term stays new; afterwards its stored id is used."""
    vocabulary = Vocabulary()
    assert vocabulary.assign([Counter(ship=1)])[1] == ["ship"]
    assert vocabulary.get("ship") is None
    vocabulary.commit([(4, "ship")])  # the id the store gave it
    arrays, new = vocabulary.assign([Counter(ship=1, sail=1)])
    assert new == ["sail"]
    assert arrays[0][0].tolist() == [4, -1]


def test_allocating_numbers_from_the_highest_known_id() -> None:
    """For a rebuild of the whole index: ids follow the highest this vocabulary knows."""
    vocabulary = Vocabulary({"harbour": 5})
    assert vocabulary.allocate(["quay", "reef"]) == [(6, "quay"), (7, "reef")]
    vocabulary.commit([(9, "beam")])
    assert vocabulary.allocate(["mast"]) == [(10, "mast")]
    assert len(vocabulary) == 2

"""The vocabulary: term ids as stored; new terms named by provisional ids until their write."""

from index.vocabulary import Vocabulary


def test_allocating_numbers_from_the_highest_known_id() -> None:
    """For a rebuild of the whole index: ids follow the highest this vocabulary knows."""
    vocabulary = Vocabulary({"harbour": 5})
    assert vocabulary.allocate(["quay", "reef"]) == [(6, "quay"), (7, "reef")]
    vocabulary.commit([(9, "beam")])
    assert vocabulary.allocate(["mast"]) == [(10, "mast")]
    assert len(vocabulary) == 2

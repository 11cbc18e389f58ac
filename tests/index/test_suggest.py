"""Did you mean (index/suggest.py): edit distance over the words as articles write them, with
a similarity threshold that keeps bad suggestions out."""

from __future__ import annotations

import pytest

from index import Document, Library
from index.suggest import SIMILARITY, closest, corrected, distance, similarity

WORDS = {"moles": 3, "earthworms": 1, "tunnels": 2, "paws": 1, "broad": 1, "underground": 1}


@pytest.mark.parametrize(
    ("a", "b", "edits"),
    [
        ("moles", "moles", 0),
        ("moels", "moles", 1),  # two letters swapped: one edit
        ("mole", "moles", 1),
        ("tunels", "tunnels", 1),
        ("erthworms", "earthworms", 1),
        ("paws", "pews", 1),
        ("abc", "xyz", 3),  # past the limit: limit + 1
        ("a", "abcd", 3),
    ],
)
def test_distance_counts_insertions_deletions_substitutions_and_swaps(
    a: str, b: str, edits: int
) -> None:
    """Optimal string alignment distance, cut off just past the limit."""
    assert distance(a, b) == edits


@pytest.mark.parametrize(
    ("unknown", "suggested"),
    [
        ("moels", "moles"),  # a swap in five letters: 0.8
        ("tunels", "tunnels"),  # a missing letter: 0.86
        ("erthwroms", "earthworms"),  # two edits in ten letters: 0.8
        ("Undergound", "underground"),  # case does not matter
        ("pows", "paws"),  # one edit in four letters: exactly the threshold
        ("paw", "paws"),  # one edit, the longer word of four letters: 0.75
        ("brood", "broad"),
        ("zebras", None),  # nothing close
        ("mites", None),  # two edits in five letters: 0.6
        ("moles", None),  # a known word is not an unknown one
    ],
)
def test_the_threshold_keeps_close_words_and_refuses_the_rest(
    unknown: str, suggested: str | None
) -> None:
    """A suggestion is at least SIMILARITY alike; below that there is none."""
    assert closest(unknown, WORDS) == suggested
    if suggested is not None:
        assert similarity(unknown.casefold(), suggested) >= SIMILARITY


def test_three_letter_words_get_no_suggestion() -> None:
    """One edit between two three-letter words is 0.67 alike: below the threshold."""
    assert closest("dig", {"dog": 10}) is None


def test_a_word_whose_first_two_letters_are_wrong_gets_none() -> None:
    """One wrong first letter, or the first two swapped, still finds the word; both first
    letters wrong does not."""
    assert closest("xoles", {"moles": 1}) == "moles"
    assert closest("omles", {"moles": 1}) == "moles"
    assert closest("xyles", {"moles": 1}) is None


def test_ties_go_to_the_more_frequent_word() -> None:
    """Two words one edit away: the more frequent one is suggested."""
    assert closest("cart", {"card": 1, "care": 5}) == "care"
    assert closest("cart", {"card": 5, "care": 1}) == "card"


def test_corrected_replaces_whole_words_only() -> None:
    """Only the unknown word itself is replaced, not the same letters inside other words."""
    assert corrected("Do moels eat moelsworms?", {"moels": "moles"}) == "Do moles eat moelsworms?"


async def test_suggestions_come_from_the_collection_and_follow_its_changes(location: str) -> None:
    """The words offered are those of the collection's articles as written (not stems, not
    another collection's); a removed article's words are no longer offered."""
    async with Library.open(location) as library:
        moles = await library.add("c", Document(None, "Moles dig tunnels underground."))
        await library.add("other", Document(None, "Penguins nest on pebbles."))
        suggest = library.suggestions.did_you_mean
        assert await suggest("c", "Where are the tunels?", ["tunels"]) == "Where are the tunnels?"
        assert await suggest("c", "Where do pengiuns nest?", ["pengiuns"]) is None
        await library.add("c", Document(None, "Penguins nest on pebbles by the sea."))
        assert await suggest("c", "pengiuns?", ["pengiuns"]) == "penguins?"
        await library.remove("c", moles.article.id)
        assert await suggest("c", "tunels?", ["tunels"]) is None

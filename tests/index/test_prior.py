"""A word's rarity in general English: how much a question word the library lacks weighs."""

import gzip
import json
from pathlib import Path

import pytest
from spellchecker import SpellChecker

from index import prior
from index.prior import ZIPF_COMMON, ZIPF_RARE, load_frequencies, rarity, zipf


def test_a_word_used_once_in_a_thousand_or_more_weighs_nothing() -> None:
    """'said' (Zipf 6.1) is at the common end."""
    assert zipf("said") >= ZIPF_COMMON
    assert rarity("said") == 0.0


def test_a_word_rarer_than_the_list_weighs_fully() -> None:
    """'denisov' is not in the list: Zipf 0, rarity 1."""
    assert zipf("denisov") == 0.0
    assert rarity("denisov") == 1.0


def test_a_word_between_weighs_by_its_place_on_the_zipf_scale() -> None:
    """'mars' (Zipf about 3.4) weighs (6 - z) / 3, between 'talk' and a name."""
    z = zipf("mars")
    assert ZIPF_RARE < z < ZIPF_COMMON
    assert rarity("mars") == pytest.approx((ZIPF_COMMON - z) / (ZIPF_COMMON - ZIPF_RARE))
    assert 0 < rarity("talk") < rarity("mars") < 1


def test_the_list_is_read_as_pyspellchecker_reads_it() -> None:
    """Read a few thousand lines at a time (one call held the event loop about 70 ms), the
    counts are exactly the package's own."""
    counts, per_billion = load_frequencies()
    package = SpellChecker(language="en", distance=1).word_frequency
    assert counts == dict(package.dictionary)
    assert per_billion == 1e9 / package.total_words


def test_a_list_read_in_pieces_counts_as_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut at every line, the list's first and last lines and a word beyond ASCII included,
    the counts and their total are those of the list read as one JSON object."""
    words = {"a": 5, "café": 2, "naïve's": 1, "zürich": 7}
    text = "{\n" + ",\n".join(f"{json.dumps(w)}: {n}" for w, n in words.items()) + "\n}\n"
    path = tmp_path / "en.json.gz"
    path.write_bytes(gzip.compress(text.encode()))
    monkeypatch.setattr(prior, "_CHARS", 1)
    counts = prior._read(path)
    assert dict(counts) == words
    assert counts["zürich"] == 7 and "denisov" not in counts
    assert counts.total == sum(words.values())

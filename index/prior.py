"""How much a question's word that the library lacks weighs: its rarity in general English.

A word no passage holds says nothing of where the answer is, but it does say how much of the
question a passage can cover: "jobs on Mars" asked of an article that merely says "jobs" should
find nothing. A word rare in English ("Denisov", "Mars") therefore weighs as the rarest possible
term; a word common in English ("say", "talk") is missing from a small library by chance, not
because the library is about something else, and weighs little, so that "what did Denisov say"
still finds what the library holds about Denisov.

The rarity comes from pyspellchecker's English word list (160,000 words counted in subtitles
of films and series, shipped in its wheel as `resources/en.json.gz`, read once per process):
1 for a word used less than once in a million words (Zipf 3) or absent from the list (names,
British spellings), 0 for one used once in a thousand or more (Zipf 6), and in between on the
Zipf (log-frequency) scale.
"""

from __future__ import annotations

import gzip
import json
import math
import threading
import time
from collections.abc import Iterator, Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable

ZIPF_RARE = 3.0  # once in a million words or rarer: weighs fully
ZIPF_COMMON = 6.0  # once in a thousand words or more often: weighs nothing

_CHARS = 1 << 16  # characters of the list (about 4,000 lines) parsed in one call
_lock = threading.Lock()
_counts: tuple[Mapping[str, int], float] | None = None  # each word's count, and a count's Zipf


def load_frequencies() -> tuple[Mapping[str, int], float]:
    """The list's words with their counts, and how many a billion words one count is; read
    on first use (about 0.1 s and 20 MB, in short steps)."""
    global _counts
    with _lock:
        if _counts is None:
            counts = _read(files("spellchecker") / "resources" / "en.json.gz")
            _counts = (counts, 1e9 / counts.total)
        return _counts


class _Counts(Mapping[str, int]):
    """The list's counts, kept as the pieces they were parsed in (a dict of a few thousand
    words each): one dict of them all grew by doubling, and its last copies (6 MB, into memory
    not yet touched: a page fault every 4 KB) held the GIL 16-22 ms while a first start at
    100k passages answered. A word is looked up in each piece, the last first (a word in two,
    as JSON reads it, counts as in the last); `total` adds every piece's counts (the list
    names each word once)."""

    def __init__(self, pieces: list[dict[str, int]]) -> None:
        self._pieces = pieces[::-1]  # the last first
        self.total = sum(sum(piece.values()) for piece in pieces)

    def __getitem__(self, word: str) -> int:
        for piece in self._pieces:
            count = piece.get(word)
            if count is not None:
                return count
        raise KeyError(word)

    def __iter__(self) -> Iterator[str]:
        for n, piece in enumerate(self._pieces):  # each word once, where it counts
            yield from (word for word in piece if not any(word in p for p in self._pieces[:n]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _read(path: Traversable) -> _Counts:
    """The word counts of the list (JSON, a word a line), parsed a few thousand lines at a
    time, from its bytes: parsed in one call (as pyspellchecker does), they held the GIL, and
    so the event loop, for about 70 ms; decoding the whole text first (2.8 MB) held it 16-37
    ms in the same first start."""
    raw = gzip.decompress(path.read_bytes())
    start, last = raw.index(b"{") + 1, raw.rindex(b"}")
    pieces = []
    while start < last:
        end = raw.find(b"\n", start + _CHARS)
        end = last if end < 0 or end > last else end + 1
        pieces.append(json.loads(b"{" + raw[start:end].strip().rstrip(b",") + b"}"))
        start = end
        time.sleep(0)  # lets go of the GIL (read in a worker thread): a waiting loop takes it
    return _Counts(pieces)


def zipf(word: str) -> float:
    """A lower-cased word's Zipf frequency in English (log10 of its uses per billion words),
    0 for a word the list does not hold."""
    counts, per_billion = load_frequencies()
    count = counts.get(word, 0)
    return math.log10(count * per_billion) if count else 0.0


def rarity(word: str) -> float:
    """0 for a word common in English, 1 for a rare one (see the module docstring)."""
    share = (ZIPF_COMMON - zipf(word)) / (ZIPF_COMMON - ZIPF_RARE)
    return min(1.0, max(0.0, share))

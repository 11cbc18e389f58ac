"""How much a question's word that the library lacks weighs: its rarity in general English.

A word no passage holds says nothing of where the answer is, but it does say how much of the
question a passage can cover: "jobs on Mars" asked of an article that merely says "jobs" should
find nothing. A word rare in English ("Denisov", "Mars") therefore weighs as the rarest possible
term; a word common in English ("say", "talk") is missing from a small library by chance, not
because the library is about something else, and weighs little, so that "what did Denisov say"
still finds what the library holds about Denisov.

The rarity comes from wordfreq's small English list (word frequencies shipped in its wheel, read
once per process): 1 for a word used less than once in a million words (Zipf 3, the list's floor,
or absent from it), 0 for one used once in a thousand or more (Zipf 6), and in between on the
Zipf (log-frequency) scale.
"""

from __future__ import annotations

import math
import threading

ZIPF_RARE = 3.0  # once in a million words or rarer: weighs fully
ZIPF_COMMON = 6.0  # once in a thousand words or more often: weighs nothing

_lock = threading.Lock()
_zipf: dict[str, float] | None = None


def load_frequencies() -> dict[str, float]:
    """The list's words and their Zipf frequencies, read on first use (0.3 s, 10 MB)."""
    global _zipf
    with _lock:
        if _zipf is None:
            import wordfreq  # not every process needs it

            _zipf = {
                word: math.log10(frequency) + 9
                for word, frequency in wordfreq.get_frequency_dict("en", wordlist="small").items()
            }
        return _zipf


def zipf(word: str) -> float:
    """A lower-cased word's Zipf frequency in English (log10 of its uses per billion words),
    0 for a word rarer than the list holds."""
    return load_frequencies().get(word, 0.0)


def rarity(word: str) -> float:
    """0 for a word common in English, 1 for a rare one (see the module docstring)."""
    share = (ZIPF_COMMON - zipf(word)) / (ZIPF_COMMON - ZIPF_RARE)
    return min(1.0, max(0.0, share))

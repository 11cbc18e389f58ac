"""A title where a text's line breaks were lost (`run_in_headline`).

Discord's text option takes one line: an article pasted into it arrives with its headline run
into its first sentence ("Xi and Putin Signal Ties Can't Be Broken The relationship between...").
A headline in Title Case is still told from the sentence after it: the capitalised words run on
until the first word in lower case, and the word before that one starts the sentence. That word
must be a function word ("The", "In", "After"), which never continues a name in Title Case:
"The United Nations Security Council met" is a sentence, not a headline and a sentence.
"""

from __future__ import annotations

import re

from index.analyzer import ENGLISH_STOPWORDS

# Words Title Case leaves in lower case.
_SMALL_WORDS = (
    "a an and as at but by en for from if in into nor of off on onto or over per so than the"
    " to up upon via vs with yet"
)
_MINOR = frozenset(_SMALL_WORDS.split())
_WORD = re.compile(r"\S+")
_LEAD = "\"'“‘«([{¿¡"  # what may come before a word's first letter
_MIN_WORDS = 3
_MAX_WORDS = 20


def run_in_headline(line: str) -> tuple[str, str] | None:
    """(headline, rest) when a one-line text opens with a Title Case headline run into its
    first sentence; else None."""
    words = list(_WORD.finditer(line[:2000]))
    kinds = [_kind(word.group()) for word in words[: _MAX_WORDS + 8]]
    if "lower" not in kinds or kinds[0] == "minor":
        return None
    opener = kinds.index("lower") - 1
    while opener > 0 and kinds[opener] == "minor":  # "When the immunologist ..."
        opener -= 1
    return _split(line, words, opener)


def _split(line: str, words: list[re.Match[str]], opener: int) -> tuple[str, str] | None:
    """The headline before word `opener`, if that word can start the sentence after it."""
    if not _MIN_WORDS <= opener <= _MAX_WORDS:
        return None
    first = words[opener].group().lstrip(_LEAD)
    if not first[:1].isupper() or first.lower() not in ENGLISH_STOPWORDS:
        return None
    title = line[: words[opener].start()].strip()
    if sum(_kind(w.group()) == "capital" for w in words[:opener]) < _MIN_WORDS:
        return None
    return title, line[words[opener].start() :]


def _kind(word: str) -> str:
    """'capital', 'minor' (a small word Title Case leaves lower case), 'lower', or 'other'."""
    core = word.lstrip(_LEAD)
    letter = next((ch for ch in core if ch.isalpha()), "")
    if not letter:
        return "other"  # numbers, dashes, "&"
    if core[:1].isupper() or (core[:1].isdigit() and letter.isupper()):
        return "capital"
    if core.rstrip(".,:;!?'\"”’)").lower() in _MINOR:
        return "minor"
    return "lower"

"""Text analysis: one function turns articles and questions alike into index terms.

Terms are Unicode-normalised (NFKC), case-folded, stripped of accents, filtered for stop words and
stemmed with Snowball (PyStemmer). The settings are a value object saved with the index, so that
a change of settings is noticed and the index rebuilt instead of silently mismatching.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import NamedTuple

import Stemmer

from index import stopwords

# A word: letters/digits joined by inner apostrophes ("Russia's"), or a number with inner
# separators ("3.50", "1,000", "10:30"), so that decimals stay one term.
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)+|\w+(?:['’]\w+)*")
_COMBINING = re.compile(r"[\u0300-\u036f]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


class Token(NamedTuple):
    """A term with the span of the original text it came from."""

    term: str
    start: int
    end: int


@dataclass(frozen=True)
class AnalyzerSettings:
    """Everything that decides which terms a text yields. Stored with the index."""

    language: str = "english"
    stopwords: str = "english"  # "english" or "none"
    stem: bool = True
    fold_accents: bool = True
    version: int = 1  # bump when the code's behaviour changes for the same settings

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> AnalyzerSettings:
        return cls(**json.loads(raw))


class Analyzer:
    """Turns text into index terms; the same for articles and questions."""

    def __init__(self, settings: AnalyzerSettings | None = None) -> None:
        self.settings = settings or AnalyzerSettings()
        if self.settings.stopwords not in ("english", "none"):
            raise ValueError(f"unknown stop word list: {self.settings.stopwords!r}")
        self._stop = stopwords.ENGLISH if self.settings.stopwords == "english" else frozenset()

    @cached_property
    def _stemmer(self) -> Stemmer.Stemmer | None:
        if not self.settings.stem:
            return None
        return Stemmer.Stemmer(self.settings.language)

    def normalize(self, text: str) -> str:
        """NFKC, case-folded, accents removed, apostrophes unified."""
        text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
        if self.settings.fold_accents and not text.isascii():
            text = unicodedata.normalize(
                "NFC", _COMBINING.sub("", unicodedata.normalize("NFKD", text))
            )
        return text

    def _terms(self, words: list[str]) -> list[str]:
        stop = self._stop
        words = [w for w in words if w not in stop]
        stemmer = self._stemmer
        return stemmer.stemWords(words) if stemmer is not None else words

    def terms(self, text: str) -> list[str]:
        """The index terms of a text, in order, repeats kept."""
        return self._terms(_TOKEN.findall(self.normalize(text)))

    def tokens(self, text: str) -> list[Token]:
        """Index terms with the spans of `text` they came from (for highlighting quotes)."""
        matches = list(_TOKEN.finditer(text))
        # normalise every word in one pass: NUL separates them and no normalisation touches it
        words = self.normalize("\0".join(m.group() for m in matches)).split("\0")
        if len(words) != len(matches):  # cannot happen for NUL-free words; stay correct anyway
            words = [self.normalize(m.group()) for m in matches]
        kept = [(m.span(), w) for m, w in zip(matches, words, strict=True) if w not in self._stop]
        terms = self._terms([w for _, w in kept])
        return [Token(t, s, e) for t, ((s, e), _) in zip(terms, kept, strict=True)]

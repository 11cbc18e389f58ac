"""The analyzer: one function turns articles and questions alike into index terms.

Terms are Unicode-normalised (NFKC), case-folded, stripped of accents, filtered for stop words and
stemmed with Snowball (PyStemmer); a "word" longer than `MAX_WORD_CHARS` (a hash, a run of symbols,
text without spaces) is not a term. The settings are a value object saved with the index, so that
a change of settings is noticed and the index rebuilt instead of silently mismatching.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import cached_property
from itertools import accumulate, chain
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import Stemmer

# A word: letters/digits joined by inner apostrophes ("Russia's"), or a number with inner
# separators ("3.50", "1,000", "10:30"), so that decimals stay one term.
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)+|\w+(?:['’]\w+)*")
_SPLIT = re.compile(f"({_TOKEN.pattern})")  # the words and what lies between them, in turn
# the same for ASCII text, where `\w` and `\d` are ASCII's and "’" cannot occur (a tenth faster)
_SPLIT_ASCII = re.compile(r"(\d+(?:[.,:]\d+)+|\w+(?:'\w+)*)", re.ASCII)
MAX_WORD_CHARS = 64  # a longer "word" (a hash, a run of symbols) is not indexed
STEMS_KEPT = 200_000  # words whose stems an analyzer remembers (then it forgets them all)
TITLES_KEPT = 4_096  # titles whose terms an analyzer remembers (then it forgets them all)
_COMBINING = re.compile(r"[\u0300-\u036f]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD_CHAR = re.compile(r"\w")
ALONE_KEPT = 4_096  # characters an analyzer remembers whether they normalise alone
_APOSTROPHES = ("’", "‘", "ʼ")  # each made "'"

# English stop words: function words that carry no topic and are left out of the index.
#
# The list is the project's own, assembled from the closed classes of English (articles, pronouns,
# auxiliaries, prepositions, conjunctions, question words and common adverbs). Content words that
# questions depend on ("first", "new", "state", numbers) are deliberately not on it; "many" and
# "much" are, because "how many" / "how much" ask for a number rather than name a topic.
_WORDS = """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further had hadn't has hasn't have haven't having he
    he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if
    in into is isn't it it's its itself let's me more most mustn't my myself no nor not of off on
    once only or other ought our ours ourselves out over own same shan't she she'd she'll she's
    should shouldn't so some such than that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've this those through to too under until up
    very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
    which while who who's whom why why's with won't would wouldn't you you'd you'll you're you've
    your yours yourself yourselves also been did does just may might must shall will whose upon
    many much
    s t d ll m o re ve y
"""

ENGLISH_STOPWORDS: frozenset[str] = frozenset(_WORDS.split())


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
    version: int = 2  # bump when the code's behaviour changes for the same settings (2: word limit)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


class Analyzer:
    """Turns text into index terms; the same for articles and questions."""

    def __init__(self, settings: AnalyzerSettings | None = None) -> None:
        self.settings = settings or AnalyzerSettings()
        if self.settings.stopwords not in ("english", "none"):
            raise ValueError(f"unknown stop word list: {self.settings.stopwords!r}")
        self._stop = ENGLISH_STOPWORDS if self.settings.stopwords == "english" else frozenset()
        self._stems: dict[str, str] = {}  # word -> its stem, for the words seen so far
        self._titles: dict[str, tuple[str, ...]] = {}  # title -> its distinct terms
        self._alone: dict[str, bool] = {}  # character -> whether it normalises alone

    @cached_property
    def _stemmer(self) -> Stemmer.Stemmer | None:
        if not self.settings.stem:
            return None
        # without PyStemmer's own cache: `_stems` remembers each word's stem as strings, where
        # its cache keeps a list a word (10,000 of them) that every full collection scans
        return Stemmer.Stemmer(self.settings.language, 0)

    def normalize(self, text: str) -> str:
        """NFKC, case-folded, accents removed, apostrophes unified."""
        text = unicodedata.normalize("NFKC", text).casefold()
        if text.isascii():  # nothing to unify or fold (`translate` read every character)
            return text
        for apostrophe in _APOSTROPHES:
            text = text.replace(apostrophe, "'")
        if self.settings.fold_accents and not text.isascii():
            text = unicodedata.normalize(
                "NFC", _COMBINING.sub("", unicodedata.normalize("NFKD", text))
            )
        return text

    def words_are_terms(self, text: str) -> bool:
        """Whether the terms of `text` as a whole (`terms`) are those of its words one by one
        (`token_spans`), so that one analysis gives both: true for ASCII text, and for text
        whose other characters each normalise alone (`_normalises_alone`). Elsewhere the
        whole text's normalising can join or split words ("½" is "1⁄2"; a letter and an accent
        apart become one)."""
        if text.isascii():
            return True
        alone = self._alone
        for char in set(_NON_ASCII.findall(text)):
            known = alone.get(char)
            if known is None:
                if len(alone) >= ALONE_KEPT:
                    alone.clear()
                known = alone[char] = self._normalises_alone(char)
            if not known:
                return False
        return True

    def _normalises_alone(self, char: str) -> bool:
        """Whether `char` normalises the same in any text, keeping where words start and end:
        a letter into letters, the apostrophe "’" into "'" (inside words as alone), any other
        character that is no part of a word into itself; never a mark (an accent, or a vowel
        sign that composes with the letter before it: Tamil, Myanmar, Balinese)."""
        if unicodedata.category(char).startswith("M"):
            return False
        normal = self.normalize(char)
        if char.isalpha():
            return normal.isalpha()
        return char == "’" or (normal == char and _WORD_CHAR.match(char) is None)

    def _terms(self, words: list[str]) -> list[str]:
        stop = self._stop
        return self._stemmed([w for w in words if w not in stop and len(w) <= MAX_WORD_CHARS])

    def _stemmed(self, words: list[str]) -> list[str]:
        stemmer = self._stemmer
        if stemmer is None:
            return words
        # PyStemmer takes about 1 us a word; a word seen before is a dict lookup (30 ns)
        stems = self._stems
        try:
            return list(map(stems.__getitem__, words))
        except KeyError:  # the words not seen yet stemmed, each once
            if len(stems) > STEMS_KEPT:
                stems.clear()
            new = [w for w in dict.fromkeys(words) if w not in stems]
            stems.update(zip(new, stemmer.stemWords(new), strict=True))
            return list(map(stems.__getitem__, words))

    def terms(self, text: str) -> list[str]:
        """The index terms of a text, in order, repeats kept."""
        return self._terms(_TOKEN.findall(self.normalize(text)))

    def title_terms(self, title: str) -> tuple[str, ...]:
        """The distinct terms of an article's title, remembered (a question's candidates share
        few titles). A dict of strings and tuples of strings: nothing the garbage collector
        keeps following, where a cache of frozensets kept three objects a title in its scans."""
        terms = self._titles.get(title)
        if terms is None:
            if len(self._titles) >= TITLES_KEPT:
                self._titles.clear()
            terms = self._titles[title] = tuple(dict.fromkeys(self.terms(title)))
        return terms

    def tokens(self, text: str) -> list[Token]:
        """Index terms with the spans of `text` they came from (for highlighting quotes)."""
        terms, offsets, kept = self._tokens(text)
        return [
            Token(t, offsets[2 * i], offsets[2 * i + 1]) for t, i in zip(terms, kept, strict=True)
        ]

    def token_spans(
        self, text: str, dtype: npt.DTypeLike = np.int32
    ) -> tuple[list[str], np.ndarray]:
        """`tokens` as two columns: the terms, and their spans as an array of (start, end)
        rows (int32 unless `dtype` says); no object is kept a token (analysing a large article
        as `Token`s made the garbage collector's full passes run again and again)."""
        terms, offsets, kept = self._tokens(text)
        if not kept:
            return terms, np.empty((0, 2), dtype)
        # read from Python numbers, not picked by numpy's fancy indexing: a small take a
        # passage, in a loop, kept the event loop's thread from the GIL for up to 0.4 s
        # (adding a large article); no cast or copy afterwards either
        pick = itemgetter(*kept)
        starts, ends = pick(offsets[0::2]), pick(offsets[1::2])
        if len(kept) == 1:  # one index: the item itself, not a tuple
            starts, ends = (starts,), (ends,)
        flat = chain.from_iterable(zip(starts, ends, strict=True))
        return terms, np.fromiter(flat, dtype, 2 * len(kept)).reshape(-1, 2)

    def _tokens(self, text: str) -> tuple[list[str], list[int], list[int]]:
        """The index terms of `text`, the offsets of its words (start, end, start, ...: the
        text after the last word ends the list) and which words the terms came from."""
        # split by the words (kept): words and the text between them alternate, so that their
        # lengths summed give every word's offsets, without an object a word
        parts = (_SPLIT_ASCII if text.isascii() else _SPLIT).split(text)
        if len(parts) == 1:  # no words ("?"): joined, they would come back as one empty word
            return [], [], []
        offsets = list(accumulate(map(len, parts)))
        # normalise every word in one pass: NUL separates them (\w never matches it, and no
        # normalisation makes or removes one), so the words come back one for one
        words = self.normalize("\0".join(parts[1::2])).split("\0")
        stop = self._stop
        if max(map(len, words)) <= MAX_WORD_CHARS:  # as mostly: no word's length to check
            kept = [i for i, w in enumerate(words) if w not in stop]
        else:
            kept = [i for i, w in enumerate(words) if w not in stop and len(w) <= MAX_WORD_CHARS]
        return self._stemmed([words[i] for i in kept]), offsets, kept

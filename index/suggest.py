"""Did you mean: for a question whose words occur in no article, the closest words the
collection does contain.

Closeness is the edit distance (insertions, deletions, substitutions and swaps of two adjacent
letters) between the unknown word and the words as the articles write them (their surface forms,
case-folded; never their stems, which are not words). A suggestion must be at least
`SIMILARITY` alike (1 - distance / the longer length): one edit in four letters, two in eight.
Shorter words get none, since one edit there makes another word more often than a typo's fix,
and neither does a word whose first two letters are both wrong. No suggestion is better than a
bad one. The words of a collection are read when first needed
and kept per article, so that an added or removed article changes only its own.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterable, Mapping

from index.analyzer import Analyzer
from index.store.base import Store

SIMILARITY = 0.75
MAX_DISTANCE = 2
MAX_WORDS = 5  # unknown words of a question looked at


def distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """The edit distance of `a` and `b` (optimal string alignment), or `limit + 1` as soon as
    it is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def similarity(a: str, b: str) -> float:
    """1 for the same word, less the more edits apart (0 past `MAX_DISTANCE`)."""
    edits = distance(a, b)
    return 0.0 if edits > MAX_DISTANCE else 1 - edits / max(len(a), len(b), 1)


def closest(word: str, words: Mapping[str, int]) -> str | None:
    """The known word most like `word` (`words`: each with how often it occurs), if one is
    alike enough: the fewest edits, then the most frequent, then the first alphabetically."""
    word = word.casefold()
    best: tuple[float, int, str] | None = None
    for known, count in words.items():
        if abs(len(known) - len(word)) > MAX_DISTANCE or known == word:
            continue
        if not _same_start(word, known):
            continue
        alike = similarity(word, known)
        if alike >= SIMILARITY and (best is None or (-alike, -count, known) < best):
            best = (-alike, -count, known)
    return None if best is None else best[2]


def _same_start(a: str, b: str) -> bool:
    """Whether two words start alike: the same first or second letter, or those two swapped.
    (A word whose first two letters are both wrong gets no suggestion: it keeps the search
    short, and such a word is rarely a typo.)"""
    return a[:1] == b[:1] or a[1:2] == b[1:2] or (a[:1] == b[1:2] and a[1:2] == b[:1])


def corrected(question: str, fixes: Mapping[str, str]) -> str:
    """The question with each word of `fixes` replaced by its fix (whole words only)."""
    for wrong, right in fixes.items():
        question = re.sub(rf"(?<!\w){re.escape(wrong)}(?!\w)", right, question)
    return question


class Suggestions:
    """The surface forms of each collection's words, read from the store on first need."""

    def __init__(self, store: Store, analyzer: Analyzer) -> None:
        self._store = store
        self._analyzer = analyzer
        self._words: dict[str, dict[int, Counter[str]]] = {}  # collection -> article -> words
        self._lock = asyncio.Lock()

    async def did_you_mean(
        self, collection: str, question: str, unknown: Iterable[str]
    ) -> str | None:
        """The question with its unknown words replaced by the closest known ones; None when
        no word has a close enough one."""
        unknown = list(unknown)[:MAX_WORDS]
        if not unknown:
            return None
        words = await self._collection_words(collection)
        fixes = await asyncio.to_thread(_fixes, unknown, words)
        return corrected(question, fixes) if fixes else None

    async def _collection_words(self, collection: str) -> Counter[str]:
        async with self._lock:
            known = self._words.setdefault(collection, {})
            articles = {a.id for a in await self._store.list_articles(collection)}
            for gone in known.keys() - articles:
                del known[gone]
            for article_id in sorted(articles - known.keys()):
                text = await self._store.get_text(article_id)
                known[article_id] = await asyncio.to_thread(self._surface_forms, text)
            total: Counter[str] = Counter()
            for counts in known.values():
                total.update(counts)
            return total

    def _surface_forms(self, text: str) -> Counter[str]:
        return Counter(text[t.start : t.end].casefold() for t in self._analyzer.tokens(text))


def _fixes(unknown: list[str], words: Mapping[str, int]) -> dict[str, str]:
    found = {word: closest(word, words) for word in unknown}
    return {word: fix for word, fix in found.items() if fix is not None}

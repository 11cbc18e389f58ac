"""Features tried for re-ranking and for choosing the quote, beside those `index.rank` uses.

None of them is in the answer path: fitted with the others (`fit_rank.py`), none gave a gain
that held on held-out articles of both tuning sets (see the README's "Answer quality"). They
are kept here so that the result can be reproduced.

Candidate features (`EXTRA`, each in [0, 1] or near):

* ``passage``: the share of the question's weight the passage holds (its heading's too);
* ``proximity``: 1 / MinDist, the smallest distance in terms between two different question
  terms in the passage (Tao & Zhai, SIGIR 2007), 0 with fewer than two;
* ``cover``: the distinct question terms the passage holds over the shortest run of its terms
  holding them all (cover density);
* ``title``: the share of the question's weight in the article's title (title as a field);
* ``rank``: 1 / the candidate's place in BM25's order;
* ``article``: the share of the candidates' relative BM25 scores that are its article's;
* ``type quote`` / ``type passage``: the question asks for a number or date (how many, when,
  what year...) or a name (who, where) and the quote / passage holds one that the question
  does not;
* ``words``: the passage's words / 100; ``quote words``: the quote's / 60.

Quote features (`QUOTE_FEATURES`) of each quote `index.quotes` may choose: its share of the
question's weight (what `choose_quote` ranks by), whether it holds an answer of the type asked
for, the share of the question's pairs side by side in it, its words / 60.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Container, Mapping, Sequence

from index.analyzer import Analyzer, Token
from index.passages import CUT_END, CUT_START
from index.quotes import MAX_QUOTE_WORDS, _candidates
from index.rank import Candidates, Scored, _weighted_pairs
from index.store.base import StoredPassage

EXTRA = (
    "passage",
    "proximity",
    "cover",
    "title",
    "rank",
    "article",
    "type quote",
    "type passage",
    "words",
    "quote words",
)
QUOTE_FEATURES = ("coverage", "type", "pairs", "words")

# --- the type of answer asked for --------------------------------------------------------------

NUMBER, NAME = "number", "name"
_ASKS = [
    (
        NUMBER,
        re.compile(
            r"\b(?:how (?:many|much|long|old|far|large|big|often|tall|high)|when|"
            r"what (?:year|date|day|month|century|decade|percentage|percent|age|number)|"
            r"which (?:year|date|day|month|century|decade))\b"
        ),
    ),
    (NAME, re.compile(r"\b(?:who|whom|whose|where)\b")),
]
_NUMBER = re.compile(
    r"\d+(?:[.,:]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|thousand|million|billion|half|dozen|january|february|"
    r"march|april|may|june|july|august|september|october|november|december|century|decade)s?\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<=[\w,;:] )[A-Z][\w'’.-]*")  # a capitalised word inside a sentence
_WORDS = re.compile(r"[\w'’.-]+")


def asks_for(question: str) -> str | None:
    """The type of answer a question asks for (`NUMBER`, `NAME`), None when it names none."""
    lowered = question.casefold()
    return next((kind for kind, pattern in _ASKS if pattern.search(lowered)), None)


def holds(kind: str | None, text: str, asked: Container[str]) -> bool:
    """Whether `text` holds an answer of `kind` that is none of the question's words."""
    if kind is None:
        return False
    pattern = _NUMBER if kind == NUMBER else _NAME
    return any(m.group().casefold() not in asked for m in pattern.finditer(text))


def question_words(question: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _WORDS.findall(question))


# --- candidate features ------------------------------------------------------------------------


def min_distance(terms: Sequence[str], weights: Mapping[str, float]) -> int | None:
    """MinDist: the smallest distance between two different question terms in `terms`."""
    last: dict[str, int] = {}
    best: int | None = None
    for i, term in enumerate(terms):
        if term not in weights:
            continue
        for other, j in last.items():
            if other != term and (best is None or i - j < best):
                best = i - j
        last[term] = i
    return best


def cover_density(terms: Sequence[str], weights: Mapping[str, float]) -> float:
    """Distinct question terms over the shortest run of `terms` holding all that occur."""
    wanted = set(terms) & weights.keys()
    if not wanted:
        return 0.0
    seen: dict[str, int] = {}
    best, left = len(terms), 0
    for right, term in enumerate(terms):
        if term in wanted:
            seen[term] = seen.get(term, 0) + 1
        while len(seen) == len(wanted):
            best = min(best, right - left + 1)
            dropped = terms[left]
            if dropped in seen:
                seen[dropped] -= 1
                if not seen[dropped]:
                    del seen[dropped]
            left += 1
    return len(wanted) / best


def extra_features(
    scored: Sequence[Scored], found: Candidates, question: str, analyzer: Analyzer
) -> list[tuple[float, ...]]:
    """Each candidate's `EXTRA` features, in the order of `scored`."""
    weights = found.weights
    total = sum(weights.values())
    kind, asked = asks_for(question), question_words(question)
    by_article: dict[int, float] = {}
    for c in scored:
        by_article[c.row.article.id] = by_article.get(c.row.article.id, 0.0) + c.features[0]
    all_scores = sum(by_article.values()) or 1.0
    out: list[tuple[float, ...]] = []
    for rank, c in enumerate(scored, 1):
        quoted = c.row.text[c.quote.start : c.quote.end]
        title = set(analyzer.terms(c.row.article.title or "")) & weights.keys()
        distance = min_distance(c.terms, weights)
        out.append(
            (
                sum(weights[t] for t in set(c.terms) & weights.keys()) / total,
                1 / distance if distance else 0.0,
                cover_density(c.terms, weights),
                sum(weights[t] for t in title) / total,
                1 / rank,
                by_article[c.row.article.id] / all_scores,
                float(holds(kind, quoted, asked)),
                float(holds(kind, c.row.text, asked)),
                len(c.row.text.split()) / 100,
                len(quoted.split()) / MAX_QUOTE_WORDS,
            )
        )
    return out


# --- quote features ----------------------------------------------------------------------------


def quote_options(
    row: StoredPassage, found: Candidates, question: str, terms: Sequence[str], analyzer: Analyzer
) -> list[tuple[tuple[int, int], tuple[float, ...], tuple[bool, bool, int, int]]]:
    """Every quote `choose_quote` may choose in `row` (a pair only where it covers more than
    either of its sentences): its span in the passage, its `QUOTE_FEATURES` and the key by
    which `choose_quote` breaks ties."""
    weights = found.weights
    total = sum(weights.values())
    kind, asked = asks_for(question), question_words(question)
    pairs = _weighted_pairs([found.corrected.get(t, t) for t in terms], weights)
    cuts = row.cuts or (0,) * len(row.sentences)
    starts = [s for s, _ in row.sentences]
    by_sentence: list[list[Token]] = [[] for _ in row.sentences]
    for token in analyzer.tokens(row.text):
        i = max((j for j, s in enumerate(starts) if s <= token.start), default=-1)
        if i >= 0 and token.end <= row.sentences[i][1]:
            by_sentence[i].append(token)
    matched = [{t.term for t in toks if t.term in weights} for toks in by_sentence]
    words = [len(row.text[s:e].split()) for s, e in row.sentences]

    def value(first: int, last: int) -> float:
        return sum(weights[t] for t in set().union(*matched[first : last + 1]))

    options: list[tuple[tuple[int, int], tuple[float, ...], tuple[bool, bool, int, int]]] = []
    for first, last, second in _candidates(cuts, words, MAX_QUOTE_WORDS):
        if second is not None and value(first, last) <= max(
            value(first, second - 1), value(second, last)
        ):
            continue
        span = (row.sentences[first][0], row.sentences[last][1])
        order = [t.term for toks in by_sentence[first : last + 1] for t in toks]
        adjacent = pairs.keys() & set(itertools.pairwise(order))
        length = sum(words[first : last + 1])
        features = (
            value(first, last) / total,
            float(holds(kind, row.text[span[0] : span[1]], asked)),
            sum(pairs[p] for p in adjacent) / sum(pairs.values()) if pairs else 0.0,
            length / MAX_QUOTE_WORDS,
        )
        tie = (
            not cuts[first] & CUT_START,
            not cuts[last] & CUT_END,
            -length if value(first, last) else 0,
            -first,
        )
        options.append((span, features, tie))
    return options

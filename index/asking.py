"""The CPU work of answering a question, as run on the compute thread (`index.compute`).

`search` analyses the question and asks the collection's index for BM25's candidates. With a
store that reads synchronously (SQLite, `store.base.PassageReader`), `answer` then reads the
candidates, quotes and re-ranks them and adds their citation links in the same piece of work:
one hop from the event loop for the whole answer. Otherwise the library reads between the
pieces (PostgreSQL, asynchronously).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index.analyzer import Analyzer, Token
from index.answer_type import answer_type
from index.community import follow_up_counts
from index.covering import Outline, Row, Whole
from index.indexes import _Loaded
from index.prior import load_frequencies, rarity
from index.rank import Candidates, RankSettings, Result, candidates, rerank, with_fragments
from index.store.base import PassageReader
from index.store.columns import find_tokens, token_count, token_patterns, token_spans
from index.vocabulary import Vocabulary

Sizes = tuple[int, int]  # how many candidates BM25 proposes, how many results are kept


@dataclass(frozen=True)
class Asked:
    """A question as asked: its text (normalised), the earlier question a follow-up follows
    ("" if none), and the passages it may be answered from (None: all; a topic's otherwise)."""

    question: str
    earlier: str = ""
    within: Sequence[int] | None = None


def search(
    analyzer: Analyzer, vocabulary: Vocabulary, loaded: _Loaded, asked: Asked, pool: int
) -> tuple[list[Token], Candidates]:
    """The question's tokens and BM25's best `pool` candidates (a typo read as the library
    term it misspells; a follow-up's earlier terms at a lower weight), with the type of answer
    the question asks for (`index.answer_type`: the quote holding it is preferred)."""
    tokens = analyzer.tokens(asked.question)
    counts = follow_up_counts([t.term for t in tokens], analyzer.terms(asked.earlier))
    query = {term: (vocabulary.get(term), n) for term, n in counts.items()}
    if not query:
        return tokens, Candidates([], {}, set())
    if any(term_id is None for term_id, _ in query.values()):
        load_frequencies()  # once a process, before the index's lock is held (0.3 s)

    def rarity_of(term: str) -> float:  # asked of a term the library lacks: its word's rarity
        words = _words(analyzer, asked.question, tokens, term) or [term]
        return min(rarity(word) for word in words)  # its most common form counts

    found = loaded.call(candidates, query, pool, asked.within, vocabulary.get, rarity_of)
    asks = answer_type(asked.question)  # (`dataclasses.replace` took longer than the rest)
    return tokens, Candidates(found.hits, found.weights, found.present, found.corrected, asks)


def _words(analyzer: Analyzer, question: str, tokens: Sequence[Token], term: str) -> list[str]:
    """The words (normalised, not stemmed) of `question` that `term` came from."""
    return [analyzer.normalize(question[t.start : t.end]) for t in tokens if t.term == term]


def answer(
    analyzer: Analyzer,
    vocabulary: Vocabulary,
    loaded: _Loaded,
    asked: Asked,
    sizes: Sizes,
    settings: RankSettings,
    where: tuple[str, PassageReader],
) -> tuple[list[Token], Candidates, list[Result]]:
    """The whole answer: the question's tokens, BM25's candidates (`sizes`: how many
    candidates, how many results) and the quoted results, read with the synchronous reader of
    `where` (collection, reader): the candidates' heads, then the text and article of those
    quoted only (`rank.rerank`)."""
    pool, k = sizes
    collection, reader = where
    tokens, found = search(analyzer, vocabulary, loaded, asked, pool)
    if not found.hits:
        return tokens, found, []
    rows = reader.heads(collection, [hit.doc_id for hit in found.hits])
    results = quoted(found, rows, (tokens, vocabulary), analyzer, settings, k, reader.whole)
    linked = sorted({r.article.id for r in results if r.article.url})
    return tokens, found, with_fragments(results, reader.texts(linked))


def quoted(
    found: Candidates,
    rows: Mapping[int, Row],
    question: tuple[list[Token], Vocabulary],
    analyzer: Analyzer,
    settings: RankSettings,
    k: int,
    whole: Whole | None = None,
) -> list[Result]:
    """The candidates quoted and re-ranked (`rank.rerank`), their stored tokens read for the
    `question` (its tokens, and the vocabulary they were searched with); heads among `rows`
    are read `whole` when quoted."""
    tokens, vocabulary = question
    read = outlines(rows, question_terms(vocabulary, found))
    terms = [t.term for t in tokens]
    return rerank(found, rows, terms, analyzer, settings, k, read, whole=whole)


def question_terms(vocabulary: Vocabulary, found: Candidates) -> dict[int, str]:
    """The question's terms that the collection holds, by term id."""
    ids = {term: vocabulary.get(term) for term in found.present}
    return {term_id: term for term, term_id in ids.items() if term_id is not None}


def outlines(rows: Mapping[int, Row], terms: Mapping[int, str]) -> dict[int, Outline]:
    """What the ranking reads of the passages' tokens (`rank.Outline`), from their stored
    tokens, by passage id (those stored before them are analysed by the ranking, as always).

    The ranking reads of a passage's tokens only where the question's terms (`terms`, by id)
    are and which of them stand side by side, so each of those is a token and each run of
    other tokens between them one placeholder (term "", never a question's term, with the span
    of the run's first token): the quote, its highlights and the re-ranking come out as from
    every token, without analysing. The question's tokens are found in the stored bytes
    (`columns.find_tokens`); the question's terms each passage holds, and the pairs of them
    side by side, are read for every passage, its tokens made only when the ranking quotes it.
    """
    out = {}
    patterns = token_patterns(terms)
    for key, row in rows.items():
        stored = row.stored_tokens
        if stored is None:
            continue
        found = find_tokens(stored, patterns)
        adjacent = frozenset(
            [(a[1], b[1]) for a, b in itertools.pairwise(found) if b[0] == a[0] + 1]
        )
        lead = found[0][1] if found and found[0][0] == 0 else ""
        held = frozenset([term for _, term in found])
        out[key] = Outline(held, adjacent, lead, _Tokens(stored, found))
    return out


class _Tokens:
    """A passage's tokens as the ranking reads them (see `outlines`), made when first asked
    for: from its stored tokens, and the places of its question tokens with their terms."""

    def __init__(self, stored: bytes, found: list[tuple[int, str]]) -> None:
        self._stored, self._found = stored, found
        self._made: list[Token] | None = None

    def __call__(self) -> list[Token]:
        if self._made is None:
            stored, tokens = self._stored, []
            count = token_count(stored)
            spans = token_spans(stored)  # (start, end, start, ...): one call, not one a token
            last = -1  # the last question token's place
            for place, term in self._found:
                if place > last + 1:  # other tokens stood between: one placeholder for them
                    tokens.append(Token("", spans[2 * last + 2], spans[2 * last + 3]))
                tokens.append(Token(term, spans[2 * place], spans[2 * place + 1]))
                last = place
            if last + 1 < count:
                tokens.append(Token("", spans[2 * last + 2], spans[2 * last + 3]))
            self._made = tokens
        return self._made

"""Splitting an article into sentences and passages, keeping offsets into the article's text.

A passage is a few whole sentences (the library's default: 55–170 words, about 120). Every
sentence and passage is a span ``(start, end)`` of the stored article text, so every quote is an
exact substring of it.
Sentence boundaries come from sentencex (rule-based, ships its abbreviation lists): abbreviations,
initials, decimals and quotations do not end sentences. Paragraphs (blank-line separated) are hard
boundaries, and so are lines complete in themselves (headings, list items); hard-wrapped lines are
read through. A sentence too long to quote is cut at a clause or word boundary.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass

import sentencex

_PARAGRAPH = re.compile(r"[^\n]+(?:\n[ \t]*[^\s][^\n]*)*")  # lines up to a blank line
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\S+")
_CLAUSE_END = re.compile(r"[;:,–—)]$")
_HARD_END = re.compile(r"""[.!?:;"”’)\]]\s*$""")
_LIST_ITEM = re.compile(r"\s*(?:[-*•–]|\d+[.)]|#+)\s")


@dataclass(frozen=True)
class PassageSettings:
    """How articles are cut into passages. Stored with the index: changing it re-splits."""

    target_words: int = 80
    max_words: int = 120
    min_words: int = 40
    max_sentence_words: int = 50
    overlap_sentences: int = 0
    title_weight: int = 0  # times the article's title terms count in each passage
    version: int = 1

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


Span = tuple[int, int]


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences: its span and its sentences' spans, all in article offsets."""

    start: int
    end: int
    sentences: tuple[Span, ...]


def _word_count(text: str, span: Span) -> int:
    return len(_WORD.findall(text, span[0], span[1]))


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _cut_long(text: str, span: Span, max_words: int) -> list[Span]:
    """Cut a sentence longer than max_words into pieces, preferring clause ends."""
    words = list(_WORD.finditer(text, span[0], span[1]))
    if len(words) <= max_words:
        return [span]
    pieces: list[Span] = []
    n_pieces = math.ceil(len(words) / max_words)
    size = math.ceil(len(words) / n_pieces)
    first = 0
    while first < len(words):
        last = min(first + size, len(words)) - 1
        if last < len(words) - 1:
            # move the cut back to a clause end if one is near
            for j in range(last, max(first + size // 2, first) - 1, -1):
                if _CLAUSE_END.search(words[j].group()):
                    last = j
                    break
        pieces.append((words[first].start(), words[last].end()))
        first = last + 1
    return pieces


def _units(text: str, start: int, end: int) -> list[Span]:
    """A paragraph's runs of lines that belong together.

    A line break ends a unit when the line is complete in itself (it ends a sentence or clause,
    is a heading or list item, or is much shorter than its neighbours); other breaks are hard
    wraps inside a sentence, which must not cut it.
    """
    lines = [m.span() for m in _LINE.finditer(text, start, end) if m.group().strip()]
    if not lines:
        return []
    longest = max(e - s for s, e in lines)
    units: list[Span] = []
    unit_start = lines[0][0]
    for (s, e), following in zip(lines, [*lines[1:], None], strict=True):
        if following is None:
            units.append((unit_start, e))
            break
        line = text[s:e]
        complete = (
            _HARD_END.search(line) is not None
            or _LIST_ITEM.match(line) is not None
            or _LIST_ITEM.match(text[following[0] : following[1]]) is not None
            or e - s < longest // 2
        )
        if complete:
            units.append((unit_start, e))
            unit_start = following[0]
    return units


def split_sentences(text: str, max_words: int = 50) -> list[list[Span]]:
    """Sentences of `text`, grouped by paragraph, as trimmed spans."""
    paragraphs: list[list[Span]] = []
    for para in _PARAGRAPH.finditer(text):
        sentences: list[Span] = []
        for unit_start, unit_end in _units(text, para.start(), para.end()):
            unit = text[unit_start:unit_end]
            for b in sentencex.get_sentence_boundaries("en", unit):
                span = _trim(text, unit_start + b["start_index"], unit_start + b["end_index"])
                if span is not None:
                    sentences.extend(_cut_long(text, span, max_words))
        if sentences:
            paragraphs.append(sentences)
    return paragraphs


def _chunk(text: str, sentences: list[Span], settings: PassageSettings) -> list[list[Span]]:
    """Cut one paragraph's sentences into runs of about target_words, at most max_words."""
    counts = [_word_count(text, s) for s in sentences]
    total = sum(counts)
    if total <= settings.max_words:
        return [sentences]
    n = math.ceil(total / settings.target_words)
    per = total / n
    chunks: list[list[Span]] = [[]]
    words = 0
    for sentence, count in zip(sentences, counts, strict=True):
        current = chunks[-1]
        # start a new chunk when this one has its share, or this sentence would overflow it
        if current and (words >= per or words + count > settings.max_words):
            chunks.append([])
            words = 0
        chunks[-1].append(sentence)
        words += count
    return chunks


def split_passages(text: str, settings: PassageSettings | None = None) -> list[Passage]:
    """Cut an article into passages of whole sentences."""
    settings = settings or PassageSettings()
    chunks: list[list[Span]] = []
    for sentences in split_sentences(text, settings.max_sentence_words):
        chunks.extend(_chunk(text, sentences, settings))

    # merge chunks that are too short with a neighbour (short paragraphs, headings)
    merged: list[list[Span]] = []
    merged_words: list[int] = []
    for chunk in chunks:
        words = sum(_word_count(text, s) for s in chunk)
        if (
            merged
            and (merged_words[-1] < settings.min_words or words < settings.min_words)
            and merged_words[-1] + words <= settings.max_words
        ):
            merged[-1] = merged[-1] + chunk
            merged_words[-1] += words
        else:
            merged.append(list(chunk))
            merged_words.append(words)

    overlap = settings.overlap_sentences
    passages: list[Passage] = []
    for i, chunk in enumerate(merged):
        sentences = chunk
        if overlap and i > 0:
            sentences = merged[i - 1][-overlap:] + chunk
        passages.append(Passage(sentences[0][0], sentences[-1][1], tuple(sentences)))
    return passages

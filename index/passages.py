"""Splitting an article into sentences and passages, keeping offsets into the article's text.

A passage is a few whole sentences (the library's default: 55–170 words, about 120) under one
heading. Every sentence and passage is a span ``(start, end)`` of the stored article text, so every
quote is an exact substring of it.
Sentence boundaries come from sentencex (rule-based, ships its abbreviation lists): abbreviations,
initials, decimals and quotations do not end sentences. Paragraphs (blank-line separated) are hard
boundaries, and so are lines complete in themselves (list items); hard-wrapped lines are read
through. A Markdown heading (``## Asking a question``) is not a sentence: it starts a new passage,
and the passages under it carry it (and the headings above it) as their context.
A sentence too long to quote is cut into pieces at a clause or word boundary; each piece records
which of its ends cut its sentence (`CUT_START`, `CUT_END`), so that a quote can say so.

Limits hold whatever the text: a piece has at most `max_sentence_words` words and a passage at most
`max_words`, and neither has more than `CHARS_PER_WORD` characters a word (text without spaces is
cut all the same). The text is read in blocks of at most `BLOCK_CHARS` characters, so that no
single step (a regular expression, sentencex) runs long on a huge paragraph while holding the GIL.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import sentencex

from index.boundaries import repair

CUT_START = 1  # a piece that begins inside its sentence
CUT_END = 2  # a piece that ends inside its sentence
CHARS_PER_WORD = 10  # a limit in words allows this many characters a word (about 6 is usual)
BLOCK_CHARS = 10_000  # the text is read in blocks this long at most

_PARAGRAPH = re.compile(r"[^\n]+(?:\n[ \t]*[^\s][^\n]*)*")  # lines up to a blank line
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\S+")
_CLAUSE_END = re.compile(r"[;:,–—)]$")
_HARD_END = re.compile(r"""[.!?:;"”’)\]]\s*$""")
_LIST_ITEM = re.compile(r"\s*(?:[-*•–]|\d+[.)]|#+)\s")
_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")  # an ATX heading
# Where a block may end, best first: the last paragraph break, sentence end, line break or space
# in the second half of the block (the leading `.*` makes each find the last one).
_BLOCK_ENDS = [
    re.compile(r"(?s:.*)" + end) for end in (r"\n[ \t]*\n", r"""[.!?]["”’)\]]*\s""", r"\n", r"\s")
]


@dataclass(frozen=True)
class PassageSettings:
    """How articles are cut into passages. Stored with the index: changing it re-splits."""

    target_words: int = 80
    max_words: int = 120
    min_words: int = 40
    max_sentence_words: int = 50
    overlap_sentences: int = 0
    title_weight: int = 0  # times the article's title (and a passage's headings') terms count
    version: int = 2  # 2: character limits, cut pieces marked, headings

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


Span = tuple[int, int]


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences (or pieces of one) under the same headings, in article offsets.

    `cuts` has one entry a sentence: `CUT_START` and `CUT_END` bits. `headings` are the
    headings the passage is under, outermost first: the last is its context.
    """

    start: int
    end: int
    sentences: tuple[Span, ...]
    cuts: tuple[int, ...] = ()
    headings: tuple[Span, ...] = ()


@dataclass
class _Paragraph:
    """A paragraph's sentences (or the part of one that follows a heading) as they are read."""

    headings: tuple[Span, ...]
    sentences: list[Span] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    words: list[int] = field(default_factory=list)  # each sentence's (counted once)


def _word_count(text: str, span: Span) -> int:
    return len(text[span[0] : span[1]].split())  # `_WORD`'s words (white space is the same)


def _words(text: str, span: Span, max_chars: int) -> list[Span]:
    """The words of a span; a word longer than `max_chars` counts as several of that length."""
    words: list[Span] = []
    for match in _WORD.finditer(text, span[0], span[1]):
        start, end = match.span()
        while end - start > max_chars:
            words.append((start, start + max_chars))
            start += max_chars
        words.append((start, end))
    return words


def _fit_chars(words: list[Span], max_chars: int) -> list[Span]:
    """Consecutive words (each at most `max_chars` long) in pieces of at most `max_chars`."""
    pieces: list[Span] = []
    first = 0
    for j in range(1, len(words)):
        if words[j][1] - words[first][0] > max_chars:
            pieces.append((words[first][0], words[j - 1][1]))
            first = j
    pieces.append((words[first][0], words[-1][1]))
    return pieces


def _cut_long(text: str, span: Span, max_words: int) -> list[Span]:
    """A sentence as pieces of at most max_words words (and their characters), cut at clause
    ends where one is near; each piece from its first word to its last (so without the white
    space around), none when the span holds no word."""
    max_chars = max_words * CHARS_PER_WORD
    sentence = text[span[0] : span[1]]
    if len(sentence) <= max_chars and len(sentence.split()) <= max_words:  # one piece: most
        return _trimmed(sentence, span[0])
    words = _words(text, span, max_chars)
    if not words:
        return []
    pieces: list[Span] = []
    n_pieces = math.ceil(len(words) / max_words)
    size = math.ceil(len(words) / n_pieces)
    first = 0
    while first < len(words):
        last = min(first + size, len(words)) - 1
        if last < len(words) - 1:
            # move the cut back to a clause end if one is near
            for j in range(last, max(first + size // 2, first) - 1, -1):
                if _CLAUSE_END.search(text, *words[j]):
                    last = j
                    break
        pieces.extend(_fit_chars(words[first : last + 1], max_chars))
        first = last + 1
    return pieces


def _trimmed(sentence: str, start: int) -> list[Span]:
    """A sentence (at `start`) as one piece, without the white space around (`split` and
    `strip` know white space as `_WORD` does); none when it holds no word."""
    end = start + len(sentence.rstrip())
    start += len(sentence) - len(sentence.lstrip())
    return [(start, end)] if start < end else []


def _counted_pieces(text: str, span: Span, max_words: int) -> tuple[list[Span], list[int]]:
    """`_cut_long`'s pieces and the words of each (a sentence of one piece, as mostly, is
    split once)."""
    sentence = text[span[0] : span[1]]
    words = len(sentence.split())
    if len(sentence) <= max_words * CHARS_PER_WORD and words <= max_words:
        pieces = _trimmed(sentence, span[0])
        return pieces, [words] * len(pieces)
    pieces = _cut_long(text, span, max_words)
    return pieces, [_word_count(text, piece) for piece in pieces]


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


def _blocks(text: str) -> Iterator[tuple[int, int, bool]]:
    """The text in blocks of at most BLOCK_CHARS: (start, end, whether the block ends inside a
    sentence). A block ends at the best break in its second half (see `_BLOCK_ENDS`), else
    anywhere but before a combining mark."""
    start = 0
    while len(text) - start > BLOCK_CHARS:
        low, end = start + BLOCK_CHARS // 2, start + BLOCK_CHARS
        for rank, pattern in enumerate(_BLOCK_ENDS):
            match = pattern.match(text, low, end)
            if match:
                end, inside = match.end(), rank > 1  # a line break or a space: inside a sentence
                break
        else:
            while end > low and unicodedata.combining(text[end]):
                end -= 1
            inside = True
        yield start, end, inside
        start = end
    yield start, len(text), False


def _paragraphs(text: str, max_sentence_words: int) -> Iterator[_Paragraph]:
    """The text's paragraphs that hold sentences (cut into pieces where long), with their
    headings. They are read block by block and each is given out once no later block can
    change it (a block that ends inside a sentence marks the last piece read as cut), so that
    a large article's paragraphs are not all held at once."""
    held: list[_Paragraph] = []  # read, not given out yet
    max_chars = max_sentence_words * CHARS_PER_WORD
    # the headings read so far that are still open: (level, span)
    stack: list[tuple[int, Span]] = []
    continues = False  # the previous block ended inside a sentence
    for block_start, block_end, inside in _blocks(text):
        for para in _PARAGRAPH.finditer(text, block_start, block_end):
            current = _Paragraph(tuple(span for _, span in stack))
            held.append(current)
            for unit_start, unit_end in _units(text, para.start(), para.end()):
                heading = _HEADING.fullmatch(text, unit_start, unit_end)
                if heading:
                    if heading.group(2).strip("#"):  # "## ##" is an empty heading
                        level = len(heading.group(1))
                        stack = [(lv, span) for lv, span in stack if lv < level]
                        stack.append((level, heading.span(2)))
                    current = _Paragraph(tuple(span for _, span in stack))
                    held.append(current)
                    continue
                unit = text[unit_start:unit_end]
                found = sentencex.get_sentence_boundaries("en", unit)
                bounds = [(b["start_index"], b["end_index"]) for b in found]
                for start, end in repair(unit, bounds):  # sentencex's errors mended
                    start, end = unit_start + start, unit_start + end
                    sentence = text[start:end]
                    n = len(sentence.split())
                    if (
                        n
                        and n <= max_sentence_words
                        and len(sentence) <= max_chars
                        and not continues
                    ):
                        # one piece, not cut, as mostly (`_counted_pieces` and `_trimmed` inline)
                        lead = len(sentence) - len(sentence.lstrip())
                        current.sentences.append((start + lead, start + len(sentence.rstrip())))
                        current.words.append(n)
                        current.cuts.append(0)
                        continue
                    pieces, words = _counted_pieces(text, (start, end), max_sentence_words)
                    if not pieces:  # white space only
                        continue
                    last = len(pieces) - 1
                    current.sentences.extend(pieces)
                    current.words.extend(words)
                    current.cuts.extend(
                        (CUT_START if i else 0) | (CUT_END if i < last else 0)
                        for i in range(last + 1)
                    )
                    if continues:
                        current.cuts[-last - 1] |= CUT_START
                        continues = False
        held = [p for p in held if p.sentences]
        if inside:
            if held:
                held[-1].cuts[-1] |= CUT_END
            continues = True
        yield from held[:-1]
        held = held[-1:]
    yield from held


def split_sentences(text: str, max_words: int = 50) -> list[list[Span]]:
    """Sentences of `text` (headings left out), grouped by paragraph, as trimmed spans."""
    return [p.sentences for p in _paragraphs(text, max_words)]


def _groups(paragraph: _Paragraph, settings: PassageSettings) -> tuple[list[list[int]], list[int]]:
    """A paragraph's sentences as runs that a passage keeps together: the pieces of one
    sentence, unless together they exceed a passage's limits; and the words of each run."""
    max_chars = settings.max_words * CHARS_PER_WORD
    cuts, sentences, words = paragraph.cuts, paragraph.sentences, paragraph.words
    groups: list[list[int]] = []
    for i in range(len(sentences)):
        if groups and cuts[i] & CUT_START:
            groups[-1].append(i)
        else:
            groups.append([i])
    kept: list[list[int]] = []
    counts: list[int] = []
    for group in groups:
        if len(group) == 1:  # a sentence not cut, as mostly: kept as it is
            kept.append(group)
            counts.append(words[group[0]])
            continue
        total = sum(words[i] for i in group)
        chars = sentences[group[-1]][1] - sentences[group[0]][0]
        if total <= settings.max_words and chars <= max_chars:
            kept.append(group)
            counts.append(total)
        else:
            kept.extend([i] for i in group)
            counts.extend(words[i] for i in group)
    return kept, counts


def _chunk(paragraph: _Paragraph, settings: PassageSettings) -> list[tuple[list[int], int]]:
    """Cut one paragraph's sentences into runs of about target_words, at most max_words (and
    their characters); the indexes of the sentences in each run, and its words."""
    max_chars = settings.max_words * CHARS_PER_WORD
    sentences = paragraph.sentences
    groups, counts = _groups(paragraph, settings)
    total = sum(counts)
    if total <= settings.max_words and sentences[-1][1] - sentences[0][0] <= max_chars:
        return [(list(range(len(sentences))), total)]
    n = math.ceil(total / settings.target_words)
    per = total / n
    chunks: list[list[int]] = [[]]
    sizes = [0]  # each chunk's words
    for group, count in zip(groups, counts, strict=True):
        current = chunks[-1]
        # start a new chunk when this one has its share, or this group would overflow it
        if current and (
            sizes[-1] >= per
            or sizes[-1] + count > settings.max_words
            or sentences[group[-1]][1] - sentences[current[0]][0] > max_chars
        ):
            chunks.append([])
            sizes.append(0)
        chunks[-1].extend(group)
        sizes[-1] += count
    return list(zip(chunks, sizes, strict=True))


def split_passages(text: str, settings: PassageSettings | None = None) -> list[Passage]:
    """Cut an article into passages of whole sentences."""
    return list(iter_passages(text, settings))


def iter_passages(text: str, settings: PassageSettings | None = None) -> Iterator[Passage]:
    """`split_passages`, one passage at a time (a large article's are not all held at once)."""
    settings = settings or PassageSettings()
    chunks = (
        (
            Passage(
                paragraph.sentences[run[0]][0],
                paragraph.sentences[run[-1]][1],
                tuple(paragraph.sentences[i] for i in run),
                tuple(paragraph.cuts[i] for i in run),
                paragraph.headings,
            ),
            words,
        )
        for paragraph in _paragraphs(text, settings.max_sentence_words)
        for run, words in _chunk(paragraph, settings)
    )
    overlap = settings.overlap_sentences
    before = None
    for passage in _merge_short(chunks, settings):
        if overlap and before is not None and before.headings == passage.headings:
            sentences = before.sentences[-overlap:] + passage.sentences
            cuts = before.cuts[-overlap:] + passage.cuts
            yield Passage(sentences[0][0], passage.end, sentences, cuts, passage.headings)
        else:
            yield passage
        before = passage


def _merge_short(
    chunks: Iterator[tuple[Passage, int]], settings: PassageSettings
) -> Iterator[Passage]:
    """Chunks (with their words) too short (short paragraphs) merged with the one before,
    under the same headings and within the limits."""
    max_chars = settings.max_words * CHARS_PER_WORD
    previous: Passage | None = None
    previous_words = 0
    for chunk, words in chunks:
        if (
            previous is not None
            and previous.headings == chunk.headings
            and (previous_words < settings.min_words or words < settings.min_words)
            and previous_words + words <= settings.max_words
            and chunk.end - previous.start <= max_chars
        ):
            sentences = previous.sentences + chunk.sentences
            cuts = previous.cuts + chunk.cuts
            previous = Passage(previous.start, chunk.end, sentences, cuts, chunk.headings)
            previous_words += words
        else:
            if previous is not None:
                yield previous
            previous, previous_words = chunk, words
    if previous is not None:
        yield previous

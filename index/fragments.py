"""Text fragments: the `#:~:text=` directive that makes a browser scroll to and highlight
exactly one quote of an article (`text_fragment`).

A browser looks for a directive's `start` at its first occurrence in the page (case aside, white
space collapsed, at word boundaries), then for its `end` at the first occurrence after that; each
must lie within one block (a paragraph, a list item). So a quote is named by its first and last
words, as few as make its `start` occur once in the article and its `end` first occur where the
quote ends; a short quote on one line is named whole. Where even the quote's whole first line
occurs elsewhere, the words before it on its line are added as a `prefix`. Only the stored text
is known here: a page may repeat the words in what is not its article (menus, other headlines).

The article is searched in windows, so that no single step holds the GIL for long on a large one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MIN_WORDS = 4  # words of a start or an end at least
WHOLE_WORDS = 8  # a one-line quote of at most this many words is named whole
_WINDOW = 1 << 18  # characters searched at a time
_OVERLAP = 4096  # longer than any phrase searched for
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class TextFragment:
    """A text directive's parts, as text (not yet percent-encoded)."""

    start: str
    end: str | None = None
    prefix: str | None = None


def _pattern(words: Sequence[str]) -> re.Pattern[str]:
    """Words as a browser matches them: any white space between, case aside, whole words."""
    body = r"\s+".join(re.escape(word) for word in words)
    before = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    after = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    return re.compile(before + body + after, re.IGNORECASE)


def _starts(pattern: re.Pattern[str], text: str, most: int) -> list[int]:
    """Where `pattern` matches in `text` (at most `most` places), searched window by window."""
    found: list[int] = []
    for low in range(0, len(text), _WINDOW):
        for match in pattern.finditer(text, low, low + _WINDOW + _OVERLAP):
            if match.start() >= low + _WINDOW:
                break
            found.append(match.start())
            if len(found) >= most:
                return found
    return found


def _lines(text: str, start: int, end: int) -> list[list[tuple[int, int]]]:
    """The quote's words, line by line (a line break may be a block's end in the page)."""
    lines: list[list[tuple[int, int]]] = [[]]
    position = start
    for match in _WORD.finditer(text, start, end):
        if "\n" in text[position : match.start()]:
            lines.append([])
        lines[-1].append(match.span())
        position = match.end()
    return lines


def _words(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


def _unique_start(text: str, line: list[tuple[int, int]]) -> int:
    """How many of the line's first words occur together once in `text` (all of them when even
    the whole line occurs more than once)."""
    count = min(MIN_WORDS, len(line))
    places = _starts(_pattern(_words(text, line[:count])), text, len(text))
    while len(places) > 1 and count < len(line):
        count += 1
        pattern = _pattern(_words(text, line[:count]))
        places = [p for p in places if pattern.match(text, p)]
    return count


def _end_words(text: str, line: list[tuple[int, int]], after: int, most: int) -> int | None:
    """How many of the line's last words (at most `most`) are first found, after `after`,
    where the line ends; None when no number of them is."""
    for count in range(min(MIN_WORDS, most), most + 1):
        found = _pattern(_words(text, line[-count:])).search(text, after)
        if found is not None and found.end() == line[-1][1]:
            return count
    return None


def _prefix(text: str, quote_start: int, start_words: list[str]) -> str | None:
    """The fewest words before the quote on its line that, with its start, occur once."""
    line_start = text.rfind("\n", 0, quote_start) + 1
    before = _words(text, [m.span() for m in _WORD.finditer(text, line_start, quote_start)])
    for count in range(1, len(before) + 1):
        words = before[-count:]
        if len(_starts(_pattern(words + start_words), text, 2)) == 1:
            return " ".join(words)
    return None


def text_fragment(text: str, start: int, end: int) -> TextFragment:
    """The directive that finds exactly `text[start:end]` (a quote) in a page of `text`."""
    lines = [line for line in _lines(text, start, end) if line]
    if not lines:  # white space alone
        return TextFragment(text[start:end])
    first, last = lines[0], lines[-1]
    count = _unique_start(text, first)
    start_words = _words(text, first[:count])
    prefix = None
    if len(_starts(_pattern(start_words), text, 2)) > 1:
        prefix = _prefix(text, start, start_words)
    whole = " ".join(_words(text, first))
    if len(lines) == 1 and (len(first) <= WHOLE_WORDS or count == len(first)):
        return TextFragment(whole, prefix=prefix)
    most = len(last) if len(lines) > 1 else len(first) - count
    ending = _end_words(text, last, first[count - 1][1], most)
    if ending is None:  # only over lines: a line's rest after the start is always found
        ending = min(MIN_WORDS, len(last))  # the page may still find it; nothing finds it better
    return TextFragment(" ".join(start_words), " ".join(_words(text, last[-ending:])), prefix)

"""Cleaning text: whitespace and invisible characters (`normalise`), pasted or plain text
(`clean_text`: the title from its first line, page furniture dropped at the end) and Markdown
(`split_markdown`: the title from a leading heading).

The article text is kept verbatim, because every quote shown later must be an exact substring of
it. The only changes made are to whitespace (line endings, trailing spaces, blank lines),
invisible characters (zero-width, control and bidirectional control characters, soft hyphens),
lone surrogates (made U+FFFD) and, for pasted text,
page furniture at the very end (`index.ingest.furniture`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.ingest.furniture import drop_trailing_furniture, ends_sentence, is_furniture
from index.ingest.titles import run_in_headline

MIN_ARTICLE_WORDS = 25  # fewer words of prose than this is not an article

_WORD = re.compile(r"\w+")

_LINE_BREAK = re.compile("\r\n?|[\x0b\x0c\x85\u2028]")  # and U+2029 ends a paragraph
# Control characters (but tab and newline), soft hyphen, zero-width space, direction marks,
# bidirectional embeddings, overrides and isolates, word joiner and invisible operators, BOM /
# zero-width no-break space.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    r"\u2060-\u2069\ufeff]"
)
# Half of a UTF-16 surrogate pair on its own (from JSON escapes, or undecodable file names): it
# cannot be encoded, so it is shown as the replacement character, as a damaged byte is.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Zero-width (non-)joiners matter between two non-ASCII letters (Persian, Indic scripts, emoji
# sequences); anywhere else (e.g. "\u200ciPhone", or next to another joiner) they are debris.
_STRAY_JOINER = re.compile(
    r"[\u200c\u200d](?:(?![^\s\x00-\x7f\u200c\u200d])|(?<![^\s\x00-\x7f\u200c\u200d][\u200c\u200d]))"
)
# A block whose longest line is this long is one paragraph per line, not hard-wrapped text.
_PARAGRAPH_LINE_CHARS = 100


_CHUNK = 1 << 16  # characters normalised at a time: no regex holds the GIL for long
# Chunks are never cut beside these: "\r\n" is one break, and whether a joiner stays depends
# on its neighbours once invisible characters are gone.
_NO_CUT = re.compile(f"[\r\u200c\u200d]|{_INVISIBLE.pattern}")
# any character that `_normalise` changes or removes (joiners, whether stray or not), in one
# class: one pass over the text finds none, as mostly
_TOUCHED = re.compile(
    "[\r\x0b\x0c\x85\u2028\u2029\u200c\u200d"
    + _SURROGATE.pattern[1:-1]
    + _INVISIBLE.pattern[1:-1]
    + "]"
)


def normalise(text: str) -> str:
    """Line breaks made "\\n", invisible characters (control, zero-width and bidirectional
    controls) and stray zero-width joiners removed, lone surrogates made U+FFFD.

    The same for articles and questions. A long text is done in chunks, so that no single
    regular expression holds the GIL (and so the event loop) for long.
    """
    if len(text) <= _CHUNK:
        return _normalise(text)
    return "".join(map(_normalise, _chunks(text)))


def _normalise(text: str) -> str:
    if _TOUCHED.search(text) is None:
        return text
    text = _LINE_BREAK.sub("\n", text).replace("\u2029", "\n\n")
    text = _SURROGATE.sub("\ufffd", text)
    return _STRAY_JOINER.sub("", _INVISIBLE.sub("", text))


def _chunks(text: str) -> Iterator[str]:
    """The text in pieces of about `_CHUNK` characters, never cut where a neighbour matters."""
    start = 0
    while start < len(text):
        end = min(start + _CHUNK, len(text))
        while end < len(text) and (_NO_CUT.match(text, end - 1) or _NO_CUT.match(text, end)):
            end += 1
        yield text[start:end]
        start = end


def _blocks(text: str, *, split_long_lines: bool) -> list[list[str]]:
    """Normalised text as blocks (paragraphs) of non-blank lines, trailing spaces stripped."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in normalise(text).split("\n"):
        line = raw.rstrip()
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    if not split_long_lines:
        return blocks
    out: list[list[str]] = []
    for block in blocks:
        if len(block) > 1 and max(map(len, block)) >= _PARAGRAPH_LINE_CHARS:
            out.extend([line] for line in block)
        else:
            out.append(block)
    return out


def _join(blocks: list[list[str]]) -> str:
    return "\n\n".join("\n".join(block) for block in blocks if block)


def count_words(text: str) -> int:
    """How many words (runs of letters and digits) a text has."""
    return len(_WORD.findall(text))


def tidy(value: object) -> str | None:
    """A metadata value as one tidy line, or None when it is not a non-blank string."""
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


# --------------------------------------------------------------------------------------------
# Titles and pasted text
# --------------------------------------------------------------------------------------------

_TITLE_MAX_WORDS = 20
_TITLE_MAX_CHARS = 200


def looks_like_title(line: str) -> bool:
    """Whether a line reads as a headline: short, with letters, no final full stop."""
    return (
        len(line.strip()) <= _TITLE_MAX_CHARS
        and 0 < len(line.split()) <= _TITLE_MAX_WORDS
        and any(ch.isalpha() for ch in line)
        and not ends_sentence(line)
        and not line.rstrip().endswith((",", ";", ":", "-", "–", "—"))
        and not is_furniture(line)
    )


def _take_title(blocks: list[list[str]]) -> tuple[str | None, list[list[str]]]:
    """Split off the first line as the title when it looks like one (in a one-line text, the
    Title Case headline it opens with: `run_in_headline`)."""
    if len(blocks) == 1 and len(blocks[0]) == 1:
        found = run_in_headline(blocks[0][0])
        if found is None or not looks_like_title(found[0]):
            return None, blocks
        return found[0], [[found[1]]]
    if not blocks or not looks_like_title(blocks[0][0]):
        return None, blocks
    first, *rest = blocks[0]
    if rest:
        # The next line follows without a blank line: a title only if it does not read on.
        if rest[0].lstrip()[:1].islower():
            return None, blocks
        body = [rest, *blocks[1:]]
    else:
        body = blocks[1:]
    if not body:
        return None, blocks  # the whole text is one short line: that is the text, not a title
    title = re.sub(r"^#+\s+", "", first.strip())
    return title, body


def clean_text(text: str) -> tuple[str | None, str]:
    """Pasted or plain text -> (title or None, body).

    Normalises line endings, removes zero-width and control characters, strips trailing spaces,
    collapses runs of blank lines and keeps paragraphs separated by one blank line (a block of
    long lines, one paragraph per line, is split into paragraphs). Drops page furniture at the
    end (see `index.ingest.furniture`). The first line becomes the title when it looks like one.
    """
    title, blocks = _take_title(_blocks(text, split_long_lines=True))
    return title, _join(drop_trailing_furniture(blocks))


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------

_ATX_H1 = re.compile(r"#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*")
_SETEXT_H1 = re.compile(r"=+[ \t]*")


def split_markdown(text: str) -> tuple[str | None, str]:
    """Markdown -> (title, body): the title from a leading '# Heading', the Markdown kept as is."""
    blocks = _blocks(text, split_long_lines=False)
    if blocks:
        first = blocks[0]
        match = _ATX_H1.fullmatch(first[0].strip())
        if match:
            return match.group(1).strip(), _join([first[1:], *blocks[1:]])
        if len(first) >= 2 and _SETEXT_H1.fullmatch(first[1].strip()):
            return first[0].strip(), _join([first[2:], *blocks[1:]])
    title, body = _take_title(blocks)
    return title, _join(body)

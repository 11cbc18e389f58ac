"""Turning what users give us (files, pasted text, web pages) into a `Document`.

Everything here is synchronous and pure: bytes or text in, a `Document` (or an `InputError` with
a one-line message) out. The async library runs these functions in a worker thread.

The article text is kept verbatim, because every quote shown later must be an exact substring of
it. The only changes made are to whitespace (line endings, trailing spaces, blank lines), invisible
characters (zero-width and control characters, soft hyphens) and, for pasted text, page furniture
at the very end (related-post lists, comment and share prompts, repeated bylines).
"""

from __future__ import annotations

import codecs
import io
import logging
import math
import re
import stat
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urljoin, urlsplit

import charset_normalizer

from index.errors import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    """An article ready to be indexed."""

    title: str
    text: str  # the article's main text: paragraphs separated by one blank line ("\n\n")
    url: str | None = None
    author: str | None = None
    date: str | None = None  # ISO date when known
    site: str | None = None
    source: str | None = None  # where it came from, e.g. the file name


MAX_TEXT_BYTES = 10 * 1024 * 1024  # the default cap on an article's size

_MB = 1024 * 1024
_BINARY = "this looks like a binary file, not text"
_NO_ARTICLE = "no article text found on this page"
_KINDS_HINT = "use .txt, .md, .html or .pdf"

# --------------------------------------------------------------------------------------------
# Bytes to text
# --------------------------------------------------------------------------------------------

# UTF-32 LE before UTF-16 LE: its BOM starts with the same two bytes.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# What browsers (the WHATWG Encoding Standard) actually use for some declared charsets: a page
# declaring ISO-8859-1 or ASCII is in practice windows-1252, and so on. Keys: codecs.lookup names.
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
_WIDE_CODECS = ("utf-16", "utf-32")  # prefixes: these contain NUL bytes by design

# <meta charset="x">, <meta http-equiv="Content-Type" content="text/html; charset=x">, and the
# XML declaration of XHTML pages.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_SNIFF_BYTES = 8192

# C0 control bytes that never occur in text (tab, newlines, form feed and ESC excluded) and DEL.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x84\x86-\x9f]")
_MAX_CONTROL_RATIO = 0.05

# Detected encodings never to believe without a BOM or a declaration: wide encodings (we refuse NUL
# bytes without one) and EBCDIC code pages, which fit short Western texts by accident.
_UNLIKELY_DETECTIONS = frozenset({"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"})
# A detection within this much "chaos" of the best one is as good; windows-1252 then wins, being
# by far the most common legacy encoding of the (mostly English and Western) articles we get.
_CHAOS_TOLERANCE = 0.1


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text.

    Tries, in order: a byte-order mark; the declared charset (e.g. from HTTP); an HTML
    ``<meta charset>`` / http-equiv or XML declaration in the first few KB; UTF-8; and detection
    with charset-normalizer. Raises InputError for binary data (NUL bytes, many control
    characters, or no plausible encoding).
    """
    text = _decode(data, declared)
    if text and len(_CONTROL_CHARS.findall(text)) > _MAX_CONTROL_RATIO * len(text):
        raise InputError(_BINARY)
    return text


def _decode(data: bytes, declared: str | None) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                break  # a stray BOM: carry on as if there were none
    if declared and _codec_name(declared).startswith(_WIDE_CODECS):
        text = _decode_as(data, declared)
        if text is not None:
            return text
    if b"\x00" in data or _count_control_bytes(data) > _MAX_CONTROL_RATIO * len(data):
        raise InputError(_BINARY)
    for label in (declared, _sniff_charset(data[:_SNIFF_BYTES])):
        if label:
            text = _decode_as(data, label)
            if text is not None:
                return text
    text = _decode_utf8(data)
    if text is not None:
        return text
    return _detect(data)


def _codec_name(label: str) -> str:
    try:
        return codecs.lookup(label.strip()).name
    except (LookupError, ValueError):
        return ""


def _decode_as(data: bytes, label: str) -> str | None:
    """Decode with a declared charset (or its usual superset); None if it does not fit."""
    name = _codec_name(label)
    if not name:
        log.debug("unknown charset label %r", label)
        return None
    for codec in (_SUPERSETS.get(name), name):
        if codec is None:
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):  # LookupError: not a text codec (e.g. base64)
            continue
    return None


def _sniff_charset(head: bytes) -> str | None:
    """The charset an HTML/XHTML document declares in its markup, if any."""
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii")
    # A document whose markup we could read as ASCII is not UTF-16/32, whatever it says (WHATWG).
    return "utf-8" if _codec_name(label).startswith(_WIDE_CODECS) else label


def _count_control_bytes(data: bytes) -> int:
    return len(data) - len(data.translate(None, _CONTROL_BYTES))


def _decode_utf8(data: bytes) -> str | None:
    """UTF-8, forgiving a character cut off at the end or a few damaged bytes in a UTF-8 text."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.reason == "unexpected end of data" and err.start >= len(data) - 3:
            text = data[: err.start].decode("utf-8")  # valid up to the first error
            if not text.isascii():  # other UTF-8 characters: the last one was cut off
                return text
    lenient = data.decode("utf-8", errors="replace")
    damaged = lenient.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(lenient) - len(lenient.encode("ascii", "ignore")) - damaged
    if non_ascii >= 20 * damaged:
        return lenient
    return None


def _detect(data: bytes) -> str:
    matches = [
        m
        for m in charset_normalizer.from_bytes(data)
        if m.encoding not in _UNLIKELY_DETECTIONS
        and not m.encoding.startswith(("utf_16", "utf_32"))
    ]
    if not matches:
        raise InputError(_BINARY)
    best = matches[0]
    for match in matches:
        if match.chaos <= best.chaos + _CHAOS_TOLERANCE and "cp1252" in match.could_be_from_charset:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                break
    return str(best)


# --------------------------------------------------------------------------------------------
# Whitespace and invisible characters
# --------------------------------------------------------------------------------------------

_LINE_BREAK = re.compile("\r\n?|[\x0b\x0c\x85\u2028]")  # and U+2029 ends a paragraph
# Control characters (but tab and newline), soft hyphen, zero-width space, direction marks,
# word joiner and invisible operators, BOM / zero-width no-break space.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b\u200e\u200f\u2060-\u2064\ufeff]"
)
# Zero-width (non-)joiners matter between two non-ASCII letters (Persian, Indic scripts, emoji
# sequences); anywhere else (e.g. "\u200ciPhone") they are web-page debris.
_STRAY_JOINER = re.compile(
    r"[\u200c\u200d](?:(?![^\s\x00-\x7f])|(?<![^\s\x00-\x7f][\u200c\u200d]))"
)
# A block whose longest line is this long is one paragraph per line, not hard-wrapped text.
_PARAGRAPH_LINE_CHARS = 100


def _normalise(text: str) -> str:
    text = _LINE_BREAK.sub("\n", text).replace("\u2029", "\n\n")
    return _STRAY_JOINER.sub("", _INVISIBLE.sub("", text))


def _blocks(text: str, *, split_long_lines: bool) -> list[list[str]]:
    """Normalised text as blocks (paragraphs) of non-blank lines, trailing spaces stripped."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in _normalise(text).split("\n"):
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


# --------------------------------------------------------------------------------------------
# Titles and page furniture in pasted text
# --------------------------------------------------------------------------------------------

_TITLE_MAX_WORDS = 20
_TITLE_MAX_CHARS = 200
_CLOSERS = "\"'”’»)]*"
# Words that end in a period without ending a sentence ("... Signals U.S." is still a headline).
_ABBREVIATIONS = frozenset(
    {"inc", "ltd", "co", "corp", "llc", "plc", "jr", "sr", "st", "dr", "mr", "mrs", "ms", "prof"}
    | {"gen", "gov", "sen", "rep", "vs", "etc", "no", "vol", "ft", "mt"}
)


def _ends_sentence(line: str) -> bool:
    """Whether a line ends with a sentence-final period (not an ellipsis or an abbreviation)."""
    core = line.rstrip(_CLOSERS + " \t")
    if not core.endswith(".") or core.endswith(".."):
        return False
    last = core.split()[-1].rstrip(".").lstrip(_CLOSERS + "“‘«(")
    if "." in last or (len(last) == 1 and last.isalpha()):
        return False  # U.S. / e.g. / J.
    return last.lower() not in _ABBREVIATIONS


def _key(line: str) -> str:
    """A line lower-cased and stripped of decoration, for matching furniture patterns."""
    key = re.sub(r"[()\[\]{}]", " ", line.lower().replace("’", "'"))
    key = key.strip(" \t-–—|•·»«›‹<>:;*#=_~/\\.,!…→←↑")
    return " ".join(key.split())


def _patterns(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_SOCIAL = (
    r"(?:share|tweet|e-?mail|mail|print|pin(?: it)?|copy link|copy url|sms|more|whatsapp|facebook|"
    r"twitter|x|linkedin|reddit|pinterest|telegram|messenger|tumblr|pocket|flipboard|threads|"
    r"bluesky|mastodon|instagram|youtube|tiktok)"
)
_FOOTER_LINK = (
    r"(?:privacy(?: policy| notice| settings)?|terms(?: of (?:use|service))?|terms and conditions|"
    r"cookies?(?: policy| settings| preferences)?|contact(?: us)?|about(?: us)?|imprint|impressum|"
    r"sitemap|site map|accessibility|careers|jobs|advertise(?: with us)?|help|faq|rss)"
)
# Whole lines (as keys) that are page furniture: comment, share and subscribe prompts, tags,
# copyright lines, pagination, ads.
_FURNITURE = _patterns(
    r"(?:post|add|write|submit|view|show|hide|load|read|see) (?:a |your |all |more |the )?"
    r"(?:comments?|replies|reply|responses?)(?: \d+)?",
    r"(?:\d+|no) (?:comments?|replies|responses)(?: yet)?",
    r"be the first to (?:comment|reply|respond).*",
    r"you must be logged in to (?:post a )?comment.*",
    r"your email address will not be published.*",
    r"required fields are marked.*",
    r"save my name,? e-?mail,? and website.*",
    r"cancel reply",
    r"(?:name|e-?mail|website|comment|message)(?: address)?\s*\**",  # comment form fields
    rf"{_FOOTER_LINK}(?:[\s,|/•·]+{_FOOTER_LINK})*",
    r"share(?: this| it)?(?: (?:article|story|post|page|link|video))?"
    r"(?: (?:on|via|with|to) .{1,60})?",
    rf"{_SOCIAL}(?:[\s,|/•·]+{_SOCIAL})*",
    r"(?:click|tap) (?:here )?to .{1,80}",
    r"\(?opens? in (?:a )?new (?:window|tab)\)?",
    r"like this",
    r"like loading.*",
    r"loading",
    r"(?:load|show|see|view) more(?: (?:stories|articles|posts|news|results))?",
    r"(?:subscribe|sign up|signup|register)(?: now| today| here| for free)?"
    r"(?: (?:to|for) .{1,80})?",
    r"(?:get|join|receive) (?:our|the) .{0,40}newsletters?.*",
    r"(?:[\w']+ ){0,4}newsletters?(?: sign ?up)?",
    r"follow us(?: on .{1,60})?",
    r"(?:like|find) us on .{1,40}",
    r"(?:tags?|tagged(?: with)?|topics?|categories|category|labels?|keywords)\s*:.*",
    r"(?:filed|posted) (?:under|in):? .{1,150}",
    r"(?:posted|published|written) (?:by|on) .{1,80}",
    r"(?:copyright|©).{0,200}",
    r".{0,200}all rights reserved.{0,100}",
    r"advertisement|advertising|sponsored(?: content)?|ad",
    r"scroll to continue(?: with content)?|(?:story|article) continues below.{0,40}",
    r"back to top|top of page|return to top|(?:skip|jump) to .{1,40}",
    r"print(?: this)?(?: (?:article|page|story))?",
    r"(?:report|submit) (?:a |an )?(?:typo|error|correction|problem)",
    r"(?:previous|next|prev|older|newer)(?: (?:post|article|story|page|entry|posts|articles|"
    r"stories|entries)\b.{0,150})?",
    r"about the author",
    # "READ MORE: <headline>", "Related: <headline>"
    r"(?:related(?: (?:articles?|posts?|stories|story|coverage|content|reading|news))?|read more|"
    r"read next|read also|also read|see also|more|recommended|watch|listen)\s*:.{0,200}",
)
# Whole lines (as keys) that head a block of links to other posts.
_HEADINGS = _patterns(
    # Comment sections: whatever follows is comments or the comment form.
    r"leave a (?:comment|reply)(?: cancel reply)?",
    r"(?:\d+ )?comments?(?: \d+)?",
    r"join the (?:conversation|discussion)",
    r"related(?: (?:posts?|articles?|stories|story|news|content|reading|coverage|links?|items?|"
    r"topics?|videos?|searches|questions))?",
    r"(?:you|we think you)(?: (?:may|might|could|will|would))?(?: also)? (?:like|love|enjoy|"
    r"be interested in)(?: (?:these|this|reading))?(?: (?:articles?|stories|posts))?",
    r"(?:read|see|watch) (?:more|next|also)(?: (?:news|stories|articles|posts|on this topic|"
    r"about this|from .{1,40}))?",
    r"(?:also|further|suggested|recommended|more|additional|continue|keep) read(?:ing|ings)?",
    r"more (?:stories|articles|news|posts|headlines|videos|coverage|from .{1,40}|on .{1,40}|"
    r"in .{1,40}|like this|to (?:read|explore|watch)|for you)",
    r"recommended(?: for you)?(?: (?:articles?|stories|posts|content|videos?))?",
    r"most (?:popular|read|viewed|shared|commented|emailed)(?: .{1,20})?",
    r"popular(?: (?:posts?|articles?|stories|now|today|this week|videos?|on .{1,30}|in .{1,30}))?",
    r"trending(?: (?:now|stories|articles|posts|topics|news|videos))?",
    r"(?:latest|recent|top|other|similar|featured|editor's|editors'?) (?:posts?|articles?|"
    r"stories|news|headlines|picks|choice|videos?)",
    r"(?:don't|do not) miss(?: (?:this|these|out))?",
    r"what to read next|up next|next up|keep reading|more like this|in other news",
    r"(?:from|around) (?:around )?the web|elsewhere on .{1,40}",
    r"in case you missed it|you (?:may|might) have missed",
    r"(?:sponsored|promoted|partner) (?:content|stories|links|posts)",
)

_FURNITURE_MAX_WORDS = 30
_LINK_MAX_WORDS = 25  # a headline in a list of links
_EXCERPT_MAX_WORDS = 60  # a teaser ending in an ellipsis
_REPEATED_MAX_WORDS = 6  # a byline or date line
_REPEATED_MIN_COUNT = 3
_TAIL_MAX_LINES = 300  # how far back from the end furniture is looked for
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)\s*[\])]?\s*(?:read more|continue reading)?\W*$", re.I)

_TEXT, _LINK, _REPEATED, _HEADING, _FURN = range(5)


def _classify(line: str, counts: Counter[str]) -> int:
    words = len(line.split())
    key = _key(line)
    if words <= _FURNITURE_MAX_WORDS:
        if _HEADINGS.fullmatch(key):
            return _HEADING
        if _FURNITURE.fullmatch(key):
            return _FURN
    stripped = line.strip()
    short = words <= _REPEATED_MAX_WORDS and len(stripped) <= 60 and not _ends_sentence(line)
    if short and counts[stripped] >= _REPEATED_MIN_COUNT:
        return _REPEATED
    if words <= _LINK_MAX_WORDS and len(stripped) <= 200 and not _ends_sentence(line):
        return _LINK if not stripped.endswith((":", ";", ",")) else _TEXT
    if words <= _EXCERPT_MAX_WORDS and _ELLIPSIS_END.search(line):
        return _LINK
    return _TEXT


def _furniture_start(lines: list[str]) -> int:
    """Index of the first line of the trailing page furniture (len(lines) when there is none).

    The furniture is the longest tail of lines that all look like furniture, where:
    - prompts (share, subscribe, tags, copyright, footer links, comment form, ...) and headings of
      link blocks or comment sections ("Related posts", "You may also like", "Read more",
      "Leave a Comment", ...) always count;
    - short lines repeated several times in the text (bylines, dates) count, if all but one of
      their occurrences are in this tail (not a refrain);
    - headline-like lines (short, no sentence-final period) count only after such a heading, or
      in a list of "headline / byline" pairs: at least three repeated lines, found (all but one
      occurrence) only there, and the list no longer than the text before it;
    - at least one line of content stays before it.
    """
    stripped = [line.strip() for line in lines]
    counts = Counter(stripped)
    n = len(lines)
    low = max(n - _TAIL_MAX_LINES, 0)  # only the last lines are classified
    kinds = [_TEXT] * low + [_classify(line, counts) for line in lines[low:]]
    words = [len(line.split()) for line in lines]
    start = n
    has_link = False
    repeated: Counter[str] = Counter()  # repeated lines in the tail
    tail_words = 0
    before_words = sum(words)
    content_before = low + sum(1 for k in kinds[low:] if k in (_TEXT, _LINK))
    for i in range(n - 1, low - 1, -1):
        kind = kinds[i]
        if kind == _TEXT:
            break
        has_link = has_link or kind == _LINK
        if kind == _REPEATED:
            repeated[stripped[i]] += 1
        tail_words += words[i]
        before_words -= words[i]
        content_before -= kind == _LINK
        if content_before <= 0:
            break
        if kind == _HEADING:
            start = i  # everything after a heading is furniture-like
            continue
        if kind == _LINK and not (i + 1 < n and kinds[i + 1] == _REPEATED):
            continue  # a headline only starts the furniture as the first of a headline/byline pair
        if any(counts[line] - seen > 1 for line, seen in repeated.items()):
            continue  # repeated all through the text (a refrain), not only in the furniture
        if has_link and (repeated.total() < _REPEATED_MIN_COUNT or tail_words > before_words):
            continue
        start = i
    return start


def _drop_trailing_furniture(blocks: list[list[str]]) -> list[list[str]]:
    while True:
        lines = [line for block in blocks for line in block]
        cut = _furniture_start(lines)
        if cut == len(lines):
            return blocks
        kept: list[list[str]] = []
        remaining = cut
        for block in blocks:
            if remaining <= 0:
                break
            kept.append(block[:remaining])
            remaining -= len(block)
        blocks = kept


def _looks_like_title(line: str) -> bool:
    return (
        len(line.strip()) <= _TITLE_MAX_CHARS
        and 0 < len(line.split()) <= _TITLE_MAX_WORDS
        and any(ch.isalpha() for ch in line)
        and not _ends_sentence(line)
        and not line.rstrip().endswith((",", ";", ":", "-", "–", "—"))
        and not _FURNITURE.fullmatch(_key(line))
        and not _HEADINGS.fullmatch(_key(line))
    )


def _take_title(blocks: list[list[str]]) -> tuple[str | None, list[list[str]]]:
    """Split off the first line as the title when it looks like one."""
    if not blocks or not _looks_like_title(blocks[0][0]):
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
    end (see `_furniture_start`). The first line becomes the title when it looks like one.
    """
    title, blocks = _take_title(_blocks(text, split_long_lines=True))
    return title, _join(_drop_trailing_furniture(blocks))


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------

_ATX_H1 = re.compile(r"#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*")
_SETEXT_H1 = re.compile(r"=+[ \t]*")


def _split_markdown(text: str) -> tuple[str | None, str]:
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


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_SENTENCE_MARK = re.compile(r"[.!?…。！？]")
_MIN_ARTICLE_WORDS = 25  # fewer words of prose than this is not an article
_RETRY_BELOW_WORDS = 100  # precision mode found this little: see what the balanced mode finds
_RETRY_FACTOR = 3  # ... and take it when it finds this many times more
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _prose_words(paragraphs: list[str]) -> int:
    """Words in paragraphs that read as prose (sentences), not as menus or link lists."""
    total = 0
    for paragraph in paragraphs:
        words = _words(paragraph)
        if (words >= 8 or len(paragraph) >= 60) and _SENTENCE_MARK.search(paragraph):
            total += words
    return total


def _str_field(data: dict[str, Any], key: str) -> str | None:
    return _tidy(data.get(key))


def _tidy(value: object) -> str | None:
    """A metadata value as one tidy line, or None when it is not a non-blank string."""
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _extract(
    html: str, url: str | None, *, favor_precision: bool
) -> tuple[list[str], dict[str, Any]]:
    """Run trafilatura; returns the paragraphs and the metadata."""
    import trafilatura  # imported when first needed: it takes a while to load

    result = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        favor_precision=favor_precision,
        with_metadata=True,
    )
    if result is None:
        return [], {}
    data: dict[str, Any] = result if isinstance(result, dict) else result.as_dict()
    text = data.get("text") if isinstance(data.get("text"), str) else ""
    paragraphs = [p for line in _normalise(str(text)).split("\n") if (p := line.strip())]
    return paragraphs, data


def _canonical_url(tree: Any, base: str | None) -> str | None:
    if tree is None:
        return None
    for link in tree.xpath("//link[@rel][@href]"):
        rel = str(link.get("rel", "")).lower().split()
        if "canonical" in rel:
            try:
                found = _http_url(urljoin(base or "", str(link.get("href", "")).strip()))
            except ValueError:  # e.g. a malformed IPv6 host
                continue
            if found:
                return found
    return None


def _http_url(url: object) -> str | None:
    """The URL if it is an absolute http(s) URL, else None."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _hostname(url: str | None) -> str | None:
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


def _page_title(tree: Any) -> str | None:
    if tree is None:
        return None
    for title in tree.xpath("//title"):
        text = " ".join(str(title.text_content()).split())
        if text:
            return text
    return None


def _shorten(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def extract_html(html: str, url: str | None = None) -> Document:
    """An HTML page -> its main text and metadata (title, author, date, site, canonical URL).

    Uses trafilatura in precision mode (no comments); when that keeps next to nothing of what the
    balanced mode finds, the balanced result is used. Paragraphs are joined by a blank line.
    Raises InputError when there is too little prose left to be an article.
    """
    if not html.strip():
        raise InputError(_NO_ARTICLE)
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)
        paragraphs, data = _extract(html, url, favor_precision=True)
        if _words("\n".join(paragraphs)) < _RETRY_BELOW_WORDS:
            more, more_data = _extract(html, url, favor_precision=False)
            enough = _RETRY_FACTOR * max(_words("\n".join(paragraphs)), 1)
            if _words("\n".join(more)) >= enough and _prose_words(more) >= _MIN_ARTICLE_WORDS:
                paragraphs, data = more, more_data
        page_title = _page_title(tree)
        canonical = _canonical_url(tree, url)
    except Exception as exc:  # lxml and trafilatura raise many kinds; the user needs one message
        log.warning("could not parse HTML from %s: %r", url or "an upload", exc)
        raise InputError("could not read this page as HTML") from exc
    paragraphs = [block[0] for block in _drop_trailing_furniture([[p] for p in paragraphs])]
    if _prose_words(paragraphs) < _MIN_ARTICLE_WORDS:
        raise InputError(_NO_ARTICLE)
    final_url = canonical or _http_url(data.get("url")) or url
    date = _str_field(data, "date")
    return Document(
        title=_str_field(data, "title") or page_title or _shorten(paragraphs[0]),
        text="\n\n".join(paragraphs),
        url=final_url,
        author=_str_field(data, "author"),
        date=date if date and _ISO_DATE.fullmatch(date) else None,
        site=_str_field(data, "sitename") or _str_field(data, "hostname") or _hostname(final_url),
    )


# --------------------------------------------------------------------------------------------
# Files and uploads
# --------------------------------------------------------------------------------------------

_SUFFIX_KINDS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
}
_MIME_KINDS = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
}
_GENERIC_MIMES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
)
_HTML_START = (b"<!doctype html", b"<html", b"<?xml")


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"""[.!?:"”’)]$""")


def _pdf_paragraphs(page_text: str) -> list[str]:
    """A page's lines grouped into paragraphs: a short line that ends a sentence ends one.

    Lines inside a paragraph keep their breaks; the passage splitter reads hard wraps through.
    """
    lines = [line.rstrip() for line in page_text.splitlines()]
    lengths = sorted(len(line) for line in lines if line.strip())
    if not lengths:
        return []
    typical = lengths[len(lengths) // 2]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if not line.strip():
            if current:
                paragraphs.append("\n".join(current))
                current = []
            continue
        current.append(line)
        if _SENTENCE_END.search(line) and len(line) < 0.75 * typical:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def extract_pdf(data: bytes) -> Document:
    """A PDF's text (pypdf) and metadata. Raises InputError for encrypted, broken or image-only
    PDFs."""
    import pypdf  # imported when first needed

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("this PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
        title = _tidy(meta.title) if meta else None
        author = _tidy(meta.author) if meta else None
        created = meta.creation_date if meta else None
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken files
        log.warning("could not read a PDF: %r", exc)
        raise InputError("could not read this PDF (it may be damaged)") from exc
    text = "\n\n".join(p for page in pages for p in _pdf_paragraphs(_normalise(page)))
    first_line, body = clean_text(text)
    if _words(body) < _MIN_ARTICLE_WORDS:
        raise InputError("this PDF has no text to read (is it a scan?)")
    return Document(
        title=title or first_line or "Untitled PDF",
        text=body,
        author=author,
        date=created.date().isoformat() if created else None,
    )


def _show(name: object, limit: int = 80) -> str:
    """A name or path made safe for a one-line message."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in str(name))
    return shown if len(shown) <= limit else "…" + shown[-(limit - 1) :]


def _megabytes(size: int, *, round_up: bool) -> str:
    """A size in MB to one decimal (rounded up for a file, down for a limit); tiny ones in KB."""
    tenths = size * 10 / _MB
    if tenths < 1:
        return f"{size / 1024:.0f} KB"
    return f"{(math.ceil(tenths) if round_up else math.floor(tenths)) / 10:g} MB"


def _too_large(shown: str, size: int, limit: int) -> InputError:
    return InputError(
        f"{shown} is too large ({_megabytes(size, round_up=True)}); "
        f"the limit is {_megabytes(limit, round_up=False)}"
    )


def _parse_content_type(content_type: str | None) -> tuple[str, str | None]:
    """'text/html; charset=UTF-8' -> ('text/html', 'UTF-8')."""
    if not content_type:
        return "", None
    mime, *params = content_type.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip(" \t\"'"):
            charset = value.strip(" \t\"'")
    return mime.strip().lower(), charset


def _kind(name: str, mime: str, data: bytes) -> str:
    """What a document is: its content type, else its name's extension, else its content.

    A link's extension (.php, .aspx, ...) says nothing about what the server sends, so a page
    without a content type is sniffed unless its extension is one we read.
    """
    if mime in _MIME_KINDS:
        return _MIME_KINDS[mime]
    is_link = name.lower().startswith(("http://", "https://"))
    suffix = PurePath(urlsplit(name).path if is_link else name).suffix.lower()
    if suffix in _SUFFIX_KINDS:
        return _SUFFIX_KINDS[suffix]
    if (is_link or not suffix) and mime in _GENERIC_MIMES:  # no hint: look at the content
        if data.startswith(b"%PDF-"):
            return "pdf"
        head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return "html" if head.startswith(_HTML_START) else "text"
    raise InputError(f"cannot read this kind of file ({_show(suffix or mime, 40)}): {_KINDS_HINT}")


def _title_from_name(name: str) -> str:
    stem = " ".join(re.sub(r"[_-]+", " ", PurePath(name).stem).split())
    return stem[:1].upper() + stem[1:] if stem else "Untitled"


def load_bytes(
    data: bytes, name: str, content_type: str | None = None, *, max_bytes: int = MAX_TEXT_BYTES
) -> Document:
    """Bytes of a file or upload -> Document, by content type or else file extension.

    .txt/.text: decoded and cleaned (`clean_text`); .md/.markdown: kept as Markdown, the title
    from a leading '# Heading'; .html/.htm/.xhtml: the article extracted (`extract_html`). A name
    without extension is sniffed (HTML or text). The title falls back to the file name.
    """
    shown = _show(name)
    if len(data) > max_bytes:
        raise _too_large(shown, len(data), max_bytes)
    if not data.strip():
        raise InputError(f"{shown} is empty")
    mime, charset = _parse_content_type(content_type)
    kind = _kind(name, mime, data)
    if kind == "pdf":
        try:
            return replace(extract_pdf(data), source=name)
        except InputError as err:
            raise InputError(f"{shown}: {err}") from err
    try:
        text = decode(data, charset)
    except InputError as err:
        raise InputError(f"{shown}: {err}") from err
    if not _normalise(text).strip():
        raise InputError(f"{shown} is empty")
    if kind == "html":
        try:
            doc = extract_html(text)
        except InputError as err:
            raise InputError(f"{shown}: {err}") from err
        return replace(doc, source=name)
    title, body = _split_markdown(text) if kind == "markdown" else clean_text(text)
    if not body.strip():
        raise InputError(f"{shown} is empty")
    return Document(title=title or _title_from_name(name), text=body, source=name)


def read_file(path: Path, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """A file's bytes, its size checked before it is read; every failure an InputError."""
    shown = _show(path)
    try:
        path = path.expanduser()
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{shown} is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{shown} is not a regular file")
        if info.st_size > max_bytes:
            raise _too_large(shown, info.st_size, max_bytes)
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # + 1: notice a file that grew since stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"file not found: {shown}") from None
    except PermissionError:
        raise InputError(f"cannot read {shown}: permission denied") from None
    except (OSError, ValueError) as err:  # ValueError: e.g. a NUL byte in the path
        reason = getattr(err, "strerror", None) or "invalid path"
        raise InputError(f"cannot read {shown}: {reason}") from None
    if len(data) > max_bytes:
        raise _too_large(shown, len(data), max_bytes)
    return data


def load_file(path: Path, *, max_bytes: int = MAX_TEXT_BYTES) -> Document:
    """Read a file -> Document, via `read_file` and `load_bytes`."""
    return load_bytes(read_file(path, max_bytes), path.name, max_bytes=max_bytes)

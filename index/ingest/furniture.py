"""Page furniture at the end of pasted text: related-post lists, share and comment prompts,
repeated bylines (`drop_trailing_furniture`), and the line tests shared with title detection.

Only a tail of lines that all look like furniture is dropped, never a line in the middle of the
article (see `_furniture_start` for the rules).
"""

from __future__ import annotations

import re
from collections import Counter

_CLOSERS = "\"'”’»)]*"
# Words that end in a period without ending a sentence ("... Signals U.S." is still a headline).
_ABBREVIATIONS = frozenset(
    {"inc", "ltd", "co", "corp", "llc", "plc", "jr", "sr", "st", "dr", "mr", "mrs", "ms", "prof"}
    | {"gen", "gov", "sen", "rep", "vs", "etc", "no", "vol", "ft", "mt"}
)


def ends_sentence(line: str) -> bool:
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
    short = words <= _REPEATED_MAX_WORDS and len(stripped) <= 60 and not ends_sentence(line)
    if short and counts[stripped] >= _REPEATED_MIN_COUNT:
        return _REPEATED
    if words <= _LINK_MAX_WORDS and len(stripped) <= 200 and not ends_sentence(line):
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


def drop_trailing_furniture(blocks: list[list[str]]) -> list[list[str]]:
    """Blocks (paragraphs as lists of lines) without the page furniture at their end."""
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


def is_furniture(line: str) -> bool:
    """Whether a whole line is a furniture prompt or the heading of a furniture block."""
    key = _key(line)
    return bool(_FURNITURE.fullmatch(key) or _HEADINGS.fullmatch(key))

"""Sentence boundaries repaired: sentencex's, the ones it gets wrong joined or moved.

sentencex (`index.passages`) ends a sentence at some abbreviations that do not end one ("Ae. |
albopictus", "Eimeria spp. | infections", "Fig. | 3"), and where a paragraph has several
parenthesised references before a spaced full stop ("(Zhou et al., 2011) . On the other
hand"), it can place the boundary before the reference's last word ("(Zhou et al., | 2011) .
On"). Three rules, each over one boundary at a time, in order:

* a boundary inside an unclosed parenthesis, or before a parenthesis that closes the sentence
  ("| (41) . Flow"), whose next few characters close the parenthesis and end the sentence, moves
  past them;
* a sentence opening with a word in lower case ("aegypti") after a capital and at most one more
  letter and a full stop (a genus abbreviated: "Ae.", "E.") continues it (elsewhere such a word
  may open a sentence: "citebot fetches the page");
* a sentence ending in an abbreviation continues into the next: always for those that never end
  a sentence in practice (`CONTINUED`: "e.g.", "vs.", "spp."), before a number for those that
  name one (`NUMBERED`: "Fig.", "No.", "approx."), before a capital for titles (`TITLES`:
  "Dr.", "Prof.").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Span = tuple[int, int]

# abbreviations that never end a sentence in practice, that name a number, that are titles
CONTINUED = frozenset(
    (
        *("e.g.", "i.e.", "vs.", "cf.", "viz.", "ca.", "approx.", "spp.", "sp.", "subsp."),
        *("ssp.", "var.", "resp.", "incl.", "esp."),
    )
)
NUMBERED = frozenset(
    (
        *("Fig.", "Figs.", "fig.", "figs.", "Eq.", "Eqs.", "Eqn.", "No.", "Nos.", "no."),
        *("Vol.", "vol.", "Sect.", "Sec.", "sect.", "Ref.", "Refs.", "ref.", "refs.", "p."),
        *("pp.", "Tab.", "Suppl.", "Ch.", "Chap.", "Art.", "Nr.", "al."),
    )
)
TITLES = frozenset(
    (
        *("Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "St.", "Mt.", "Gen.", "Gov.", "Sen.", "Rep."),
        *("Capt.", "Col.", "Lt.", "Rev."),
    )
)
# the rest of a parenthesis, a sentence's end and the space after: "2011) . ", "(41). "
_CLOSING = re.compile(r"""\(?[^\s()]{1,12}\)\s?[.!?]+["”’\]]*\s+""")
_FIRST_WORD = re.compile(r"\s*(\w+)")
_GENUS = re.compile(r"[A-Z][a-z]?\.")  # "Ae.", "E.": a genus abbreviated before its species
# how far back from a boundary its rules look: a sentence joined again and again ("Ae. aegypti
# and Ae. albopictus and Ae. ...") is not read whole at each of its boundaries (quadratic)
_TAIL = 256


def _in_lower_case(text: str, span: Span) -> bool:
    """Whether text[span] opens with a word all in lower case."""
    word = _FIRST_WORD.match(text, *span)
    return word is not None and word.group(1).isalpha() and word.group(1).islower()


def _tail(span: Span) -> int:
    """Where the last `_TAIL` characters of `span` start."""
    return max(span[0], span[1] - _TAIL)


def _last_word(text: str, start: int, end: int) -> str | None:
    """The last word of text[start:end], as `\\S+` reads words (`rsplit` knows white space as
    `\\s` does); None if none. (A regular expression searched for it from every place of the
    span: a tenth of all analysis.)"""
    words = text[start:end].rsplit(None, 1)
    return words[-1] if words else None


def _abbreviated(text: str, before: Span, after: Span) -> bool:
    """Whether `before` ends in an abbreviation that `after` continues."""
    last = _last_word(text, _tail(before), before[1])
    if last is None:
        return False
    word = last.lstrip("([")
    if word in CONTINUED:
        return True
    # (most words are longer than a genus abbreviated: no pattern run for them)
    if len(word) <= 3 and _GENUS.fullmatch(word) and _in_lower_case(text, after):
        return True
    if word not in NUMBERED and word not in TITLES:  # as mostly: `after` not read
        return False
    following = text[after[0] : after[1]].lstrip()[:1]
    if word in NUMBERED:
        return following.isdigit() or following == "("
    return following.isupper()


def _moved(text: str, before: Span, after: Span) -> int | None:
    """Where the boundary between `before` and `after` belongs when it was placed inside a
    parenthesis that closes the sentence (None: where it is)."""
    closing = _CLOSING.match(text, after[0], after[1])
    if closing is None or closing.end() >= after[1]:
        return None
    segment = text[_tail(before) : before[1]]
    unclosed = segment.count("(") > segment.count(")")
    if unclosed or text[after[0]] == "(":
        return closing.end()
    return None


def repair(text: str, spans: Sequence[Span]) -> list[Span]:
    """`spans` (sentencex's sentences of `text`, in order) with the boundaries it got wrong
    moved or removed."""
    repaired: list[Span] = []
    for span in spans:
        if not repaired:
            repaired.append(span)
            continue
        before = repaired[-1]
        moved = _moved(text, before, span)
        if moved is not None:
            repaired[-1] = (before[0], moved)
            span = (moved, span[1])
            before = repaired[-1]
        if _abbreviated(text, before, span):
            repaired[-1] = (before[0], span[1])
        else:
            repaired.append(span)
    return repaired

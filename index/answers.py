"""What kind of answer a question asks for, and whether a span of text holds one.

Rules, not a model: a question opening "how many", "when", "what year" asks for a number or a
date; "who" for a name; "where" for a place. A text holds a number when it has a digit or a
number word, and a name when a capitalised word stands inside a sentence (not its first word).
Words of the question itself do not count: the answer is what the question does not say.
"""

from __future__ import annotations

import re
from collections.abc import Container

NUMBER = "number"
NAME = "name"

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
    r"\d+(?:[.,:]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|half|dozen|january|february|march|april|"
    r"may|june|july|august|september|october|november|december|century|decade)s?\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<=[\w,;:] )[A-Z][\w'’.-]*")


def asks_for(question: str) -> str | None:
    """The kind of answer a question asks for (`NUMBER`, `NAME`), None when it names none."""
    lowered = question.casefold()
    return next((kind for kind, pattern in _ASKS if pattern.search(lowered)), None)


def holds(kind: str | None, text: str, question_words: Container[str]) -> bool:
    """Whether `text` holds an answer of `kind` that is not one of `question_words` (folded
    words of the question)."""
    if kind is None:
        return False
    pattern = _NUMBER if kind == NUMBER else _NAME
    return any(m.group().casefold() not in question_words for m in pattern.finditer(text))

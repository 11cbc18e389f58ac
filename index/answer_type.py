"""The type of answer a question asks for, and whether a text holds a span of that type.

"How many", "how much", "how long"... ask for a number; "when", "what year", "what century"...
for a date; "who", "whom", "whose" for a name. A text holds such an answer when it holds a
number, a date or a capitalised word inside a sentence that is none of the question's own words
(the answer is what the question does not say). Choosing the quote weighs it a little
(`index.quotes`): of sentences that hold about as much of the question, the one holding what
was asked for ("When will the Doobie Brothers play Blossom?": the sentence with "on July 22",
not the one that only names the band).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_ASKED = re.compile(
    r"\bhow (?:many|much|long|old|far|large|big|often|tall|high|fast|heavy|deep|wide)\b"
    r"|\b(?:what|which) (?:percentage|percent|number|age|size|temperature|amount|distance|speed"
    r"|price|population|height|length)\b"
)
_DATE_ASKED = re.compile(r"\b(?:when|(?:what|which) (?:year|century|decade|date))\b")
_NAME_ASKED = re.compile(r"\b(?:who|whom|whose)\b")
# matched in the case-folded text (faster than ignoring case)
_NUMBER = re.compile(
    r"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty"
    r"|thirty|forty|fifty|hundred|thousand|million|billion|dozen)\b"
)
# "march" and "may" (case-folded, also a verb) count as months only before a day or a year
_DATE = re.compile(
    r"\b(?:1\d{3}|20\d{2}|\d{1,2}(?:st|nd|rd|th)? century|january|february|(?:march|may)(?= \d)"
    r"|april|june|july|august|september|october|november|december|\d{3}s?)\b"
)
_NAME = re.compile(r"\b[A-Z][a-z]+")  # a capitalised word (inside a sentence: `_inside`)
_WORD = re.compile(r"\w+")
# what each type is asked with, tried in this order: the words one of which its expression
# needs, the expression, and the type's pattern
_ASKING = (
    (("how", "what", "which"), _NUMBER_ASKED, _NUMBER),
    (("when", "what", "which"), _DATE_ASKED, _DATE),
    (("who",), _NAME_ASKED, _NAME),
)


@dataclass(frozen=True)
class AnswerType:
    """What a question asks for (`pattern`: a span of that type, matched in the case-folded
    text unless it is a `name`) and the question's own words, folded."""

    pattern: re.Pattern[str]
    asked: frozenset[str]
    name: bool = False

    def holds(self, text: str) -> bool:
        """Whether `text` (a sentence) holds a span of the type asked for that is none of the
        question's words."""
        if not self.name:
            return any(m.group() not in self.asked for m in self.pattern.finditer(text.casefold()))
        return any(
            m.group().casefold() not in self.asked and _inside(text, m.start())
            for m in self.pattern.finditer(text)
        )


def _inside(text: str, at: int) -> bool:
    """Whether `at` is inside the sentence `text`: not where it or a sentence in it begins."""
    return at > 0 and not (at > 1 and text[at - 2] in ".!?" and text[at - 1].isspace())


def answer_type(question: str) -> AnswerType | None:
    """The type of answer `question` asks for, None when it names none (a number first, then a
    date, then a name: "Who won in how many sets?" asks for a number)."""
    folded = question.casefold()
    for words, asks, pattern in _ASKING:
        # (each expression searched only where one of the words it needs is in the question)
        if any(word in folded for word in words) and asks.search(folded):
            return AnswerType(pattern, frozenset(_WORD.findall(folded)), pattern is _NAME)
    return None

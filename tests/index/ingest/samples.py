"""Texts and checks shared by the tests of index.ingest."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import InputError

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SAMPLE = SHARED / "samples" / "china-russia-article.txt"
ARTICLES = SHARED / "articles"

PARAGRAPH = (
    "The council met on Tuesday to discuss the new budget. Members argued for hours about "
    "the cost of repairing the old bridge, and no decision was reached before midnight."
)

# Paragraphs of Russian text, enough for an article.
RUSSIAN = [
    "Городской совет во вторник обсудил новый бюджет и расходы на ремонт старого моста.",
    "Депутаты спорили несколько часов, но так и не приняли решения до полуночи.",
    "Жители города надеются, что работы начнутся весной и закончатся к осени следующего года.",
]

# Lines of a PDF page: two paragraphs, the first ending in a short line.
HARBOUR = [
    "The harbour of the old town was built in 1820 by local fishermen who needed",
    "a safe place for their boats during the winter storms that hit the coast.",
    "It is still used today.",
    "Every summer the town holds a festival on the quay, with music and food",
    "stalls, and thousands of visitors come from the cities inland to see it.",
]


def message(err: pytest.ExceptionInfo[InputError]) -> str:
    """The error's message, checked to be one line."""
    text = str(err.value)
    assert text
    assert "\n" not in text
    return text

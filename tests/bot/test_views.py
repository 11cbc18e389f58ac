"""The shared views (bot/views.py): one paginator for lists and answers, one confirmation."""

from __future__ import annotations

import discord

from bot.views import AnswerView, Paginator
from index import Answer, ArticleInfo, Result


def labels(view: discord.ui.View) -> list[str | None]:
    return [item.label for item in view.children if isinstance(item, discord.ui.Button)]


def answer(quotes: list[str]) -> Answer:
    article = ArticleInfo(1, "guild:1", "Otters", None, None, None, None, None, None, "2026", 1)
    results = [Result(n, 1.0, article, q, 0, len(q), ()) for n, q in enumerate(quotes, 1)]
    return Answer("otters?", 1.0, results, unknown_words=[], searched=len(results))


async def test_paginator_starts_on_the_first_page_with_previous_disabled() -> None:
    """The first page is shown; Previous is disabled, Next is not."""
    view = Paginator(["one", "two", "three"], owner_id=1)
    assert view.content() == "one"
    assert view.previous.disabled and not view.next.disabled


async def test_paginator_of_one_page_has_no_buttons() -> None:
    """A single page needs no paging buttons."""
    assert labels(Paginator(["only"], owner_id=1)) == []


async def test_answer_view_pages_are_its_results_under_the_question() -> None:
    """Each result is a page, repeating the question above it; Whole passage comes last."""
    view = AnswerView(answer(["Otters sleep.", "Otters swim."]), 1, header="otters?")
    assert view.pages[0].startswith("-# Q: otters?\n> Otters sleep.")
    assert "Result 2 of 2" in view.pages[1]
    assert labels(view) == ["Previous", "Next", "Whole passage"]


async def test_answer_view_of_one_result_only_offers_the_passage() -> None:
    """With one result there is nothing to page: only Whole passage remains."""
    assert labels(AnswerView(answer(["Otters sleep."]), 1)) == ["Whole passage"]

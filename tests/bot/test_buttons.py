"""The buttons under an answer (bot/buttons.py) and what an answer message carries
(bot/answers.py): state in custom ids within Discord's 100 characters, the question read back
from the message, paging and votes after a restart (tests/bot/exts/test_ask_community.py)."""

from __future__ import annotations

from dataclasses import replace

import discord
import pytest

from bot import answers
from bot.answers import AnswerCache, Asked
from bot.buttons import RetryButton, answer_view, digest
from index import Answer, ArticleInfo, Result


def labels(view: discord.ui.View | None) -> list[str | None]:
    assert view is not None
    return [item.item.label for item in view.children]  # type: ignore[attr-defined]


def custom_ids(view: discord.ui.View | None) -> list[str]:
    assert view is not None
    return [item.custom_id for item in view.children]  # type: ignore[attr-defined]


def answer(quotes: list[str], article_id: int = 1) -> Answer:
    article = ArticleInfo(
        article_id, "guild:1", "Otters", None, None, None, None, None, None, "2026", 1
    )
    results = [
        Result(n, 1.0, article, q, 0, len(q), (), passage_start=100 * n)
        for n, q in enumerate(quotes, 1)
    ]
    return Answer("otters?", 1.0, results, unknown_words=[], searched=len(results))


def test_an_answer_of_several_results_has_every_button() -> None:
    """Previous (disabled on the first page), Next, Whole passage, the votes, Follow up."""
    view = answer_view(Asked("otters?"), answer(["Otters sleep.", "Otters swim."]), owner=7)
    assert labels(view) == [
        "Previous", "Next", "Whole passage", "Helpful", "Not helpful", "Follow up"
    ]  # fmt: skip
    assert view is not None and view.timeout is None
    previous, next_ = view.children[0], view.children[1]
    assert previous.item.disabled and not next_.item.disabled  # type: ignore[attr-defined]
    sleep = digest("Otters sleep.")
    assert len(sleep) == 10 and sleep != digest("Otters swim.")
    assert custom_ids(view)[:5] == [
        "cb:pg:p:7:0:2:1:", "cb:pg:n:7:1:2:1:", f"cb:ps:1:100:{sleep}", f"cb:vt:1:1:100:{sleep}",
        f"cb:vt:0:1:100:{sleep}",
    ]  # fmt: skip


def test_an_answer_of_one_result_has_no_paging() -> None:
    """One result: nothing to page."""
    view = answer_view(Asked("otters?"), answer(["Otters sleep."]), owner=7)
    assert labels(view) == ["Whole passage", "Helpful", "Not helpful", "Follow up"]


def test_the_longest_custom_ids_fit_discord() -> None:
    """With the largest ids and the longest topic, every custom id is within 100 characters."""
    big = 2**63 - 1
    asked = Asked("q", topic="t" * 32)
    found = answer(["a", "b", "c", "d", "e"], article_id=big)
    found.results[:] = [replace(r, passage_start=10**10) for r in found.results]
    view = answer_view(asked, found, owner=big, index=2)
    assert max(len(c) for c in custom_ids(view)) <= 100


def test_a_no_match_offers_the_suggested_question_if_it_fits() -> None:
    """No result: only "Ask: ..." for a suggestion, and only when its custom id fits."""
    empty = Answer("otterz?", 1.0, [], unknown_words=["otterz"], searched=3)
    assert answer_view(Asked("otterz?"), empty, 7) is None
    assert labels(answer_view(Asked("otterz?"), empty, 7, retry="otters?")) == ["Ask: otters?"]
    assert RetryButton.fits("x" * 93) and not RetryButton.fits("x" * 94)
    assert answer_view(Asked("q"), empty, 7, retry="x" * 94) is None


@pytest.mark.parametrize(
    "question",
    ["Who signed the *deal* with <@123> & @everyone?", "a_b `c` | > # - [x](y) :z:", "plain"],
)
def test_the_question_is_read_back_from_the_answer_message(question: str) -> None:
    """The header escapes the question (no Markdown, no ping) and asked_in reads it back."""
    asked = Asked(question, earlier="What is *the* deal?")
    content = answers.content(asked, answer(["Otters sleep."]))
    assert "@everyone" not in content and "<@123>" not in content
    assert answers.asked_in(content) == (question, "What is *the* deal?")
    assert answers.follow_up_of(content) == f"{question} What is *the* deal?"


def test_a_long_question_is_read_back_as_shown() -> None:
    """A question longer than the header shows is read back cut, without its "…"."""
    question = "word " * 60
    found = answers.asked_in(answers.content(Asked(question), answer(["x"])))
    assert found is not None and question.startswith(found[0]) and len(found[0]) < 200


def test_other_messages_are_not_answers() -> None:
    """A message without the question header is not an answer."""
    assert answers.asked_in("> a quote") is None
    assert answers.follow_up_of("hello") is None


def test_the_answer_cache_keeps_the_newest() -> None:
    """The cache holds at most its size, dropping the oldest."""
    cache = AnswerCache(size=2)
    for message in (1, 2, 3):
        cache.put(message, Asked("q"), answer(["x"]))
    assert cache.get(1) is None and cache.get(3) is not None

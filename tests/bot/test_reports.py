"""What curators read (bot/reports.py): every message fits Discord's limits whatever the
settings, topics, questions and titles, and nothing in them can ping or format."""

from __future__ import annotations

from bot import render, reports
from index import ArticleInfo, PassageVotes, ServerSettings, Usage

HUGE = "**@everyone** <@123> " + "x" * 5000


def article(n: int) -> ArticleInfo:
    return ArticleInfo(n, "guild:1", HUGE, "https://example.com/" + "a" * 400, HUGE, HUGE,
                       HUGE, None, None, "2026-12-01", 3)  # fmt: skip


def test_every_report_fits_whatever_it_holds() -> None:
    """Thousands of channels, long topics, questions and titles: each message is at most
    2,000 characters and pings no one."""
    many = frozenset(range(10**17, 10**17 + 2000))
    settings = ServerSettings(many, many, {c: ("t" * 32,) * 10 for c in list(many)[:500]}, True)
    usage = Usage(
        [(HUGE, 9)] * 5,
        [PassageVotes(article(n), 10**9, 5, 1, (HUGE,) * 5, HUGE) for n in range(5)],
        [(article(n), 7) for n in range(5)],
        10**6,
    )
    messages = [
        reports.settings_text(settings, message_content=False),
        reports.answer_channels_hint(settings),
        *reports.stats_pages(usage, keeps_questions=True),
        *reports.article_pages(
            [article(n) for n in range(30)], {n: ["t" * 32] * 10 for n in range(30)}
        ),
    ]
    for message in messages:
        assert len(message) <= render.MESSAGE_LIMIT
        assert "@everyone" not in message and "<@123>" not in message


def test_the_settings_say_when_ask_channels_are_inactive() -> None:
    """Ask channels listed while the bot runs without the intent are shown as inactive."""
    settings = ServerSettings(ask_channels=frozenset({5}))
    assert "inactive" in reports.settings_text(settings, message_content=False)
    assert "inactive" not in reports.settings_text(settings, message_content=True)

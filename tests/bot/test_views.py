"""The shared views (bot/views.py): one paginator for lists, one confirmation."""

from __future__ import annotations

import discord

from bot.views import Paginator


def labels(view: discord.ui.View) -> list[str | None]:
    return [item.label for item in view.children if isinstance(item, discord.ui.Button)]


async def test_paginator_starts_on_the_first_page_with_previous_disabled() -> None:
    """The first page is shown; Previous is disabled, Next is not."""
    view = Paginator(["one", "two", "three"], owner_id=1)
    assert view.content() == "one"
    assert view.previous.disabled and not view.next.disabled


async def test_paginator_of_one_page_has_no_buttons() -> None:
    """A single page needs no paging buttons."""
    assert labels(Paginator(["only"], owner_id=1)) == []

"""`/help` (bot/exts/help.py)."""

from __future__ import annotations

import simcord

from tests.helpers.world import World


async def test_help_explains_asking_and_adding(world: World) -> None:
    """/help answers privately with how to ask and how to add articles."""
    result = await world.member.slash(world.channel, "help")
    assert result.ephemeral and result.response is not None
    content = result.response.content
    assert "`/ask`" in content and "mention me" in content
    assert "`/article add`" in content and "Librarians" in content
    assert len(content.splitlines()) <= 6


async def test_help_works_in_direct_messages(simcord_env: simcord.Env) -> None:
    """/help is the one command offered in DMs."""
    user = simcord_env.create_user("dmer")
    assert user.available_commands() == ("help",)
    result = await user.slash("help")
    assert result.response is not None and "`/ask`" in result.response.content

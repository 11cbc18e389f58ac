"""`/help` (bot/exts/help.py)."""

from __future__ import annotations

import re
from pathlib import Path

import simcord
from discord import app_commands

from bot.exts.help import command_lines
from tests.helpers.world import World

README = Path(__file__).resolve().parents[3] / "README.md"


async def test_help_explains_asking_and_adding(world: World) -> None:
    """/help answers privately with how to ask and how to add articles."""
    result = await world.member.slash(world.channel, "help")
    assert result.ephemeral and result.response is not None
    content = result.response.content
    assert "`/ask`" in content and "mention me" in content
    assert "`/article add`" in content and "Librarians" in content
    assert len(content) <= 2000


def tree_lines(env: simcord.Env) -> set[str]:
    """Every command of the bot's tree (not groups), as `/help` and the README show it."""
    return {
        f"`/{c.qualified_name}` — {c.description}"
        for c in env.bot.tree.walk_commands()
        if isinstance(c, app_commands.Command)
    }


async def test_help_and_the_readme_list_every_command_once(world: World) -> None:
    """/help and the README's bot section each list every command of the command tree, one
    line each with its description, and nothing else; /help is not cut to fit."""
    expected = tree_lines(world.env)
    assert len(expected) >= 18
    result = await world.member.slash(world.channel, "help")
    assert result.response is not None
    shown = [line for line in result.response.content.splitlines() if line.startswith("`/")]
    assert sorted(shown) == sorted(expected) == sorted(command_lines(world.env.bot.tree))
    assert not result.response.content.endswith("…")
    section = README.read_text(encoding="utf-8").split("## Running the bot in Discord", 1)[1]
    section = section.split("\n## ", 1)[0]
    listed = [m.group(1) for m in re.finditer(r"^- (`/.+)$", section, re.MULTILINE)]
    assert sorted(listed) == sorted(expected)


async def test_help_works_in_direct_messages(simcord_env: simcord.Env) -> None:
    """/help is the one command offered in DMs."""
    user = simcord_env.create_user("dmer")
    assert user.available_commands() == ("help",)
    result = await user.slash("help")
    assert result.response is not None and "`/ask`" in result.response.content

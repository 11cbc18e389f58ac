"""`/help`: how to ask, who curates, and every command with one line each (its own
description, read from the command tree, so it cannot drift). Works in DMs too."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.app import Citebot
from bot.errors import NO_MENTIONS


def command_lines(tree: app_commands.CommandTree[discord.Client]) -> list[str]:
    """One line for each command (not group) of the tree, in its order:
    "`/article add` — Add an article from a link, a file or pasted text." """
    return [
        f"`/{command.qualified_name}` — {command.description}"
        for command in tree.walk_commands()
        if isinstance(command, app_commands.Command)
    ]


class Help(commands.Cog):
    def __init__(self, bot: Citebot) -> None:
        self.bot = bot

    @app_commands.command(
        name="help",
        description="How to ask citebot, and every command.",
        extras={"in_dms": True},
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def help(self, interaction: discord.Interaction) -> None:
        mention = self.bot.user.mention if self.bot.user else "@citebot"
        opening = render.help_text(mention, self.bot.settings.admin_role)
        lines = "\n".join(command_lines(self.bot.tree))
        await interaction.response.send_message(
            render.fit(f"{opening}\n**Commands**\n{lines}"),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: Citebot) -> None:
    await bot.add_cog(Help(bot))

"""`/help`: how to ask and how to add articles, in a few lines. Works in DMs too."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.app import Citebot
from bot.errors import NO_MENTIONS


def help_text(bot_mention: str, admin_role: str | None) -> str:
    curators = "Manage Server" + (f" or the {render.escape(admin_role)} role" if admin_role else "")
    return (
        "**citebot** answers questions with quotes, word for word, from the articles this "
        "server keeps, and links each quote to its source. No AI: what it shows is what the "
        "article says.\n"
        f"**Ask:** `/ask` with your question (`private: True` shows the answer only to you), "
        f"or mention me: {bot_mention} who is Russia's ambassador to China? "
        "The buttons page through other results and show the whole passage.\n"
        f"**Add articles** ({curators}): `/article add` with a `url`, a `file` (.txt, .md, "
        ".html, .pdf) or `text`; with none of them, a form opens to paste a long text. "
        "`/article list`, `/article show` and `/article remove` do the rest.\n"
        "Each server has its own library: nothing added here appears anywhere else."
    )


class Help(commands.Cog):
    def __init__(self, bot: Citebot) -> None:
        self.bot = bot

    @app_commands.command(
        name="help",
        description="How to ask citebot and how to add articles.",
        extras={"in_dms": True},
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def help(self, interaction: discord.Interaction) -> None:
        mention = self.bot.user.mention if self.bot.user else "@citebot"
        await interaction.response.send_message(
            help_text(mention, self.bot.settings.admin_role),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: Citebot) -> None:
    await bot.add_cog(Help(bot))

"""`/help`: how to ask and how to add articles, in a few lines. Works in DMs too."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.app import Citebot
from bot.errors import NO_MENTIONS


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
            render.help_text(mention, self.bot.settings.admin_role),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: Citebot) -> None:
    await bot.add_cog(Help(bot))

"""`/config`: a server's settings, kept in the library's database and changed by its curators.

Where the bot answers mentions (everywhere, or listed channels), ask channels (every message a
question; they need the message-content intent), the topics a channel's questions search, and
the question log behind `/article stats` (off by default; kept 30 days unless set otherwise;
erasable). Every command needs Manage Server or the admin role, as for articles, and answers
privately. Every process serving the server sees a change at its next question.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot import render, reports
from bot.app import Citebot
from bot.checks import collection_of, curated_group, curators_only
from bot.errors import NO_MENTIONS
from bot.views import ConfirmView
from index import RETENTION_DAYS, RETENTION_MAX, ServerSettings, topic_names

log = logging.getLogger(__name__)

Channel = discord.TextChannel | discord.Thread


def _target(interaction: discord.Interaction, channel: Channel | None) -> int:
    """The channel a command names, else the one it is used in."""
    if channel is not None:
        return channel.id
    assert interaction.channel_id is not None
    return interaction.channel_id


class Config(commands.Cog):
    config = curated_group("config", "Where citebot answers, topics, and the question log.")

    def __init__(self, bot: Citebot) -> None:
        self.bot = bot

    async def _reply(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(
            render.fit(text), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def _show(self, interaction: discord.Interaction, said: str, now: ServerSettings) -> None:
        """What a change did, then every setting."""
        content = reports.settings_text(now, self.bot.settings.message_content)
        await self._reply(interaction, f"{said}\n\n{content}")

    @config.command(name="show", description="Show every setting of citebot in this server.")
    @curators_only()
    async def show(self, interaction: discord.Interaction) -> None:
        settings = await self.bot.library.community.settings(collection_of(interaction))
        await self._reply(
            interaction, reports.settings_text(settings, self.bot.settings.message_content)
        )

    @config.command(name="answer-in", description="Answer mentions in a channel, or stop.")
    @app_commands.describe(
        channel="The channel (default: this one).",
        answer="True: answer there (then only in the listed channels); False: take it out.",
    )
    @curators_only()
    async def answer_in(
        self, interaction: discord.Interaction, answer: bool, channel: Channel | None = None
    ) -> None:
        target = _target(interaction, channel)
        now = await self.bot.library.community.answer_in(collection_of(interaction), target, answer)
        said = f"Mentions {'are' if answer else 'are no longer'} answered in <#{target}>."
        if not now.answer_channels:
            said += " No channel is listed any more: I answer everywhere."
        await self._show(interaction, said, now)

    @config.command(name="answer-everywhere", description="Answer mentions in every channel.")
    @curators_only()
    async def answer_everywhere(self, interaction: discord.Interaction) -> None:
        community = self.bot.library.community
        now = await community.answer_in(collection_of(interaction), None, True)
        await self._show(interaction, "Mentions are answered in every channel again.", now)

    @config.command(
        name="ask-channel", description="Take every message in a channel as a question."
    )
    @app_commands.describe(
        channel="The channel (default: this one).",
        on="True: every message there is a question (answered only when found); False: stop.",
    )
    @curators_only()
    async def ask_channel(
        self, interaction: discord.Interaction, on: bool, channel: Channel | None = None
    ) -> None:
        if on and not self.bot.settings.message_content:
            await self._reply(interaction, reports.MESSAGE_CONTENT_NEEDED)
            return
        target = _target(interaction, channel)
        now = await self.bot.library.community.ask_in(collection_of(interaction), target, on)
        state = "an ask channel" if on else "no longer an ask channel"
        await self._show(interaction, f"<#{target}> is {state}.", now)

    @config.command(name="channel-topics", description="Search only some topics in a channel.")
    @app_commands.describe(
        topics="Topics, separated by commas; empty to search every article again.",
        channel="The channel (default: this one).",
    )
    @curators_only()
    async def channel_topics(
        self,
        interaction: discord.Interaction,
        topics: app_commands.Range[str, 0, 400] = "",
        channel: Channel | None = None,
    ) -> None:
        target = _target(interaction, channel)
        names = topic_names(topics)
        now = await self.bot.library.community.bind_topics(
            collection_of(interaction), target, names
        )
        said = (
            f"Questions in <#{target}> search only: {reports.topic_list(names)}."
            if names
            else f"Questions in <#{target}> search every article."
        )
        await self._show(interaction, said, now)

    @config.command(name="questions", description="Keep questions for /article stats, or stop.")
    @app_commands.describe(
        keep="True: keep the questions asked here (for curators' stats); False: stop.",
        days=f"How many days each is kept (1-{RETENTION_MAX}, default {RETENTION_DAYS}).",
    )
    @curators_only()
    async def questions(
        self,
        interaction: discord.Interaction,
        keep: bool,
        days: app_commands.Range[int, 1, RETENTION_MAX] = RETENTION_DAYS,
    ) -> None:
        now = await self.bot.library.community.keep_questions(
            collection_of(interaction), keep, days
        )
        said = (
            f"Questions asked here are now kept for {render.plural(days, 'day')}."
            if keep
            else "Questions are no longer kept; those kept already expire in their time,"
            " or `/config erase-questions` erases them now."
        )
        await self._show(interaction, said, now)

    @config.command(name="erase-questions", description="Erase every question kept so far.")
    @curators_only()
    async def erase_questions(self, interaction: discord.Interaction) -> None:
        collection = collection_of(interaction)

        async def confirmed() -> str:
            erased = await self.bot.library.community.erase_questions(collection)
            log.info("%s erased %d questions in %s", interaction.user.id, erased, collection)
            return f"Erased {render.plural(erased, 'question')}."

        view = ConfirmView(interaction.user.id, confirmed, confirm_label="Erase")
        await interaction.response.send_message(
            "Erase every question kept for this server's stats? Votes stay.",
            view=view,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        view.message = await interaction.original_response()


async def setup(bot: Citebot) -> None:
    await bot.add_cog(Config(bot))

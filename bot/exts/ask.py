"""Asking: `/ask`, and a question in a message that mentions the bot.

Both answer with the best result's quote and source (`render`), buttons to page through the
other results and to read the whole passage, and a plain "no match" with a hint otherwise.
Mentions need no privileged intent: Discord delivers the content of messages that mention the
bot. Both share one per-user cooldown.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.app import Citebot
from bot.checks import collection_name
from bot.errors import NO_MENTIONS, UNEXPECTED, OnCooldown
from bot.views import AnswerView
from index import Answer, CitebotError

log = logging.getLogger(__name__)

QUESTION_MAX = 500
COOLDOWN_NOTICE_SECONDS = 10.0


class Ask(commands.Cog):
    def __init__(self, bot: Citebot) -> None:
        self.bot = bot

    def _check_cooldown(self, user_id: int) -> None:
        retry_after = self.bot.ask_cooldown.hit(user_id)
        if retry_after:
            raise OnCooldown(retry_after)

    async def answer(self, guild_id: int, question: str, k: int) -> Answer:
        return await self.bot.library.ask(collection_name(guild_id), question, k)

    @app_commands.command(name="ask", description="Ask this server's articles a question.")
    @app_commands.describe(
        question="Your question, in your own words.",
        results="How many results to page through (1-5, default 3).",
        private="Show the answer only to you.",
    )
    @app_commands.guild_only()
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, QUESTION_MAX],
        results: app_commands.Range[int, 1, 5] = 3,
        private: bool = False,
    ) -> None:
        assert interaction.guild_id is not None  # guild-only (CitebotTree checks it too)
        self._check_cooldown(interaction.user.id)
        await interaction.response.defer(ephemeral=private, thinking=True)
        answer = await self.answer(interaction.guild_id, question, results)
        if not answer.results:
            await interaction.followup.send(
                render.render_asked(question, render.render_no_match(answer)),
                ephemeral=private,
                allowed_mentions=NO_MENTIONS,
            )
            return
        view = AnswerView(answer, interaction.user.id, header=question)
        view.message = await interaction.followup.send(
            view.content(), view=view, ephemeral=private, allowed_mentions=NO_MENTIONS, wait=True
        )

    # --- mentions --------------------------------------------------------------------------

    def question_in(self, message: discord.Message) -> str | None:
        """The question of a message that mentions the bot by name (or its role); else None.

        Only an explicit mention in the text counts, not the ping of a reply to the bot.
        """
        me = self.bot.user
        if me is None or message.guild is None:
            return None
        tokens = [rf"<@!?{me.id}>"]
        if message.guild.self_role is not None:
            tokens.append(rf"<@&{message.guild.self_role.id}>")
        pattern = re.compile("|".join(tokens))
        if not pattern.search(message.content):
            return None
        return " ".join(pattern.sub(" ", message.content).split()).strip(" ,:;-")

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        if message.guild is None:
            await self._send(message, render.DM_REPLY)
            return
        question = self.question_in(message)
        if question is None or not self._can_reply(message):
            return
        if not question:
            await self._send(message, render.EMPTY_MENTION)
            return
        try:
            self._check_cooldown(message.author.id)
            answer = await self.answer(message.guild.id, question[:QUESTION_MAX], 3)
        except OnCooldown as exc:
            await self._send(message, str(exc), delete_after=COOLDOWN_NOTICE_SECONDS)
            return
        except CitebotError as exc:
            await self._send(message, str(exc))
            return
        except Exception:
            log.exception("unexpected error answering a mention in guild %s", message.guild.id)
            await self._send(message, UNEXPECTED)
            return
        if not answer.results:
            await self._send(message, render.render_no_match(answer))
            return
        view = AnswerView(answer, message.author.id)
        view.message = await self._send(message, view.content(), view=view)

    def _can_reply(self, message: discord.Message) -> bool:
        guild = message.guild
        if (
            guild is None
            or guild.me is None
            or isinstance(message.channel, discord.PartialMessageable)
        ):
            return True
        permissions = message.channel.permissions_for(guild.me)
        if isinstance(message.channel, discord.Thread):
            return permissions.send_messages_in_threads
        return permissions.send_messages

    async def _send(
        self,
        message: discord.Message,
        content: str,
        *,
        view: discord.ui.View | None = None,
        delete_after: float | None = None,
    ) -> discord.Message | None:
        """Reply to `message` without pinging anyone; None if Discord refused."""
        extra: dict[str, Any] = {"delete_after": delete_after} if delete_after else {}
        if view is not None:
            extra["view"] = view
        try:
            return await message.channel.send(
                render.fit(content),
                reference=message.to_reference(fail_if_not_exists=False),
                mention_author=False,
                allowed_mentions=NO_MENTIONS,
                **extra,
            )
        except discord.HTTPException:
            log.warning("could not reply in channel %s", message.channel.id, exc_info=True)
            return None


async def setup(bot: Citebot) -> None:
    await bot.add_cog(Ask(bot))

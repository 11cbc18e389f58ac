"""Asking: `/ask`, a question in a message that mentions the bot, follow-ups, ask channels.

Every answer opens with its question and carries persistent buttons (`bot.buttons`): paging, the
whole passage, Helpful / Not helpful and Follow up. Where the bot answers is the server's
choice (`/config`): everywhere by default, or only in listed channels, where a mention elsewhere
gets no reply and `/ask` a short private hint. A reply to one of the bot's answers, or a
mention in a thread started from one, is a follow-up: the earlier question's words count too,
at a lower weight. In an ask channel (which needs the message-content intent) every message is
a question, answered only when something matches. A channel bound to topics searches only their
articles. Mentions need no privileged intent. `/ask` and mentions share one per-user cooldown.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import answers, render
from bot.answers import Asked
from bot.app import Citebot
from bot.buttons import DYNAMIC_ITEMS, answer_view, channel_topics, respond
from bot.checks import collection_name, topic_choices
from bot.errors import NO_MENTIONS, UNEXPECTED, OnCooldown
from bot.reports import answer_channels_hint
from index import Answer, CitebotError, ServerSettings, topic_names

log = logging.getLogger(__name__)

QUESTION_MAX = 500
COOLDOWN_NOTICE_SECONDS = 10.0


def _where(channel: Any) -> tuple[int | None, int | None]:
    """A channel's id and, for a thread, its parent's."""
    return getattr(channel, "id", None), getattr(channel, "parent_id", None)


class Ask(commands.Cog):
    def __init__(self, bot: Citebot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)  # also those of answers sent before a restart

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    def _check_cooldown(self, user_id: int) -> None:
        retry_after = self.bot.ask_cooldown.hit(user_id)
        if retry_after:
            raise OnCooldown(retry_after)

    async def settings(self, guild_id: int) -> ServerSettings:
        return await self.bot.library.community.settings(collection_name(guild_id))

    @app_commands.command(name="ask", description="Ask this server's articles a question.")
    @app_commands.describe(
        question="Your question, in your own words.",
        results="How many results to page through (1-5, default 3).",
        private="Show the answer only to you.",
        topic="Search only the articles of this topic.",
    )
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.guild_only()
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, QUESTION_MAX],
        results: app_commands.Range[int, 1, 5] = 3,
        private: bool = False,
        topic: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        assert interaction.guild_id is not None  # guild-only (CitebotTree checks it too)
        settings = await self.settings(interaction.guild_id)
        where = _where(interaction.channel)
        if not settings.answers_in(*where) and not settings.asks_in(*where):
            await interaction.response.send_message(
                answer_channels_hint(settings), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        self._check_cooldown(interaction.user.id)
        chosen = topic_names(topic or "")[:1]
        topics = tuple(chosen) or await channel_topics(interaction)
        asked = Asked(question, topics=topics, topic=chosen[0] if chosen else "")
        await respond(interaction, asked, results, private)

    # --- mentions, follow-ups and ask channels ---------------------------------------------

    def question_in(self, message: discord.Message) -> str | None:
        """The question of a message that mentions the bot by name (or its role); else None.

        Only an explicit mention in the text counts, not the ping of a reply to the bot.
        """
        me = self.bot.user
        if me is None or message.guild is None:
            return None
        pattern = self._mention(message)
        if not pattern.search(message.content):
            return None
        return " ".join(pattern.sub(" ", message.content).split()).strip(" ,:;-")

    def _mention(self, message: discord.Message) -> re.Pattern[str]:
        assert self.bot.user is not None and message.guild is not None
        tokens = [rf"<@!?{self.bot.user.id}>"]
        if message.guild.self_role is not None:
            tokens.append(rf"<@&{message.guild.self_role.id}>")
        return re.compile("|".join(tokens))

    def _is_answer(self, message: object) -> bool:
        return (
            isinstance(message, discord.Message)
            and self.bot.user is not None
            and message.author.id == self.bot.user.id
            and answers.follow_up_of(message.content) is not None
        )

    async def earlier_of(self, message: discord.Message, mentioned: bool) -> str | None:
        """The earlier question when `message` follows up an answer: a reply to one, or (when
        it mentions the bot) a message in a thread started from one; else None."""
        reference = message.reference
        if reference is not None and self._is_answer(reference.resolved):
            assert isinstance(reference.resolved, discord.Message)
            return answers.follow_up_of(reference.resolved.content)
        thread = message.channel
        if not mentioned or not isinstance(thread, discord.Thread):
            return None
        starter = thread.starter_message
        if starter is None and isinstance(thread.parent, discord.TextChannel):
            try:
                starter = await thread.parent.fetch_message(thread.id)
            except discord.HTTPException:  # not started from a message, or it is gone
                return None
        if starter is None or not self._is_answer(starter):
            return None
        return answers.follow_up_of(starter.content)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        if message.guild is None:
            await self._send(message, render.DM_REPLY)
            return
        question = self.question_in(message)
        earlier = await self.earlier_of(message, question is not None)
        if question is None and earlier is None and not self.bot.intents.message_content:
            return  # neither a question nor, without the intent, an ask channel's message
        if earlier is not None and question is None:  # a reply that does not name the bot
            question = " ".join(self._mention(message).sub(" ", message.content).split())
            if not question:
                return  # no message-content intent: a reply without the ping shows no text
        settings = await self.settings(message.guild.id)
        where = _where(message.channel)
        in_ask_channel = settings.asks_in(*where) and self.bot.intents.message_content
        topics = settings.topics_in(*where)
        if question is None and in_ask_channel:
            question = message.content.strip()[:QUESTION_MAX]
            if question and self._can_reply(message):
                await self._answer(message, Asked(question, topics=topics), only_found=True)
            return
        if question is None or not (settings.answers_in(*where) or in_ask_channel):
            return
        if not self._can_reply(message):
            return
        if not question:
            await self._send(message, render.EMPTY_MENTION)
            return
        await self._answer(message, Asked(question[:QUESTION_MAX], earlier or "", topics))

    async def _answer(
        self, message: discord.Message, asked: Asked, only_found: bool = False
    ) -> None:
        """Reply with the answer (in an ask channel, `only_found`: only when one was found)."""
        assert message.guild is not None
        guild_id = message.guild.id
        try:
            self._check_cooldown(message.author.id)
            answer: Answer = await answers.ask(self.bot.library, guild_id, asked, 3)
            if only_found and not answer.results:
                return
            retry = await answers.did_you_mean(self.bot.library, guild_id, asked, answer)
        except OnCooldown as exc:
            if not only_found:  # an ask channel's talk is not told to slow down
                await self._send(message, str(exc), delete_after=COOLDOWN_NOTICE_SECONDS)
            return
        except CitebotError as exc:
            if not only_found:
                await self._send(message, str(exc))
            return
        except Exception:
            log.exception("unexpected error answering a message in guild %s", guild_id)
            if not only_found:
                await self._send(message, UNEXPECTED)
            return
        view = answer_view(asked, answer, message.author.id, retry=retry)
        sent = await self._send(message, answers.content(asked, answer, retry=retry), view=view)
        if sent is not None:
            self.bot.answers.put(sent.id, asked, answer)
        await answers.log_question(
            self.bot.library, guild_id, asked, answer, sent.id if sent else None
        )

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

"""Following feeds: `/feed add`, `list` and `remove`, and the background poller.

A curator registers an RSS or Atom feed (or a site whose page links one) for the server; every
`CITEBOT_FEED_INTERVAL_MINUTES` the poller reads every server's feeds and adds their new entries,
with the same safety rules as any link; a process running some shards only reads the feeds of
those shards' servers. The poller is one task owned by this cog: started by `cog_load`,
cancelled by `cog_unload`; a failing round is logged and the next one still runs, and a failing
feed is recorded on that feed (shown by `/feed list`). A feed's articles inherit its topics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.app import Citebot
from bot.checks import collection_of, curated_group, curators_only, feed_choices
from bot.errors import NO_MENTIONS
from bot.reports import topic_list
from bot.views import send_pages
from index import ClosingError, topic_names

log = logging.getLogger(__name__)


class Feeds(commands.Cog):
    feed = curated_group(
        "feed", "Follow RSS or Atom feeds: their new articles are added by themselves."
    )

    def __init__(self, bot: Citebot) -> None:
        self.bot = bot
        self._poller: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self._poller = asyncio.create_task(self._poll_forever(), name="citebot feed poller")

    async def cog_unload(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller

    async def _poll_forever(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            await self.poll_once()
            await asyncio.sleep(self.bot.settings.feed_interval_minutes * 60)

    async def poll_once(self) -> None:
        """One round over the feeds of this process's servers; never raises."""
        try:
            reports = await self.bot.library.poll_feeds(shards=self.bot.own_shards)
        except ClosingError:  # the bot is stopping
            return
        except Exception:
            log.exception("the feed poll failed")
            return
        added = sum(r.added for r in reports)
        failed = [r for r in reports if r.error]
        log.info("feeds: %d read, %d new articles, %d failing", len(reports), added, len(failed))

    @feed.command(name="add", description="Follow a feed: its new articles will be added.")
    @app_commands.describe(
        url="The feed's link, or a site's page that links to its feed.",
        topic="Topics its articles will carry, separated by commas.",
    )
    @curators_only()
    async def add(
        self,
        interaction: discord.Interaction,
        url: str,
        topic: app_commands.Range[str, 1, 400] | None = None,
    ) -> None:
        topics = topic_names(topic or "")  # a bad topic is refused before anything is done
        await interaction.response.defer(ephemeral=True, thinking=True)
        info = await self.bot.library.add_feed(
            collection_of(interaction), url, f"discord:{interaction.user.id}"
        )
        if topics:
            await self.bot.library.community.set_feed_topics(info.id, topics)
        message = render.following_message(info, self.bot.settings.feed_interval_minutes)
        if topics:
            message = render.fit(f"{message}\nThey will carry the topics {topic_list(topics)}.")
        await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @feed.command(name="list", description="The feeds this server follows.")
    async def list_(self, interaction: discord.Interaction) -> None:
        feeds = await self.bot.library.feeds(collection_of(interaction))
        await send_pages(interaction, render.feed_pages(feeds))

    @feed.command(name="remove", description="Stop following a feed (its articles stay).")
    @app_commands.describe(feed="The feed (type to search).")
    @app_commands.autocomplete(feed=feed_choices)
    @curators_only()
    async def remove(self, interaction: discord.Interaction, feed: int) -> None:
        info = await self.bot.library.remove_feed(collection_of(interaction), feed)
        await interaction.response.send_message(
            render.unfollowed_message(info), ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def setup(bot: Citebot) -> None:
    await bot.add_cog(Feeds(bot))

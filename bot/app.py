"""The Bot subclass: its dependencies come in through the constructor, features are extensions.

The library is opened (and closed) by the launcher; the bot only uses it. What the features
share about an interaction (its server's collection, who may curate) is in `bot.checks`.

The bot is an `AutoShardedBot`: without shard settings discord.py asks Discord how many shards
to run and runs them all; with `CITEBOT_SHARD_COUNT` and `CITEBOT_SHARD_IDS` it runs those
shards only, and Discord sends it the events of their servers only (DMs go to shard 0). Several
such processes share one database; only the one running shard 0 syncs the commands.
"""

from __future__ import annotations

import logging

import aiohttp
import discord
from discord.ext import commands

from bot.answers import AnswerCache
from bot.cooldown import Cooldown
from bot.errors import NO_MENTIONS, CitebotTree
from bot.settings import Settings
from bot.sync import sync_if_changed
from index import Library, Shards

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.exts.ask",
    "bot.exts.articles",
    "bot.exts.help",
    "bot.exts.config",
    "bot.exts.feeds",  # also owns the background feed poller
)

ASK_RATE = 3  # questions per user...
ASK_PER = 20.0  # ...per this many seconds, over /ask and mentions together


def intents(message_content: bool = False) -> discord.Intents:
    """No privileged intent unless asked for: Discord sends the content of messages that
    mention the bot anyway; ask channels (every message a question) need `message_content`."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = message_content
    return wanted


class Citebot(commands.AutoShardedBot):
    """citebot in Discord: slash commands and mentions over a `Library`.

    `force_sync`: sync the commands even when the record says they are unchanged.
    """

    def __init__(
        self,
        library: Library,
        settings: Settings,
        *,
        connector: aiohttp.BaseConnector | None = None,
        force_sync: bool = False,
    ) -> None:
        shards = settings.shards()
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: there are no prefix commands
            help_command=None,
            intents=intents(settings.message_content),
            tree_cls=CitebotTree,
            allowed_mentions=NO_MENTIONS,
            chunk_guilds_at_startup=False,
            connector=connector,
            proxy=settings.proxy,
            shard_count=None if shards is None else shards.count,
            # None (discord.py's default: every shard) is not in discord.py's annotation
            shard_ids=None if shards is None else sorted(shards.ids),  # type: ignore[arg-type]
        )
        self.library = library
        self.settings = settings
        self.own_shards: Shards | None = shards  # None: this process runs every shard
        self.force_sync = force_sync
        self.ask_cooldown = Cooldown(ASK_RATE, ASK_PER)
        self.answers = AnswerCache()  # recent answers, for their buttons

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if not self.syncs_commands:
            log.info("application commands are synced by the process running shard 0")
            return
        assert self.application_id is not None  # known after login
        await sync_if_changed(
            self.tree,
            self.application_id,
            self.settings.sync_state,
            self.settings.dev_guild,
            force=self.force_sync,
        )

    @property
    def syncs_commands(self) -> bool:
        """Whether this process syncs the commands (and writes the record of it): the one
        running shard 0, so that of several processes exactly one does."""
        return self.own_shards is None or 0 in self.own_shards.ids

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (%s) to %d servers (shards %s of %s)",
            self.user,
            self.user and self.user.id,
            len(self.guilds),
            ",".join(map(str, sorted(self.shards))),
            self.shard_count,
        )

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: mentions are questions, handled by the ask extension."""

    async def close(self) -> None:
        """Stop: close the library first (it refuses new writes and lets those in progress
        finish, so their replies can still be sent), then disconnect."""
        await self.library.close()
        await super().close()

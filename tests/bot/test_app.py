"""The Bot subclass (bot/app.py): extensions, intents, and stopping without losing writes."""

from __future__ import annotations

import asyncio

import pytest
import simcord

from bot.app import EXTENSIONS, Citebot
from bot.settings import Settings
from index import ClosingError, Document, Library, Shards


async def test_every_extension_loads(simcord_env: simcord.Env) -> None:
    """setup_hook loads every extension, and their commands are registered."""
    assert set(simcord_env.bot.extensions) == set(EXTENSIONS)
    names = {c.name for c in simcord_env.bot.tree.get_commands()}
    assert names == {"ask", "article", "config", "feed", "help"}


def test_no_privileged_intent_is_needed(library: Library, settings: Settings) -> None:
    """The bot asks for no privileged intent (members, presences, message content)."""
    intents = Citebot(library, settings).intents
    assert not (intents.message_content or intents.members or intents.presences)


async def test_close_waits_for_writes_in_progress(library: Library, settings: Settings) -> None:
    """Stopping lets a library write in progress finish before disconnecting (none is lost)."""
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_progress(step: str) -> None:
        started.set()
        await release.wait()

    otters = Document("Otters", "Otters hold hands while asleep.")
    async with Citebot(library, settings) as bot:  # entered, as the launcher does
        writer = asyncio.create_task(library.add("guild:1", otters, progress=slow_progress))
        await asyncio.wait_for(started.wait(), 5)
        closing = asyncio.create_task(bot.close())
        await asyncio.sleep(0.05)
        assert not closing.done()
        release.set()
        await asyncio.wait_for(closing, 5)
        await writer
    assert [a.title for a in await library.articles("guild:1")] == ["Otters"]


async def test_no_write_starts_once_stopping(library: Library, settings: Settings) -> None:
    """After stopping has begun, a new write is refused with a polite error."""
    async with Citebot(library, settings) as bot:
        await bot.close()
    with pytest.raises(ClosingError, match="restarting"):
        await library.add("guild:1", Document("Otters", "Otters hold hands while asleep."))


def test_without_shard_settings_discord_py_chooses(library: Library, settings: Settings) -> None:
    """No shard settings: discord.py asks Discord for the count and runs every shard; this
    process syncs the commands and reads every feed."""
    bot = Citebot(library, settings)
    assert bot.shard_count is None and bot.shard_ids is None
    assert bot.own_shards is None and bot.syncs_commands


@pytest.mark.parametrize(("ids", "syncs"), [({0}, True), ({0, 2}, True), ({1, 3}, False)])
def test_a_process_runs_the_shards_it_is_given(
    library: Library, settings: Settings, ids: set[int], syncs: bool
) -> None:
    """With shard settings the bot runs exactly those shards, and syncs only with shard 0."""
    sharded = settings.model_copy(update={"shard_count": 4, "shard_ids": frozenset(ids)})
    bot = Citebot(library, sharded)
    assert bot.shard_count == 4 and bot.shard_ids == sorted(ids)
    assert bot.own_shards == Shards(4, frozenset(ids))
    assert bot.syncs_commands is syncs


def test_the_proxy_setting_reaches_discord_py(library: Library, settings: Settings) -> None:
    """CITEBOT_PROXY is the proxy of every request and websocket discord.py makes."""
    proxied = settings.model_copy(update={"proxy": "http://proxy.example:3128"})
    assert Citebot(library, proxied).http.proxy == "http://proxy.example:3128"
    assert Citebot(library, settings).http.proxy is None

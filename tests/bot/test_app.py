"""The Bot subclass (bot/app.py): extensions, intents, and stopping without losing writes."""

from __future__ import annotations

import asyncio

import pytest
import simcord

from bot.app import EXTENSIONS, Citebot
from bot.errors import ShuttingDown
from bot.settings import Settings
from index import Document, Library


async def test_every_extension_loads(simcord_env: simcord.Env) -> None:
    """setup_hook loads every extension, and their commands are registered."""
    assert set(simcord_env.bot.extensions) == set(EXTENSIONS)
    names = {c.name for c in simcord_env.bot.tree.get_commands()}
    assert names == {"ask", "article", "feed", "help"}


def test_no_privileged_intent_is_needed(library: Library, settings: Settings) -> None:
    """The bot asks for no privileged intent (members, presences, message content)."""
    intents = Citebot(library, settings).intents
    assert not (intents.message_content or intents.members or intents.presences)


async def test_close_waits_for_writes_in_progress(library: Library, settings: Settings) -> None:
    """Stopping lets a write in progress finish before disconnecting (no write is lost)."""
    bot = Citebot(library, settings)
    release = asyncio.Event()

    async def write() -> None:
        async with bot.writing():
            await release.wait()
            await library.add("guild:1", Document("Otters", "Otters hold hands while asleep."))

    writer = asyncio.create_task(write())
    await asyncio.sleep(0)
    closing = asyncio.create_task(bot.close())
    await asyncio.sleep(0.05)
    assert not closing.done()
    release.set()
    await asyncio.wait_for(closing, 5)
    await writer
    assert [a.title for a in await library.articles("guild:1")] == ["Otters"]


async def test_no_write_starts_once_stopping(library: Library, settings: Settings) -> None:
    """After stopping has begun, a new write is refused with a polite error."""
    bot = Citebot(library, settings)
    await bot.close()
    with pytest.raises(ShuttingDown):
        async with bot.writing():
            pass

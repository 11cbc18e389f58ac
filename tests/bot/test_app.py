"""The Bot subclass (bot/app.py): extensions, intents, and stopping without losing writes."""

from __future__ import annotations

import asyncio

import pytest
import simcord

from bot.app import EXTENSIONS, Citebot
from bot.settings import Settings
from index import ClosingError, Document, Library


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
    """Stopping lets a library write in progress finish before disconnecting (none is lost)."""
    bot = Citebot(library, settings)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_progress(step: str) -> None:
        started.set()
        await release.wait()

    otters = Document("Otters", "Otters hold hands while asleep.")
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
    bot = Citebot(library, settings)
    await bot.close()
    with pytest.raises(ClosingError, match="restarting"):
        await library.add("guild:1", Document("Otters", "Otters hold hands while asleep."))

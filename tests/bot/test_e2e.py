"""End to end: the launcher's `serve` runs the real discord.py client against a fake Discord.

The client connects over real TLS, HTTP and a websocket to `fake_discord.FakeDiscord` on
127.0.0.1 (see that module for how, without patching discord.py): it logs in, syncs its
commands, runs the shards Discord recommends, answers `/ask` and a mention, refuses `/article
add` to a member without the permission, and stops cleanly on SIGTERM; `citebot sync` syncs
and stops. Several bot processes sharing the shards are in test_sharding.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.__main__ import StartupError, serve, sync_commands
from bot.settings import Settings
from index import Library
from index.ingest import load_file
from tests.helpers.bot_processes import citebot
from tests.helpers.fake_discord import TIMEOUT, Certificate, FakeDiscord, Request

AMBASSADOR = "Who is Russia's ambassador to China?"


@pytest.fixture
async def discord_server(certificate: Certificate) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(certificate) as server:
        yield server


@pytest.fixture
def sigterm_safety_net() -> Iterator[None]:
    """Should the bot fail to handle SIGTERM, the signal is swallowed (the test then fails)
    instead of killing the test run."""
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    yield
    signal.signal(signal.SIGTERM, previous)


async def seed(settings: Settings, guild_id: int, shared: Path) -> None:
    """The sample article in the fake server's library, written before the bot starts."""
    document = load_file(shared / "samples/china-russia-article.txt")  # cleaned, as when added
    async with Library.open(settings.db) as library:
        await library.add(f"guild:{guild_id}", document)


@pytest.fixture
async def bot_task(
    discord_server: FakeDiscord,
    settings: Settings,
    shared: Path,
    sigterm_safety_net: None,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[asyncio.Task[None]]:
    """The launcher's `serve`, running with the fake server's token and connector."""
    caplog.set_level(logging.DEBUG)
    await seed(settings, discord_server.guild_id, shared)
    settings = settings.model_copy(update={"discord_token": SecretStr(discord_server.token)})
    task = asyncio.create_task(serve(settings, connector=discord_server.connector()))
    await asyncio.wait_for(discord_server.identified.wait(), TIMEOUT)
    yield task
    if not task.done():
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, TIMEOUT)
    assert discord_server.unhandled == []
    assert discord_server.token not in caplog.text  # the token is never logged


@pytest.fixture
def running(discord_server: FakeDiscord, bot_task: asyncio.Task[None]) -> FakeDiscord:
    return discord_server


def is_webhook_post(server: FakeDiscord, token: str) -> Callable[[Request], bool]:
    path = f"/webhooks/{server.application_id}/{token}"
    return lambda r: r.method == "POST" and r.path == path


def is_callback(interaction_id: str) -> Callable[[Request], bool]:
    return lambda r: r.path.startswith(f"/interactions/{interaction_id}/")


async def test_bot_logs_in_and_syncs_its_commands(running: FakeDiscord) -> None:
    """Start-up logs in, reads the application, and syncs /ask, /article and /help globally."""
    paths = [(r.method, r.path) for r in running.requests]
    assert paths[:2] == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]
    assert ("PUT", f"/applications/{running.application_id}/commands") in paths
    assert {c["name"] for c in running.commands["global"]} == {
        "ask", "article", "config", "feed", "help"
    }  # fmt: skip


async def test_without_shard_settings_discord_chooses_the_shards(running: FakeDiscord) -> None:
    """No shard settings: the bot asks Discord how many shards to run (here one) and runs them
    all, as shard 0 of 1."""
    assert ("GET", "/gateway/bot") in [(r.method, r.path) for r in running.requests]
    assert running.identifies == [(0, 1)]


async def test_one_process_runs_every_shard_discord_recommends(
    certificate: Certificate, settings: Settings, sigterm_safety_net: None
) -> None:
    """When Discord recommends two shards, the one process opens both and serves the servers
    of each (discord.py waits 5 s between two shards' IDENTIFYs)."""
    async with FakeDiscord(certificate, shards=2) as server:
        other = server.add_guild("Other", shard=1, of=2)
        settings = settings.model_copy(update={"discord_token": SecretStr(server.token)})
        task = asyncio.create_task(serve(settings, connector=server.connector()))
        try:
            await server.connection_of(1)
            assert sorted(server.identifies) == [(0, 2), (1, 2)]
            for guild in (server.guild, other):
                _, token = await server.interact(
                    server.member, "ask", {"question": AMBASSADOR}, guild=guild
                )
                answer = await server.wait_for(is_webhook_post(server, token))
                assert "no articles yet" in answer.json["content"]
        finally:
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.wait_for(task, TIMEOUT)


async def test_citebot_sync_syncs_and_stops(
    discord_server: FakeDiscord, settings: Settings
) -> None:
    """`citebot sync` logs in, syncs the commands if they changed (or anyway with --force)
    and stops, without connecting to the gateway, whatever shards the settings name."""
    settings = settings.model_copy(
        update={"discord_token": SecretStr(discord_server.token), "shard_count": 2,
                "shard_ids": frozenset({1})}
    )  # fmt: skip

    def puts() -> int:
        return sum(r.method == "PUT" for r in discord_server.requests)

    for force, synced in ((False, 1), (False, 1), (True, 2)):
        await asyncio.wait_for(
            sync_commands(settings, force=force, connector=discord_server.connector()), TIMEOUT
        )
        assert puts() == synced
    assert discord_server.identifies == []
    assert {c["name"] for c in discord_server.commands["global"]} == {
        "ask",
        "article",
        "config",
        "feed",
        "help",
    }


async def test_ask_is_answered_over_the_wire(running: FakeDiscord) -> None:
    """/ask: the bot defers, then posts the quote as the follow-up, pinging no one."""
    interaction_id, token = await running.interact(running.member, "ask", {"question": AMBASSADOR})
    callback = await running.wait_for(is_callback(interaction_id))
    assert callback.json["type"] == 5  # deferred: "citebot is thinking..."
    answer = await running.wait_for(is_webhook_post(running, token))
    assert "Denisov" in answer.json["content"]
    assert answer.json["allowed_mentions"] == {"parse": []}
    labels = [c["label"] for row in answer.json["components"] for c in row["components"]]
    assert labels == ["Previous", "Next", "Whole passage", "Helpful", "Not helpful", "Follow up"]


async def test_mention_is_answered_over_the_wire(running: FakeDiscord) -> None:
    """A message mentioning the bot gets a reply in the channel, pinging no one."""
    message_id = await running.post_message(
        running.member, f"<@{running.bot.id}> {AMBASSADOR}", mentions=[running.bot]
    )
    reply = await running.wait_for(
        lambda r: r.method == "POST" and r.path == f"/channels/{running.channel_id}/messages"
    )
    assert "Denisov" in reply.json["content"]
    assert str(reply.json["message_reference"]["message_id"]) == message_id
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_article_add_is_refused_without_permission(running: FakeDiscord) -> None:
    """/article add from a member without Manage Server is refused privately."""
    interaction_id, _ = await running.interact(
        running.member, "article", {"text": "Otters hold hands."}, subcommand="add"
    )
    callback = await running.wait_for(is_callback(interaction_id))
    assert callback.json["type"] == 4
    assert callback.json["data"]["flags"] == 64  # ephemeral
    assert callback.json["data"]["content"].startswith("Only members with the Manage Server")


async def test_sigterm_stops_the_bot_cleanly(
    discord_server: FakeDiscord, bot_task: asyncio.Task[None]
) -> None:
    """SIGTERM stops serving: the bot closes its gateway connection normally and returns."""
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(bot_task, TIMEOUT)
    # a close frame, not a dropped connection (discord.py sends 1000, or 4000 when its reader
    # task notices the closing first)
    assert discord_server.closed_with in (1000, 4000)


async def test_a_rejected_token_is_one_clear_error(
    discord_server: FakeDiscord, settings: Settings
) -> None:
    """A token Discord refuses stops start-up with one line saying so."""
    with pytest.raises(StartupError, match="Discord rejected the token"):
        await asyncio.wait_for(serve(settings, connector=discord_server.connector()), TIMEOUT)


async def citebot_add(settings: Settings, collection: str, text: str) -> None:
    """`citebot add` in another process, on the bot's library and its server's collection."""
    path = Path(settings.db).parent / "cloves.txt"
    path.write_text(text)
    await citebot(str(settings.db), "--collection", collection, "add", str(path), cwd=path.parent)


async def test_an_article_the_cli_adds_while_the_bot_runs_is_answered(
    running: FakeDiscord, settings: Settings
) -> None:
    """The command line adds to the running bot's library (another process, new words): the
    bot's next answer quotes it, and its next /article add with new words succeeds."""
    await running_answer(running, AMBASSADOR)  # the collection is loaded and in memory
    collection = f"guild:{running.guild_id}"
    await citebot_add(settings, collection, "Zanzibar quays unload cloves at dawn each day.")
    assert "at dawn" in await running_answer(running, "When do Zanzibar quays unload cloves?")
    interaction_id, token = await running.interact(
        running.curator,
        "article",
        {"text": "Quokkas of Rottnest\n\nQuokkas on Rottnest island smile at ferries."},
        subcommand="add",
    )
    await running.wait_for(is_callback(interaction_id))
    original = f"/webhooks/{running.application_id}/{token}/messages/@original"
    added = await running.wait_for(
        lambda r: r.path == original and "Added" in r.json.get("content", "")
    )
    assert "Added `#3` Quokkas of Rottnest" in added.json["content"]
    assert "Rottnest island" in await running_answer(running, "Where do quokkas smile at ferries?")


async def running_answer(server: FakeDiscord, question: str) -> str:
    """The content of the bot's answer to `/ask question`."""
    _, token = await server.interact(server.member, "ask", {"question": question})
    answer = await server.wait_for(is_webhook_post(server, token))
    return str(answer.json["content"])

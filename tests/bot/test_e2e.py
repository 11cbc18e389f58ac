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
from index import Document, Library
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


# --- issue 14: where the bot answers, topics, follow-ups, feedback, buttons after a restart --

NORWAY = "Norway treaty\n\nThe Norway treaty was signed in 1905 after long talks in Oslo."
GAS = (
    "Gas deal\n\nKazakhstan negotiated a gas deal with Russia for many months. "
    "The agreement was signed in March 2019 in Astana."
)


def is_channel_post(server: FakeDiscord) -> Callable[[Request], bool]:
    path = f"/channels/{server.channel_id}/messages"
    return lambda r: r.method == "POST" and r.path == path


async def add_text(settings: Settings, collection: str, text: str, *topics: str) -> None:
    """An article added by another process while the bot runs, with its topics."""
    async with Library.open(settings.db) as library:
        article = (await library.add(collection, Document(None, text))).article
        if topics:
            await library.community.set_topics(collection, article.id, topics)


async def test_a_mention_in_a_channel_not_allowed_gets_no_reply(
    running: FakeDiscord, settings: Settings
) -> None:
    """Another process lists only another channel: a mention in #general gets no reply and
    /ask there a private hint; once #general is listed too, the next mention is answered (and
    is the only message the bot posted)."""
    collection = f"guild:{running.guild_id}"
    async with Library.open(settings.db) as other:
        await other.community.answer_in(collection, running.snowflake(), True)
    mention = f"<@{running.bot.id}> {AMBASSADOR}"
    await running.post_message(running.member, mention, mentions=[running.bot])
    interaction_id, _ = await running.interact(running.member, "ask", {"question": AMBASSADOR})
    hint = await running.wait_for(is_callback(interaction_id))
    assert hint.json["data"]["content"].startswith("In this server I answer in <#")
    assert hint.json["data"]["flags"] == 64
    async with Library.open(settings.db) as other:
        await other.community.answer_in(collection, running.channel_id, True)
    answered = await running.post_message(running.member, mention, mentions=[running.bot])
    reply = await running.wait_for(is_channel_post(running))
    assert str(reply.json["message_reference"]["message_id"]) == answered
    assert [r for r in running.requests if is_channel_post(running)(r)] == [reply]


async def test_a_topic_bound_channel_answers_only_from_its_topic(
    running: FakeDiscord, settings: Settings
) -> None:
    """#general bound to "energy": the ambassador question, answered from the seeded
    China-Russia article before, finds nothing from it now; the energy article still answers."""
    collection = f"guild:{running.guild_id}"
    await add_text(settings, collection, GAS, "energy")
    assert "Denisov" in await running_answer(running, AMBASSADOR)
    async with Library.open(settings.db) as other:
        await other.community.bind_topics(collection, running.channel_id, ["Energy"])
    assert "Denisov" not in await running_answer(running, AMBASSADOR)
    bound = await running_answer(running, "What agreement did Russia sign?")
    assert "Kazakhstan negotiated a gas deal" in bound


async def test_a_follow_up_reply_finds_what_needs_the_earlier_question(
    running: FakeDiscord, settings: Settings
) -> None:
    """ "When was it signed?" alone quotes the Norway treaty; as a reply to the answer about the
    gas deal with Russia it quotes the deal's date."""
    collection = f"guild:{running.guild_id}"
    await add_text(settings, collection, NORWAY)
    await add_text(settings, collection, GAS)
    me = running.bot
    alone = await running.post_message(running.member, f"<@{me.id}> When was it signed?", [me])
    reply = await running.wait_for(
        lambda r: (
            is_channel_post(running)(r) and str(r.json["message_reference"]["message_id"]) == alone
        )
    )
    assert "1905" in reply.json["content"]
    asked = await running.post_message(
        running.member, f"<@{me.id}> Who made the gas deal with Russia?", [me]
    )
    await running.wait_for(
        lambda r: (
            is_channel_post(running)(r) and str(r.json["message_reference"]["message_id"]) == asked
        )
    )
    [answer] = [m for m in running.sent if "Kazakhstan" in m["content"]]
    follow = await running.post_message(
        running.member, f"<@{me.id}> When was it signed?", [me], reply_to=answer
    )
    followed = await running.wait_for(
        lambda r: (
            is_channel_post(running)(r) and str(r.json["message_reference"]["message_id"]) == follow
        )
    )
    assert "March 2019" in followed.json["content"]


async def test_feedback_shows_in_stats_and_buttons_work_after_a_restart(
    discord_server: FakeDiscord, settings: Settings, shared: Path, sigterm_safety_net: None
) -> None:
    """A "Not helpful" press shows in /article stats with its question; after the bot is
    stopped and started again, the old answer's Whole passage and Helpful still work."""
    server = discord_server
    await seed(settings, server.guild_id, shared)
    async with Library.open(settings.db) as library:
        await library.community.keep_questions(f"guild:{server.guild_id}", True)
    settings = settings.model_copy(update={"discord_token": SecretStr(server.token)})
    task = asyncio.create_task(serve(settings, connector=server.connector()))
    try:
        await asyncio.wait_for(server.identified.wait(), TIMEOUT)
        await running_answer(server, AMBASSADOR)
        [answer] = [m for m in server.sent if "Denisov" in m["content"]]
        pressed, _ = await server.press(server.member, answer, "Not helpful")
        thanks = await server.wait_for(is_callback(pressed))
        assert "marked this answer not helpful" in thanks.json["data"]["content"]
        stats, _ = await server.interact(server.curator, "article", {}, subcommand="stats")
        shown = (await server.wait_for(is_callback(stats))).json["data"]["content"]
        assert f"1 not helpful, 0 helpful; asked: “{AMBASSADOR}”" in shown
    finally:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(task, TIMEOUT)
    task = asyncio.create_task(serve(settings, connector=server.connector()))
    try:
        while len(server.identifies) < 2:
            await asyncio.wait_for(server.connection_of(0), TIMEOUT)
            await asyncio.sleep(0.05)
        passage, _ = await server.press(server.curator, answer, "Whole passage")
        whole = await server.wait_for(is_callback(passage))
        assert whole.json["data"]["flags"] == 64 and "Denisov" in whole.json["data"]["content"]
        helpful, _ = await server.press(server.curator, answer, "Helpful")
        assert "helpful" in (await server.wait_for(is_callback(helpful))).json["data"]["content"]
        stats, _ = await server.interact(server.curator, "article", {}, subcommand="stats")
        shown = (await server.wait_for(is_callback(stats))).json["data"]["content"]
        assert "1 not helpful, 1 helpful" in shown
    finally:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(task, TIMEOUT)
    assert server.unhandled == []

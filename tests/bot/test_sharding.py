"""Sharding end to end: two real `python -m bot` processes, shards 0 and 1 of 2, over one
PostgreSQL database (a real server, started by the tests).

The fake Discord routes as Discord does: server A's events go to shard 0's connection, server
B's to shard 1's, DMs to shard 0. The processes reach it through its CONNECT proxy
(`CITEBOT_PROXY`, with `SSL_CERT_FILE` trusting its certificate): nothing in the bot is there for
tests. The pair is started once for this module; each test uses its own articles and words.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from index import Library, guild_collection
from tests.helpers.bot_processes import (
    BotProcess,
    citebot,
    start_bot,
    stop_bots,
    until,
)
from tests.helpers.fake_discord import Certificate, FakeDiscord, Guild, Request
from tests.helpers.postgres import PostgresServer

pytestmark = pytest.mark.asyncio(loop_scope="module")

OTTERS = "Otters of the Elbe\n\nRiver otters on the Elbe hold hands while they sleep."
CLOVES = "Zanzibar cloves\n\nZanzibar quays unload cloves at dawn each day."


@dataclass
class Cluster:
    server: FakeDiscord
    database: str
    folder: Path
    a: Guild  # on shard 0
    b: Guild  # on shard 1
    bots: list[BotProcess]  # shard 0's process, then shard 1's


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(
    certificate: Certificate, tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer
) -> AsyncIterator[Cluster]:
    folder = tmp_path_factory.mktemp("shards")
    database = postgres.new_database()
    async with FakeDiscord(certificate, shards=2) as server:
        a, b = server.guild, server.add_guild("Server B", shard=1, of=2)
        assert (a.shard(2), b.shard(2)) == (0, 1)
        bots = [
            await start_bot(
                server, database, folder, f"shard-{i}", CITEBOT_SHARD_COUNT="2",
                CITEBOT_SHARD_IDS=str(i),
            )
            for i in (0, 1)
        ]  # fmt: skip
        try:
            await until(lambda: all("connected as" in bot.log() for bot in bots), bots, "READY")
            yield Cluster(server, database, folder, a, b, bots)
        finally:
            statuses = await stop_bots(bots)
        assert statuses == {"shard-0": 0, "shard-1": 0}
        assert all("stopped" in bot.log() and server.token not in bot.log() for bot in bots)
        assert server.unhandled == [] and server.proxy.refused == []


def sync_record(folder: Path) -> dict[str, str]:
    """The record of the last command sync: for a PostgreSQL library, in the user's data
    folder (the bot processes' XDG_DATA_HOME is the test's folder)."""
    [record] = folder.glob("citebot/postgres-*.commands.json")
    return dict(json.loads(record.read_text()))


def is_webhook_post(server: FakeDiscord, token: str) -> Callable[[Request], bool]:
    path = f"/webhooks/{server.application_id}/{token}"
    return lambda r: r.method == "POST" and r.path == path


async def answer(cluster: Cluster, guild: Guild, question: str) -> str:
    """The content of the bot's answer to `/ask question` in `guild`, asked by a new member
    (each member may ask only so often)."""
    server = cluster.server
    asker = server.new_member("asker")
    _, token = await server.interact(asker, "ask", {"question": question}, guild=guild)
    reply = await server.wait_for(is_webhook_post(server, token))
    return str(reply.json["content"])


async def test_each_process_runs_its_shard_and_gets_its_servers(cluster: Cluster) -> None:
    """One IDENTIFY per process, as shard 0 and shard 1 of 2, each through the proxy; each
    process is told of its own server only."""
    assert sorted(cluster.server.identifies) == [(0, 2), (1, 2)]
    assert set(cluster.server.proxy.tunnels) == {"discord.com:443", "gateway.discord.gg:443"}
    shard0, shard1 = (bot.log() for bot in cluster.bots)
    assert "to 1 servers (shards 0 of 2)" in shard0
    assert "to 1 servers (shards 1 of 2)" in shard1


async def test_only_shard_0_syncs_the_commands(cluster: Cluster) -> None:
    """The commands are synced once (one PUT), by shard 0's process, which alone records it."""
    server = cluster.server
    puts = [r.path for r in server.requests if r.method == "PUT"]
    assert puts == [f"/applications/{server.application_id}/commands"]
    assert "synced 5 application commands" in cluster.bots[0].log()
    assert "synced by the process running shard 0" in cluster.bots[1].log()
    assert list(sync_record(cluster.folder)) == [f"{server.application_id}/global"]


async def test_an_article_added_in_a_is_answered_in_a_only(cluster: Cluster) -> None:
    """A curator adds an article in server A: A's members find it, B's do not."""
    server = cluster.server
    _, token = await server.interact(
        server.curator, "article", {"text": OTTERS}, subcommand="add", guild=cluster.a
    )
    original = f"/webhooks/{server.application_id}/{token}/messages/@original"
    added = await server.wait_for(
        lambda r: r.path == original and "Added" in (r.json or {}).get("content", "")
    )
    assert "Otters of the Elbe" in added.json["content"]
    question = "What do otters on the Elbe hold while they sleep?"
    assert "hands while" in await answer(cluster, cluster.a, question)
    assert "hands while" not in await answer(cluster, cluster.b, question)
    async with Library.open(cluster.database, create=False) as library:  # the one database
        [article] = [a for a in await library.articles(guild_collection(cluster.a.id))]
        assert article.title == "Otters of the Elbe"
        assert "Otters of the Elbe" not in {
            a.title for a in await library.articles(guild_collection(cluster.b.id))
        }


async def test_the_command_line_adds_to_b_and_bs_process_answers(cluster: Cluster) -> None:
    """`citebot add` (a third process) to B's collection: B's process, which already holds
    that collection, answers from it at its next question."""
    question = "When do Zanzibar quays unload cloves?"
    assert "at dawn" not in await answer(cluster, cluster.b, question)  # B's collection loaded
    path = cluster.folder / "cloves.txt"
    path.write_text(CLOVES)
    collection = guild_collection(cluster.b.id)
    await citebot(cluster.database, "--collection", collection, "add", str(path), cwd=path.parent)
    assert "at dawn" in await answer(cluster, cluster.b, question)


async def test_each_process_loads_only_its_own_servers_collection(cluster: Cluster) -> None:
    """After questions in both servers, shard 0's process has loaded A's collection only, and
    shard 1's B's only (the library logs each collection it loads into memory)."""
    await answer(cluster, cluster.a, "Who unloads cloves?")
    await answer(cluster, cluster.b, "Who holds hands?")
    loaded_a = f"loaded the collection {guild_collection(cluster.a.id)}:"
    loaded_b = f"loaded the collection {guild_collection(cluster.b.id)}:"
    shard0, shard1 = (bot.log() for bot in cluster.bots)
    assert loaded_a in shard0 and loaded_b not in shard0
    assert loaded_b in shard1 and loaded_a not in shard1
    assert shard0.count("loaded the collection") == shard1.count("loaded the collection") == 1


async def test_help_in_a_dm_is_answered_by_shard_0(cluster: Cluster) -> None:
    """/help in a DM (which Discord sends to shard 0) is answered, privately."""
    server = cluster.server
    interaction_id, _ = await server.interact_in_dm(server.member.user, "help")
    callback = await server.wait_for(lambda r: r.path.startswith(f"/interactions/{interaction_id}"))
    assert callback.json["type"] == 4
    assert callback.json["data"]["flags"] == 64
    assert "/ask" in callback.json["data"]["content"]

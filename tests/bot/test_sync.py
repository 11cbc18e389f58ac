"""Command sync only when the command set changed (bot/sync.py)."""

from __future__ import annotations

import json

import discord
import pytest
import simcord
from discord import app_commands

from bot.app import Citebot
from bot.settings import Settings
from bot.sync import commands_hash
from index import Library


def syncs(env: simcord.Env) -> list[str]:
    return [r.path for r in env.http_requests if r.method == "PUT" and "/commands" in r.path]


def tree_with(description: str) -> app_commands.CommandTree[discord.Client]:
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(
        discord.Client(intents=discord.Intents.none())
    )

    @tree.command(name="ask", description=description)
    async def ask(interaction: discord.Interaction, question: str) -> None:
        """A command for hashing."""

    return tree


def test_hash_changes_with_the_commands() -> None:
    """Any change in a command's payload changes the hash; the same commands hash the same."""
    assert commands_hash(tree_with("Ask."), None) == commands_hash(tree_with("Ask."), None)
    assert commands_hash(tree_with("Ask."), None) != commands_hash(tree_with("Ask!"), None)


async def test_first_start_syncs_globally_and_records_it(
    simcord_env: simcord.Env, settings: Settings
) -> None:
    """With no record, start-up syncs the global commands and writes the hash next to the DB."""
    assert len(syncs(simcord_env)) == 1 and syncs(simcord_env)[0].endswith("/commands")
    record = json.loads(settings.sync_state.read_text())
    assert list(record) == [f"{simcord_env.bot.application_id}/global"]


async def test_restart_with_the_same_commands_does_not_sync(
    simcord_env: simcord.Env, library: Library, settings: Settings
) -> None:
    """A restart with an unchanged command set sends no sync."""
    await simcord_env.restart_bot(Citebot(library, settings))
    assert len(syncs(simcord_env)) == 1


async def test_restart_with_changed_commands_syncs(
    simcord_env: simcord.Env, library: Library, settings: Settings
) -> None:
    """When the recorded hash differs (the commands changed), start-up syncs again."""
    record = json.loads(settings.sync_state.read_text())
    settings.sync_state.write_text(json.dumps({key: "old" for key in record}))
    await simcord_env.restart_bot(Citebot(library, settings))
    assert len(syncs(simcord_env)) == 2


async def test_development_guild_gets_the_commands(
    simcord_env: simcord.Env, library: Library, settings: Settings
) -> None:
    """With CITEBOT_DEV_GUILD, commands are synced to that server instead."""
    guild = simcord_env.create_guild("Dev")
    dev = settings.model_copy(update={"dev_guild": guild.id})
    await simcord_env.restart_bot(Citebot(library, dev))
    assert syncs(simcord_env)[-1].endswith(f"/guilds/{guild.id}/commands")


@pytest.mark.simcord(shard_count=2)
async def test_only_the_process_running_shard_0_syncs(
    simcord_env: simcord.Env, library: Library, settings: Settings
) -> None:
    """Of several processes, the one running shard 1 neither syncs nor writes the record, even
    when the commands changed; the one running shard 0 does."""
    stale = {key: "old" for key in json.loads(settings.sync_state.read_text())}
    settings.sync_state.write_text(json.dumps(stale))
    shard = {"shard_count": 2}
    await simcord_env.restart_bot(
        Citebot(library, settings.model_copy(update=shard | {"shard_ids": frozenset({1})}))
    )
    assert len(syncs(simcord_env)) == 1  # the first start's only
    assert json.loads(settings.sync_state.read_text()) == stale
    await simcord_env.restart_bot(
        Citebot(library, settings.model_copy(update=shard | {"shard_ids": frozenset({0})}))
    )
    assert len(syncs(simcord_env)) == 2
    assert json.loads(settings.sync_state.read_text()) != stale


async def test_force_syncs_unchanged_commands(
    simcord_env: simcord.Env, library: Library, settings: Settings
) -> None:
    """`citebot sync --force` (force_sync) syncs even when the record says nothing changed."""
    await simcord_env.restart_bot(Citebot(library, settings, force_sync=True))
    assert len(syncs(simcord_env)) == 2

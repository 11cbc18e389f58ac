"""Syncing application commands with Discord only when the command set changed.

Discord rate-limits command syncs, and a global sync takes a while to reach every server, so
start-up does not sync blindly. The payload discord.py would send is hashed; the hash of the last
successful sync is kept in a small JSON file next to the database, per application and scope
(global, or the development guild); a sync happens only when the hashes differ. Deleting the
file forces the next start-up to sync (as does `citebot sync --force`). Of several bot processes
only the one running shard 0 syncs and writes the file (`Citebot.syncs_commands`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)


def commands_hash(tree: app_commands.CommandTree[Any], guild: discord.Object | None) -> str:
    """A digest of the commands `tree.sync(guild=guild)` would send."""
    payload = sorted(
        (command.to_dict(tree) for command in tree.get_commands(guild=guild)),
        key=lambda c: (c.get("type", 1), c["name"]),
    )
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("ignoring an unreadable command sync record at %s", path)
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, str]) -> None:
    """Write atomically (a crash leaves the old record or the new one, never half of one)."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # a process's own
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # the data folder, for PostgreSQL
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        log.warning("could not record the command sync in %s", path, exc_info=True)
        with contextlib.suppress(OSError):
            temporary.unlink()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any],
    application_id: int,
    state: Path,
    dev_guild: int | None = None,
    *,
    force: bool = False,
) -> bool:
    """Sync the tree's commands (to `dev_guild` if given, else globally) if they changed
    (or anyway, if `force`).

    Returns whether a sync was sent. A failed sync is logged, not raised: the bot still runs
    with the commands Discord has, and the next start-up tries again.
    """
    guild = discord.Object(dev_guild) if dev_guild else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    key = f"{application_id}/{'guild:' + str(dev_guild) if dev_guild else 'global'}"
    digest = commands_hash(tree, guild)
    record = await asyncio.to_thread(_read, state)
    if record.get(key) == digest and not force:
        log.info("application commands unchanged (%s): not syncing", key)
        return False
    try:
        synced = await tree.sync(guild=guild)
    except discord.HTTPException as exc:
        log.error("could not sync application commands (%s): %s", key, exc)
        return False
    log.info("synced %d application commands (%s)", len(synced), key)
    record[key] = digest
    await asyncio.to_thread(_write, state, record)
    return True

"""Fixtures for the bot's tests: a real library in a temporary folder, settings, and a bot.

`simcord_bot` is what simcord's `simcord_env` fixture runs: the real `Citebot`, against an
in-process simulated Discord. `world` is a server with a channel, a curator and a member.

`Citebot` is an `AutoShardedBot`: without shard settings the real client asks Discord how many
shards to run; simcord needs that count given, so tests without their own `simcord` marker run
with the one shard Discord recommends to a small bot.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import simcord

from bot.app import Citebot
from bot.settings import Settings
from index import Library
from tests.helpers.fake_discord import Certificate, make_certificate
from tests.helpers.world import ADMIN_ROLE, World, make_world


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "simcord_env" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "simcord"
        ):
            item.add_marker(pytest.mark.simcord(shard_count=1))


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own settings (variables or a .env in the working folder)."""
    for name in list(os.environ):
        if name.startswith("CITEBOT_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        discord_token="test-token",
        db=tmp_path / "citebot.db",
        admin_role=ADMIN_ROLE,
        allow_private_urls=True,  # tests fetch pages from 127.0.0.1
    )


@pytest.fixture
async def library(settings: Settings) -> AsyncIterator[Library]:
    async with Library.open(settings.db, settings.library_settings()) as opened:
        yield opened


@pytest.fixture
def simcord_bot(library: Library, settings: Settings) -> Citebot:
    return Citebot(library, settings)


@pytest.fixture
def world(simcord_env: simcord.Env, library: Library) -> World:
    return make_world(simcord_env, library)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """The fake Discord's TLS certificate (made once: openssl takes a moment)."""
    return make_certificate(tmp_path_factory.mktemp("tls"))

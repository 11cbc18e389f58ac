"""Real bot processes for end-to-end tests: `python -m bot` and `citebot` as subprocesses.

Each runs this checkout's code (`PYTHONPATH`) with a clean environment: no `CITEBOT_*` of the
developer's, no `.env` (the working folder is the test's own). A bot reaches the fake Discord
through its proxy (`FakeDiscord.subprocess_env`). `database` is where the library lives, passed
as `CITEBOT_DB` / `--db` as it is given (a path today).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.fake_discord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0  # seconds for processes to start and connect on a busy machine
STOP_TIMEOUT = 30.0


def clean_environment(**extra: str) -> dict[str, str]:
    """This environment without citebot's settings, running this checkout's code."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CITEBOT_") and k not in ("DISCORD_TOKEN", "SSL_CERT_FILE")
    }
    return env | {"PYTHONPATH": str(ROOT)} | extra


@dataclass
class BotProcess:
    """A `python -m bot` process; what it logs goes to `log_path`."""

    name: str
    process: asyncio.subprocess.Process
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def check_running(self) -> None:
        if self.process.returncode is not None:
            pytest.fail(f"{self.name} exited ({self.process.returncode}):\n{self.log()}")


async def start_bot(
    server: FakeDiscord, database: str, folder: Path, name: str, **settings: str
) -> BotProcess:
    """`python -m bot` on `database`, connecting to `server`; `settings` are more variables,
    or other values (e.g. CITEBOT_SHARD_IDS="1")."""
    log_path = folder / f"{name}.log"
    env = clean_environment(
        **server.subprocess_env()
        | {"CITEBOT_DB": database, "CITEBOT_LOG_LEVEL": "INFO", "XDG_DATA_HOME": str(folder)}
        | settings
    )
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=folder,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    return BotProcess(name, process, log_path)


async def stop_bots(bots: Iterable[BotProcess]) -> dict[str, int | None]:
    """SIGTERM each still running; their exit statuses (None: killed after STOP_TIMEOUT)."""
    statuses: dict[str, int | None] = {}
    for bot in bots:
        if bot.process.returncode is None:
            bot.process.send_signal(signal.SIGTERM)
        try:
            statuses[bot.name] = await asyncio.wait_for(bot.process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            bot.process.kill()
            await bot.process.wait()
            statuses[bot.name] = None
    return statuses


async def until(condition: Callable[[], bool], bots: Iterable[BotProcess], what: str) -> None:
    """Wait (up to START_TIMEOUT) for `condition`, failing early if a bot process exits."""
    bots = list(bots)
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while not condition():
                for bot in bots:
                    bot.check_running()
                await asyncio.sleep(0.05)
    except TimeoutError:
        logs = "\n".join(f"--- {bot.name}\n{bot.log()}" for bot in bots)
        pytest.fail(f"timed out waiting for {what}\n{logs}")


async def citebot(database: str, *args: str, cwd: Path) -> str:
    """The installed `citebot` command in another process, on `database`; its stdout (the test
    fails unless it exits 0)."""
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "citebot"),
        *("--db", database, *args),
        cwd=cwd,
        env=clean_environment(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    assert process.returncode == 0, err.decode()
    return out.decode()

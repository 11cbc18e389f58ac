"""Start the Discord bot: `python -m bot`, or `citebot run` (which comes through `run`); and
`citebot sync`, which only logs in to sync the slash commands.

Settings are read once (environment and `.env`), logging is configured once (here, or by the
`citebot` command), then `asyncio.run(serve(settings))`: the library and the bot are nested
`async with` blocks, so stopping (Ctrl-C, or SIGTERM from a service manager) closes the bot
first, which lets library writes in progress finish, and then the library. A problem at
start-up (no token, a token Discord rejects, a database that cannot be used, a bad setting) is
one line on stderr and exit status 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Iterator
from typing import NoReturn

import aiohttp
import discord

from bot.app import Citebot
from bot.settings import Settings, SettingsError, configure_logging, load_settings, override
from index import CitebotError, Library

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Start-up cannot go on; the message is one line telling the user what to fix."""


async def serve(settings: Settings, *, connector: aiohttp.BaseConnector | None = None) -> None:
    """Run the bot until it is stopped. `connector`: how to reach Discord (tests use their own).

    SIGTERM and SIGINT (Ctrl-C) close the bot gracefully: writes in progress finish, the gateway
    connection is closed normally, then the library; a second signal cancels at once.
    """
    token = _token(settings)
    with _startup_errors():
        async with Library.open(settings.db, settings.library_settings()) as library:
            log.info("library: %s", library.location)
            async with Citebot(library, settings, connector=connector) as bot:
                with _stop_on_signals(bot):
                    await bot.start(token)
    log.info("stopped")


async def sync_commands(
    settings: Settings, *, force: bool = False, connector: aiohttp.BaseConnector | None = None
) -> None:
    """`citebot sync`: log in (which loads the extensions and syncs the commands if they
    changed, or anyway if `force`), then stop; no gateway connection, whatever the shards."""
    token = _token(settings)
    try:
        settings = override(settings, shard_count=None, shard_ids=None)  # a whole bot's commands
    except SettingsError as exc:
        raise StartupError(str(exc)) from None
    with _startup_errors():
        async with (
            Library.open(settings.db, settings.library_settings()) as library,
            Citebot(library, settings, connector=connector, force_sync=force) as bot,
        ):
            await bot.login(token)


def _token(settings: Settings) -> str:
    try:
        return settings.token()
    except SettingsError as exc:
        raise StartupError(str(exc)) from None


@contextlib.contextmanager
def _startup_errors() -> Iterator[None]:
    """What can stop start-up, as a `StartupError` of one line."""
    try:
        yield
    except CitebotError as exc:  # the database cannot be opened or used
        raise StartupError(str(exc)) from None
    except discord.LoginFailure:
        raise StartupError(
            "Discord rejected the token: check DISCORD_TOKEN (Developer Portal, your "
            "application, Bot, Reset Token)"
        ) from None
    except discord.ConnectionClosed as exc:
        reason = "the token was rejected" if exc.code == 4004 else exc.reason or "no reason"
        raise StartupError(f"Discord closed the connection ({exc.code}: {reason})") from None
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        raise StartupError(f"cannot reach Discord: {exc or type(exc).__name__}") from None


@contextlib.contextmanager
def _stop_on_signals(bot: Citebot) -> Iterator[None]:
    """While the bot runs, SIGTERM and SIGINT close it; a second signal cancels serving."""
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    closing: list[asyncio.Task[None]] = []

    def stop(name: str) -> None:
        if closing and task is not None:
            log.warning("%s again: stopping now", name)
            task.cancel()
        else:
            log.info("%s: stopping", name)
            closing.append(asyncio.create_task(bot.close()))

    handled = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop, sig.name)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows; not the main thread
            log.debug("cannot handle %s here", sig.name)
        else:
            handled.append(sig)
    try:
        yield
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)


def run(settings: Settings, *, sync_only: bool = False, force: bool = False) -> None:
    """Serve until stopped (logging is configured already), or with `sync_only` sync the
    commands and stop (`citebot sync`); a start-up problem exits 1."""
    if not sync_only:
        _freeze_start_up()
    try:
        asyncio.run(sync_commands(settings, force=force) if sync_only else serve(settings))
    except StartupError as exc:
        _fail(str(exc))
    except (KeyboardInterrupt, asyncio.CancelledError):
        log.info("stopped at once")


def _freeze_start_up() -> None:
    """Leave what start-up imported out of the garbage collector's full passes.

    The modules, classes and functions imported by now (discord.py, aiohttp, numpy, the library)
    live as long as the process, yet every full collection examined them all again, holding the
    GIL: about 20 ms for 60,000 objects, the longest stall of the event loop that answers
    (benchmarks/burst.py). Collecting first means no garbage is frozen; objects made later are
    collected as usual. It changes the whole process, so it is done here, never in the library.
    """
    gc.collect()
    gc.freeze()


def main() -> None:
    """`python -m bot`: settings, logging, then `run`."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        _fail(str(exc))
    configure_logging(settings.log_level)
    run(settings)


def _fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    main()

"""How every `citebot` command runs: its options, the library opened for one piece of work, and
errors, all in one style.

A user error is one line, `error: ...`, on stderr with a non-zero exit status, never a
traceback (``--verbose`` logs one for bugs); click's own errors (a mistyped option) say it the
same way, under the usage line. Ctrl-C ends a command quietly with status 130.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from bot.settings import Settings
from index import CitebotError, Library

log = logging.getLogger(__name__)

T = TypeVar("T")

INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C


@dataclass(frozen=True)
class Options:
    settings: Settings
    collection: str
    verbose: bool

    def open(
        self, *, create: bool = True, writable: bool = True
    ) -> AbstractAsyncContextManager[Library]:
        """The library these options name, opened with the configured settings (a missing one
        is created if `create`, else "no library at PATH": a mistyped --db creates nothing;
        not `writable`: one this user may only read is opened read-only)."""
        return Library.open(
            self.settings.db, self.settings.library_settings(), create=create, writable=writable
        )


def unexpected(options: Options, exc: Exception) -> str:
    """The line for a bug: what it was, and how to see more."""
    hint = "" if options.verbose else "; run with --verbose to see the details"
    return f"unexpected error: {type(exc).__name__}: {exc}{hint}"


def run_async(options: Options, coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine, turning errors into one line and an exit status."""
    try:
        return asyncio.run(coro)
    except CitebotError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise click.exceptions.Exit(INTERRUPTED) from None
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)
        raise click.ClickException(unexpected(options, exc)) from None


def with_library(
    options: Options,
    work: Callable[[Library], Awaitable[T]],
    *,
    create: bool = False,
    writable: bool = True,
) -> T:
    """Open the library (an existing one unless `create`; read-only where the user may only
    read it, unless `writable`), do one thing with it and close it; errors as in `run_async`."""

    async def run() -> T:
        async with options.open(create=create, writable=writable) as library:
            return await work(library)

    return run_async(options, run())


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def error(message: str) -> None:
    """An error as every command says it."""
    click.echo(f"error: {message}", err=True)


class CitebotGroup(click.Group):
    """The `citebot` group: click runs it, and its errors come out in the one style."""

    def main(  # type: ignore[override]  # one signature for click's two overloads
        self, args: Sequence[str] | None = None, standalone_mode: bool = True, **extra: Any
    ) -> Any:
        if not standalone_mode:
            return super().main(args, standalone_mode=False, **extra)
        try:
            code = super().main(args, standalone_mode=False, **extra)
        except click.UsageError as exc:
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
                click.echo(f"Try '{exc.ctx.command_path} -h' for help.\n", err=True)
            error(exc.format_message())
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            error(exc.format_message())
            sys.exit(exc.exit_code)
        except click.Abort:  # Ctrl-C (or the end of input) at one of click's prompts
            click.echo(err=True)
            sys.exit(INTERRUPTED)
        except BrokenPipeError:  # the output's reader stopped reading (`citebot list | head`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

"""The `citebot` command: the library from a terminal, the console, `citebot run` (the bot) and
`citebot sync` (its slash commands).

The group reads the settings once (`bot.settings`, the same as the bot's: environment and
`.env`; `--db` overrides the database) and configures logging once. Every command opens the
library with those settings, does its work and closes it; errors a user can act on are one line
on stderr and a non-zero exit status, never a traceback (``--verbose`` shows one for bugs).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.cli import console as console_mode
from bot.cli import output
from bot.cli.inputs import Input, bulk_documents, jsonl_inputs, one_input
from bot.cli.running import (
    CitebotGroup,
    Options,
    echo_json,
    run_async,
    unexpected,
    with_library,
)
from bot.settings import SettingsError, configure_logging, load_settings, override
from index import AddResult, CitebotError, CopyReport, InputError, Library

log = logging.getLogger(__name__)

T = TypeVar("T")

PROGRESS_AT = 5  # inputs from which `add` shows a progress bar
ASK_HINT = (
    "Type a question and press Enter: each answer is printed as one line of JSON; Ctrl-D ends."
    ' To ask one question: citebot ask "QUESTION"; to talk with the library: citebot console.'
)


@click.group(cls=CitebotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    help="The library: an SQLite file, or a postgresql:// URL (default: CITEBOT_DB, else a"
    " file in your data folder).",
)
@click.option("--collection", default="console", show_default=True, help="Which library to use.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, with tracebacks.")
@click.version_option(package_name="citebot", prog_name="citebot", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, db: str | None, collection: str, verbose: bool) -> None:
    """citebot: answers questions about articles with verbatim, cited quotes."""
    try:
        settings = load_settings(db)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if verbose:
        configure_logging("DEBUG")
    else:  # the bot logs as configured; commands only say what went wrong
        bot = ctx.invoked_subcommand in ("run", "sync")
        configure_logging(settings.log_level if bot else "WARNING")
    ctx.obj = Options(settings, collection, verbose)


def main() -> None:
    cli(prog_name="citebot")


# --- add -----------------------------------------------------------------------------------


async def _add(options: Options, inputs: list[Input], as_json: bool) -> int:
    """Add every input, printing each outcome; returns how many failed. After adding in bulk,
    the collection's index is saved if its next start would read it slowly (`_save_index`)."""
    failed, bulk = 0, False
    async with options.open() as library:
        with output.ProgressBar(len(inputs), enabled=len(inputs) >= PROGRESS_AT) as advance:
            async for item, outcome in _outcomes(options, library, inputs):
                is_error = isinstance(outcome, CitebotError)
                failed += is_error
                bulk |= item.document is not None and _added(outcome)
                if as_json:
                    echo_json(output.add_record(item.name, outcome))
                else:
                    click.echo(output.add_line(outcome, item.place), err=is_error)
                advance()
        if bulk:
            await _save_index(library, options.collection)
    return failed


def _added(outcome: AddResult | CitebotError) -> bool:
    return isinstance(outcome, AddResult) and outcome.status == "added"


async def _save_index(library: Library, collection: str) -> None:
    """Save the collection's index now if it is due (a large collection without an up-to-date
    image: `Library.save_index`), so that the bot's next start reads it instead of every
    passage (6 s at a million); one line on stderr says so. A small collection is counted,
    not loaded."""
    started = time.perf_counter()
    saved = await library.save_index(collection)
    if saved is not None:
        took = time.perf_counter() - started
        click.echo(output.saved_line(collection, saved.passages, saved.written, took), err=True)


async def _outcomes(
    options: Options, library: Library, inputs: list[Input]
) -> AsyncIterator[tuple[Input, AddResult | CitebotError]]:
    """Each input with what it became, in order: a run of JSONL lines added in bulk (read,
    analysed and written in batches: `Library.add_many`), links and files one by one."""
    start = 0
    while start < len(inputs):
        end = start
        while end < len(inputs) and inputs[end].document is not None:
            end += 1
        if end == start:
            yield inputs[start], await _add_one(options, library, inputs[start])
            start += 1
            continue
        run = inputs[start:end]
        outcomes = library.add_many(options.collection, bulk_documents(run), "cli")
        position = start
        async for outcome in outcomes:
            yield inputs[position], outcome
            position += 1
        start = end


async def _add_one(options: Options, library: Library, item: Input) -> AddResult | CitebotError:
    """Add one input: what it became, or why not (one bad input never stops the others)."""
    try:
        return await item.add(library, options.collection)
    except CitebotError as exc:
        return exc
    except Exception as exc:  # a bug: said on this input's line, with details under --verbose
        log.debug("unexpected error adding %s", item.name, exc_info=True)
        return CitebotError(unexpected(options, exc))


@cli.command()
@click.argument("paths", nargs=-1, metavar="PATH_OR_URL...")
@click.option(
    "--jsonl", type=click.Path(path_type=Path), help='One {"title", "text", "url"} per line.'
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per input.")
@click.pass_obj
def add(options: Options, paths: tuple[str, ...], jsonl: Path | None, as_json: bool) -> None:
    """Add articles from links and from .txt, .md, .html and .pdf files (or a JSONL file)."""
    inputs = [one_input(p) for p in paths]
    if jsonl is not None:
        try:
            inputs.extend(jsonl_inputs(jsonl))
        except CitebotError as exc:
            raise click.ClickException(str(exc)) from None
    if not inputs:
        raise click.UsageError(
            "give one or more links or files (.txt .md .html .pdf), or --jsonl FILE"
        )
    if run_async(options, _add(options, inputs, as_json)):
        sys.exit(1)


# --- ask -----------------------------------------------------------------------------------


async def _stdin_questions() -> AsyncIterator[str]:
    """Each line of stdin as it arrives, blank ones too (each gets its answer line)."""
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line.rstrip("\r\n")


async def _ask(options: Options, question: str | None, k: int, as_json: bool) -> None:
    async with options.open(create=False, writable=False) as library:
        if question is not None:
            answer = await library.ask(options.collection, question, k)
            if as_json:
                echo_json(output.answer_json(answer))
            else:
                output.show_all(output.stdout_console(), answer)
            return
        async for line in _stdin_questions():
            try:
                record = output.answer_json(await library.ask(options.collection, line, k))
            except InputError as exc:
                record = output.question_error_json(line, exc)
            echo_json(record)


@cli.command()
@click.argument("question", required=False)
@click.option(
    "--k",
    default=3,
    show_default=True,
    type=click.IntRange(1, 10),
    help="How many results to show, best first (1 to 10).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.pass_obj
def ask(options: Options, question: str | None, k: int, as_json: bool) -> None:
    """Ask a question; with none, read one per line from stdin and print JSON lines."""
    if question is None and sys.stdin.isatty():
        click.echo(ASK_HINT, err=True)
    run_async(options, _ask(options, question, k, as_json))


# --- list, show, remove, refresh -----------------------------------------------------------


def _listing(
    group: click.Group,
    what: str,
    fetch: Callable[[Library, str], Awaitable[list[T]]],
    to_json: Callable[[T], dict[str, Any]],
    show: Callable[[Options, list[T]], None],
) -> None:
    """Add `list` to `group`: `what` is in the collection, printed as text or, with --json, as a
    JSON array."""

    @group.command("list", help=f"List {what}.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_obj
    def list_(options: Options, as_json: bool) -> None:
        items = with_library(
            options, lambda library: fetch(library, options.collection), writable=False
        )
        if as_json:
            echo_json([to_json(item) for item in items])
        else:
            show(options, items)


_listing(
    cli,
    "the articles in the library",
    Library.articles,
    output.article_json,
    lambda options, articles: output.show_list(
        output.stdout_console(), options.collection, articles
    ),
)


@cli.command()
@click.argument("article_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with the full text.")
@click.pass_obj
def show(options: Options, article_id: int, as_json: bool) -> None:
    """Show an article: its details and full stored text."""
    article, text = with_library(
        options, lambda library: library.get(options.collection, article_id), writable=False
    )
    if as_json:
        echo_json({**output.article_json(article), "text": text})
    else:
        output.show_article(output.stdout_console(), article, text)


@cli.command()
@click.argument("article_id", metavar="ID", type=int)
@click.pass_obj
def remove(options: Options, article_id: int) -> None:
    """Remove an article and its passages."""
    article = with_library(options, lambda library: library.remove(options.collection, article_id))
    click.echo(f"removed {output.label(article)}")


@cli.command()
@click.argument("article_id", metavar="ID", type=int)
@click.pass_obj
def refresh(options: Options, article_id: int) -> None:
    """Fetch an article's page again and re-index it if its text changed."""
    result = with_library(options, lambda library: library.refresh(options.collection, article_id))
    article = result.article
    if result.status == "unchanged":
        click.echo(f"unchanged: {output.label(article)}")
    else:
        click.echo(f"updated {output.label(article)} ({article.passages} passages)")


@cli.command()
@click.option(
    "--to",
    "target",
    required=True,
    metavar="DB",
    help="The library to copy into: a postgresql:// URL or a file (created if missing).",
)
@click.pass_obj
def copy(options: Options, target: str) -> None:
    """Copy the whole library (every collection's articles, keeping their numbers, and feeds)
    into another; run it again to finish an interrupted copy."""

    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            click.echo(f"{done}/{total} articles", err=True)

    async def work(source: Library) -> CopyReport:
        into = options.settings.model_copy(update={"db": target})
        async with Library.open(into.db, into.library_settings()) as destination:
            return await source.copy_to(destination, progress)

    click.echo(output.copy_text(with_library(options, work)))


# --- feeds ---------------------------------------------------------------------------------


@cli.group()
def feed() -> None:
    """Follow RSS/Atom feeds: their new entries are added as articles."""


@feed.command("add")
@click.argument("url")
@click.pass_obj
def feed_add(options: Options, url: str) -> None:
    """Follow a feed, given its link or a page that links to one."""
    info = with_library(
        options,
        lambda library: library.add_feed(options.collection, url, added_by="cli"),
        create=True,
    )
    click.echo(f"following feed #{info.id} {info.title or info.url}; `citebot feed poll` reads it")


_listing(
    feed,
    "the feeds followed, and how their last poll went",
    Library.feeds,
    output.feed_json,
    lambda options, feeds: click.echo(output.feeds_text(feeds)),
)


@feed.command("remove")
@click.argument("feed_id", metavar="ID", type=int)
@click.pass_obj
def feed_remove(options: Options, feed_id: int) -> None:
    """Stop following a feed (its articles stay)."""
    info = with_library(options, lambda library: library.remove_feed(options.collection, feed_id))
    click.echo(f"stopped following #{info.id} {info.title or info.url}")


@feed.command("poll")
@click.pass_obj
def feed_poll(options: Options) -> None:
    """Read every feed now and add its new entries."""
    reports = with_library(options, lambda library: library.poll_feeds(options.collection))
    if not reports:
        click.echo("No feeds to poll.")
    for r in reports:
        click.echo(output.poll_line(r), err=r.error is not None)
    if any(r.error for r in reports):
        sys.exit(1)


# --- console, demo and the bot -------------------------------------------------------------


@cli.command(
    help="An interactive channel: type questions, or one of these commands:\n\n\b\n"
    + "\n".join(f"{usage:22} {what}" for usage, what in console_mode.COMMANDS.values())
)
@click.pass_obj
def console(options: Options) -> None:
    run_async(options, console_mode.run(options.settings, options.collection))


@cli.command()
@click.pass_obj
def demo(options: Options) -> None:
    """Load citebot's own guide into the 'demo' library and open the console on it."""
    run_async(options, console_mode.run(options.settings, "demo", load_guide=True))


@cli.command()
@click.option(
    "--shard-count", type=click.IntRange(min=1), help="Total shards (CITEBOT_SHARD_COUNT)."
)
@click.option("--shard-ids", metavar="IDS", help="The shards this process runs, e.g. 0-3 or 0,2.")
@click.pass_obj
def run(options: Options, shard_count: int | None, shard_ids: str | None) -> None:
    """Start the Discord bot (settings from the environment and .env; see .env.example)."""
    from bot.__main__ import run as run_bot  # discord.py is imported only for this command

    given = {"shard_count": shard_count, "shard_ids": shard_ids}
    try:
        settings = override(options.settings, **{k: v for k, v in given.items() if v is not None})
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    run_bot(settings)


@cli.command()
@click.option("--force", is_flag=True, help="Sync even if the commands did not change.")
@click.pass_obj
def sync(options: Options, force: bool) -> None:
    """Sync the bot's slash commands with Discord if they changed, then exit."""
    from bot.__main__ import run as run_bot

    run_bot(options.settings, sync_only=True, force=force)

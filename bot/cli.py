"""The `citebot` command line: the library from a terminal, and a console that acts like a channel.

Every command opens the library, does its work and closes it; errors a user can act on are one
line on stderr and a non-zero exit status, never a traceback (``--verbose`` shows one for bugs).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from bot import console as console_mode
from bot.paths import default_db_path
from index.errors import CitebotError, InputError
from index.fetch import FetchSettings, is_link
from index.ingest import Document
from index.library import AddResult, Answer, Library, LibrarySettings
from index.store import ArticleInfo, FeedInfo

log = logging.getLogger(__name__)

T = TypeVar("T")

PROGRESS_AT = 5  # inputs from which `add` shows a progress bar


@dataclass(frozen=True)
class Options:
    db: Path
    collection: str
    verbose: bool
    settings: LibrarySettings


def _run(options: Options, coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine, turning errors into one line and an exit status."""
    try:
        return asyncio.run(coro)
    except CitebotError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise click.exceptions.Exit(130) from None
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)
        hint = "" if options.verbose else "; run with --verbose to see the details"
        raise click.ClickException(f"unexpected error: {type(exc).__name__}: {exc}{hint}") from None


def _with_library(options: Options, work: Callable[[Library], Awaitable[T]]) -> T:
    """Open the library, do one thing with it and close it; errors as in `_run`."""

    async def run() -> T:
        async with Library.open(options.db, options.settings) as library:
            return await work(library)

    return _run(options, run())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    envvar="CITEBOT_DB",
    help="The library's SQLite file (default: in your data folder; CITEBOT_DB overrides).",
)
@click.option("--collection", default="console", show_default=True, help="Which library to use.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, with tracebacks.")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, collection: str, verbose: bool) -> None:
    """citebot: answers questions about articles with verbatim, cited quotes."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    allow_private = os.environ.get("CITEBOT_ALLOW_PRIVATE_URLS", "").strip().lower()
    fetch = FetchSettings(allow_private=allow_private in ("1", "true", "yes", "on"))
    ctx.obj = Options(db or default_db_path(), collection, verbose, LibrarySettings(fetch=fetch))


# --- add -----------------------------------------------------------------------------------


Adder = Callable[[Library, str], Awaitable[AddResult]]  # (library, collection) -> result


@dataclass(frozen=True)
class _Input:
    name: str
    add: Adder


def _input(arg: str) -> _Input:
    """A command-line argument: a link to fetch or a file to read."""
    if is_link(arg):
        return _Input(arg, lambda library, collection: library.add_url(collection, arg, "cli"))
    path = Path(arg)
    return _Input(arg, lambda library, collection: library.add_file(collection, path, "cli"))


def _jsonl_inputs(path: Path) -> Iterator[_Input]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield _Input(f"{path}:{number}", _jsonl_adder(line, f"{path}:{number}"))


def _jsonl_adder(line: str, where: str) -> Adder:
    async def add(library: Library, collection: str) -> AddResult:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where} is not valid JSON: {exc.msg}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputError(f'{where} needs an object with a "text" string')
        title, url = obj.get("title"), obj.get("url")
        if title is not None and not isinstance(title, str):
            raise InputError(f'{where}: "title" must be a string')
        if url is not None and not isinstance(url, str):
            raise InputError(f'{where}: "url" must be a string')
        document = Document(title=title or "", text=obj["text"], url=url, source=where)
        return await library.add(collection, document, added_by="cli")

    return add


def _add_record(name: str, outcome: AddResult | CitebotError) -> dict[str, Any]:
    if isinstance(outcome, CitebotError):
        return {
            "input": name,
            "status": "error",
            "id": None,
            "title": None,
            "passages": None,
            "error": str(outcome),
        }
    article = outcome.article
    return {
        "input": name,
        "status": outcome.status,
        "id": article.id,
        "title": article.title,
        "passages": article.passages,
        "error": None,
    }


def _add_line(record: dict[str, Any]) -> str:
    if record["status"] == "error":
        return f"error: {record['error']}"
    if record["status"] == "duplicate":
        return f"already in the library: #{record['id']} {record['title']}"
    return f"added #{record['id']} {record['title']} ({record['passages']} passages)"


async def _add(options: Options, inputs: list[_Input], as_json: bool) -> int:
    failed = 0
    async with Library.open(options.db, options.settings) as library:
        with _progress(len(inputs), enabled=len(inputs) >= PROGRESS_AT) as advance:
            for item in inputs:
                outcome: AddResult | CitebotError
                try:
                    outcome = await item.add(library, options.collection)
                except CitebotError as exc:
                    outcome = exc
                record = _add_record(item.name, outcome)
                failed += record["status"] == "error"
                if as_json:
                    click.echo(json.dumps(record, ensure_ascii=False))
                else:
                    click.echo(_add_line(record), err=record["status"] == "error")
                advance()
    return failed


class _progress:
    """A progress bar on stderr for long runs; a no-op otherwise."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar: Any = None
        if enabled:
            from rich.progress import Progress

            self._bar = Progress(console=console_mode.stderr_console(), transient=True)
            self._task = self._bar.add_task("adding", total=total)

    def __enter__(self) -> Callable[[], None]:
        if self._bar is None:
            return lambda: None
        self._bar.start()
        return lambda: self._bar.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


@cli.command()
@click.argument("paths", nargs=-1, metavar="PATH_OR_URL...")
@click.option(
    "--jsonl", type=click.Path(path_type=Path), help='One {"title", "text", "url"} per line.'
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per input.")
@click.pass_obj
def add(options: Options, paths: tuple[str, ...], jsonl: Path | None, as_json: bool) -> None:
    """Add articles from links and from .txt, .md, .html and .pdf files (or a JSONL file)."""
    inputs = [_input(p) for p in paths]
    if jsonl is not None:
        try:
            inputs.extend(_jsonl_inputs(jsonl))
        except CitebotError as exc:
            raise click.ClickException(str(exc)) from None
    if not inputs:
        raise click.UsageError("give one or more files, or --jsonl FILE")
    if _run(options, _add(options, inputs, as_json)):
        sys.exit(1)


# --- ask -----------------------------------------------------------------------------------


def answer_json(answer: Answer) -> dict[str, Any]:
    """The stable JSON shape of an answer (other tools read it)."""
    return {
        "question": answer.question,
        "took_ms": round(answer.took_ms, 3),
        "results": [
            {
                "rank": r.rank,
                "score": round(r.score, 6),
                "article": {"id": r.article.id, "title": r.article.title, "url": r.article.url},
                "passage": r.passage,
                "quote": r.quote,
            }
            for r in answer.results
        ],
    }


async def _stdin_questions() -> AsyncIterator[str]:
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        if line.strip():
            yield line.rstrip("\n")


async def _ask(options: Options, question: str | None, k: int, as_json: bool) -> None:
    async with Library.open(options.db, options.settings) as library:
        if question is not None:
            answer = await library.ask(options.collection, question, k)
            if as_json:
                click.echo(json.dumps(answer_json(answer), ensure_ascii=False))
            else:
                console_mode.show_all(console_mode.stdout_console(), answer)
            return
        async for line in _stdin_questions():
            try:
                record = answer_json(await library.ask(options.collection, line, k))
            except InputError as exc:
                record = {"question": line, "took_ms": 0.0, "results": [], "error": str(exc)}
            click.echo(json.dumps(record, ensure_ascii=False))


@cli.command()
@click.argument("question", required=False)
@click.option("--k", default=3, show_default=True, type=click.IntRange(1, 10), help="Results.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.pass_obj
def ask(options: Options, question: str | None, k: int, as_json: bool) -> None:
    """Ask a question; with none, read one per line from stdin and print JSON lines."""
    _run(options, _ask(options, question, k, as_json))


# --- list, show, remove --------------------------------------------------------------------


def article_json(article: ArticleInfo) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "author": article.author,
        "date": article.date,
        "site": article.site,
        "passages": article.passages,
        "added_by": article.added_by,
        "added_at": article.added_at,
    }


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_(options: Options, as_json: bool) -> None:
    """List the articles in the library."""
    articles = _with_library(options, lambda library: library.articles(options.collection))
    if as_json:
        click.echo(json.dumps([article_json(a) for a in articles], ensure_ascii=False))
    else:
        console_mode.show_list(console_mode.stdout_console(), options.collection, articles)


@cli.command()
@click.argument("article_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with the full text.")
@click.pass_obj
def show(options: Options, article_id: int, as_json: bool) -> None:
    """Show an article: its details and full stored text."""
    article, text = _with_library(
        options, lambda library: library.get(options.collection, article_id)
    )
    if as_json:
        click.echo(json.dumps({**article_json(article), "text": text}, ensure_ascii=False))
    else:
        console_mode.show_article(console_mode.stdout_console(), article, text)


@cli.command()
@click.argument("article_id", metavar="ID", type=int)
@click.pass_obj
def remove(options: Options, article_id: int) -> None:
    """Remove an article and its passages."""
    article = _with_library(options, lambda library: library.remove(options.collection, article_id))
    click.echo(f"removed #{article.id} {article.title}")


@cli.command()
@click.argument("article_id", metavar="ID", type=int)
@click.pass_obj
def refresh(options: Options, article_id: int) -> None:
    """Fetch an article's page again and re-index it if its text changed."""
    result = _with_library(options, lambda library: library.refresh(options.collection, article_id))
    article = result.article
    if result.status == "unchanged":
        click.echo(f"unchanged: #{article.id} {article.title}")
    else:
        click.echo(f"updated #{article.id} {article.title} ({article.passages} passages)")


# --- feeds ---------------------------------------------------------------------------------


@cli.group()
def feed() -> None:
    """Follow RSS/Atom feeds: their new entries are added as articles."""


def feed_json(info: FeedInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "url": info.url,
        "title": info.title,
        "entries": info.entries,
        "articles": info.articles,
        "last_polled": info.last_polled,
        "last_error": info.last_error,
    }


@feed.command("add")
@click.argument("url")
@click.pass_obj
def feed_add(options: Options, url: str) -> None:
    """Follow a feed, given its link or a page that links to one."""
    info = _with_library(
        options, lambda library: library.add_feed(options.collection, url, added_by="cli")
    )
    click.echo(f"following feed #{info.id} {info.title or info.url}; `citebot feed poll` reads it")


@feed.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def feed_list(options: Options, as_json: bool) -> None:
    """List the feeds followed, and how their last poll went."""
    feeds = _with_library(options, lambda library: library.feeds(options.collection))
    if as_json:
        click.echo(json.dumps([feed_json(f) for f in feeds], ensure_ascii=False))
        return
    if not feeds:
        click.echo("No feeds: add one with `citebot feed add URL`.")
    for f in feeds:
        status = f"error: {f.last_error}" if f.last_error else f"polled {f.last_polled or 'never'}"
        click.echo(f"#{f.id} {f.title or ''} <{f.url}> {f.articles} articles, {status}")


@feed.command("remove")
@click.argument("feed_id", metavar="ID", type=int)
@click.pass_obj
def feed_remove(options: Options, feed_id: int) -> None:
    """Stop following a feed (its articles stay)."""
    info = _with_library(options, lambda library: library.remove_feed(options.collection, feed_id))
    click.echo(f"stopped following #{info.id} {info.title or info.url}")


@feed.command("poll")
@click.pass_obj
def feed_poll(options: Options) -> None:
    """Read every feed now and add its new entries."""
    reports = _with_library(options, lambda library: library.poll_feeds(options.collection))
    if not reports:
        click.echo("No feeds to poll.")
    for r in reports:
        if r.error:
            click.echo(f"#{r.feed_id} {r.url}: error: {r.error}", err=True)
        else:
            click.echo(f"#{r.feed_id} {r.url}: {r.added} added, {r.failed} failed")
    if any(r.error for r in reports):
        sys.exit(1)


# --- console and demo ----------------------------------------------------------------------


@cli.command()
@click.pass_obj
def console(options: Options) -> None:
    """An interactive channel: type questions, or /add, /list, /remove, /help."""
    _run(options, console_mode.run(options.db, options.collection, options.settings))


@cli.command()
@click.pass_obj
def demo(options: Options) -> None:
    """Load citebot's own guide into the 'demo' library and open the console on it."""
    _run(options, console_mode.run(options.db, "demo", options.settings, load_guide=True))


def main() -> None:
    cli(prog_name="citebot")


# --- the Discord bot -----------------------------------------------------------------------


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Start the Discord bot (settings from the environment and .env; see .env.example)."""
    from click.core import ParameterSource

    from bot.__main__ import main as run_bot  # discord.py is imported only for this command

    group = ctx.parent
    db_given = group is not None and group.get_parameter_source("db") is ParameterSource.COMMANDLINE
    run_bot(ctx.obj.db if db_given else None)  # else CITEBOT_DB or the default, as for the CLI

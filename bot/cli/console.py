"""The console: a terminal that behaves like a channel with citebot in it.

Questions are answered with the same Markdown the bot posts, rendered for the terminal; slash
commands do what an admin does in Discord. Input is read in a worker thread, so the loop is free.
"""

from __future__ import annotations

import asyncio
import shlex
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown

from bot import render
from bot.cli import output
from bot.settings import Settings
from index import (
    AddResult,
    Answer,
    CitebotError,
    Document,
    Library,
    clean_markdown,
    clean_text,
    is_link,
)

COMMANDS = {  # every console command: what to type, what it does
    "/add": ("/add PATH_OR_URL...", "add web pages, or .txt, .md, .html and .pdf files"),
    "/paste": ("/paste", "paste an article (end with a line holding a single '.')"),
    "/list": ("/list", "the articles"),
    "/show": ("/show ID", "an article: its details and text"),
    "/remove": ("/remove ID", "remove an article"),
    "/more": ("/more", "the next result of the last answer"),
    "/passage": ("/passage", "the whole passage of the result shown"),
    "/help": ("/help", "this help"),
    "/quit": ("/quit", "leave (or Ctrl-D; Ctrl-C clears the line)"),
}
HELP = "Type a question to ask the library, for example: *How do I add an article?*\n\n" + "".join(
    f"- `{usage}` {what}\n" for usage, what in COMMANDS.values()
)


def guide_documents() -> list[Document]:
    """citebot's own guide, shipped with the package, for the demo library."""
    docs = []
    for entry in sorted(resources.files("bot.docs").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            title, body = clean_markdown(entry.read_text(encoding="utf-8"))
            docs.append(
                Document(
                    title=title or entry.name,
                    text=body,
                    source=f"citebot docs: {entry.name}",
                )
            )
    return docs


class Session:
    """One console session: the library, the collection, and the last answer for paging."""

    def __init__(self, library: Library, collection: str, console: Console) -> None:
        self.library = library
        self.collection = collection
        self.console = console
        self.prompt = Prompt()
        self.last: Answer | None = None
        self.shown = 0

    def say(self, text: str) -> None:
        self.console.print(text, markup=False)

    async def handle(self, line: str) -> bool:
        """Handle one input line; False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith("/"):
            await self.ask(line)
            return True
        try:
            command, *args = shlex.split(line)
        except ValueError as exc:
            self.say(f"error: {exc}")
            return True
        if command in ("/quit", "/exit"):
            return False
        handler = {
            "/help": self.help,
            "/add": self.add,
            "/paste": self.paste,
            "/list": self.list_articles,
            "/show": self.show,
            "/remove": self.remove,
            "/more": self.more,
            "/passage": self.passage,
        }.get(command)
        if handler is None:
            self.say(f"unknown command {command}; type /help")
            return True
        try:
            await handler(args)
        except CitebotError as exc:
            self.say(f"error: {exc}")
        return True

    async def ask(self, question: str) -> None:
        try:
            self.last = await self.library.ask(self.collection, question, k=5)
        except CitebotError as exc:
            self.say(f"error: {exc}")
            return
        self.shown = 0
        output.show_answer(self.console, self.last)
        if len(self.last.results) > 1:
            self.console.print(
                "(/more for the next result, /passage for the whole passage)",
                style="dim",
                markup=False,
            )

    async def help(self, args: list[str]) -> None:
        self.console.print(Markdown(HELP))

    async def add(self, args: list[str]) -> None:
        if not args:
            self.say("usage: /add PATH_OR_URL...")
        for arg in args:
            outcome: AddResult | CitebotError
            try:
                if is_link(arg, any_scheme=True):
                    outcome = await self.library.add_url(
                        self.collection, arg, "console", progress=self._progress
                    )
                else:
                    outcome = await self.library.add_file(self.collection, Path(arg), "console")
            except CitebotError as exc:
                outcome = exc
            self.say(output.add_line(outcome))

    async def _progress(self, step: str) -> None:
        self.console.print(f"{step}…", style="dim", markup=False)

    async def paste(self, args: list[str]) -> None:
        self.say("Paste the article; end with a line holding a single '.'")
        lines = []
        while (line := await self.prompt.read("")) is not None and line.strip() != ".":
            lines.append(line)
        title, body = clean_text("\n".join(lines))
        document = Document(title=title, text=body, source="pasted")
        result = await self.library.add(self.collection, document, added_by="console")
        self.say(output.add_line(result))

    async def list_articles(self, args: list[str]) -> None:
        articles = await self.library.articles(self.collection)
        output.show_list(self.console, self.collection, articles, how_to_add="/add")

    async def show(self, args: list[str]) -> None:
        article, text = await self.library.get(self.collection, _article_id(args, "/show"))
        output.show_article(self.console, article, text)

    async def remove(self, args: list[str]) -> None:
        article = await self.library.remove(self.collection, _article_id(args, "/remove"))
        self.say(f"removed {output.label(article)}")

    async def more(self, args: list[str]) -> None:
        if self.last is None or self.shown + 1 >= len(self.last.results):
            self.say("no more results")
            return
        self.shown += 1
        output.show_answer(self.console, self.last, self.shown)

    async def passage(self, args: list[str]) -> None:
        if self.last is None or not self.last.results:
            self.say("ask a question first")
            return
        self.console.print(output.markdown(render.render_passage(self.last.results[self.shown])))


def _article_id(args: list[str], command: str) -> int:
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        raise CitebotError(f"usage: {command} ID (the number shown by /list)")
    return int(args[0].lstrip("#"))


class Prompt:
    """Lines typed at the console, read in a worker thread so that the loop stays free.

    Ctrl-C while a line is being typed clears it (the terminal drops what was typed) and
    prompts again; during a command, which cannot be cut short safely, it leaves the console.
    Ctrl-D (the end of input) ends the line it was typed on.
    """

    def __init__(self) -> None:
        self._reading: str | None = None  # the prompt of the line being read, if one is

    async def read(self, prompt: str) -> str | None:
        """A line, or None at the end of input."""
        self._reading = prompt
        try:
            return await asyncio.to_thread(input, prompt)
        except EOFError:
            sys.stdout.write("\n")
            return None
        finally:
            self._reading = None

    def interrupted(self) -> None:
        if self._reading is None:
            raise KeyboardInterrupt  # leaves the console, as a command line's Ctrl-C does
        sys.stdout.write("\n" + self._reading)
        sys.stdout.flush()

    @contextmanager
    def ctrl_c_clears(self) -> Iterator[None]:
        """Ctrl-C calls `interrupted` while this lasts (where the loop can catch signals)."""
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self.interrupted)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows; not the main thread
            yield
            return
        try:
            yield
        finally:
            loop.remove_signal_handler(signal.SIGINT)


async def run(settings: Settings, collection: str, load_guide: bool = False) -> None:
    """The interactive loop over the library `settings` name, until /quit or end of input."""
    console = output.stdout_console()
    async with Library.open(settings.db, settings.library_settings()) as library:
        if load_guide:
            for document in guide_documents():
                await library.add(collection, document, added_by="demo")
        count = len(await library.articles(collection))
        session = Session(library, collection, console)
        console.print(
            f"citebot console: library {collection!r} in {library.location}"
            f" ({render.plural(count, 'article')}). "
            "Type a question, or /help.",
            markup=False,
        )
        with session.prompt.ctrl_c_clears():
            while (line := await session.prompt.read("> ")) is not None:
                if not await session.handle(line):
                    break

"""The console: a terminal that behaves like a channel with citebot in it.

Questions are answered with the same Markdown the bot posts, rendered for the terminal; slash
commands do what an admin does in Discord. Input is read in a worker thread, so the loop is free.
"""

from __future__ import annotations

import asyncio
import shlex
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from bot import render
from index.errors import CitebotError
from index.fetch import is_link
from index.ingest import Document, clean_text
from index.library import AddResult, Answer, Library, LibrarySettings
from index.store import ArticleInfo

HELP = """\
Type a question to ask the library, for example: *How do I add an article?*

- `/add PATH_OR_URL...` add web pages, or .txt, .md, .html and .pdf files
- `/paste` paste an article (end with a line holding a single `.`)
- `/list` the articles; `/show ID` one of them; `/remove ID` delete one
- `/more` the next result of the last answer; `/passage` its whole passage
- `/help` this help; `/quit` (or Ctrl-D) leave
"""


def stdout_console() -> Console:
    return Console(highlight=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def _markdown(text: str) -> Markdown:
    """Discord Markdown for the terminal: a block quote ends at its last '>' line (Discord's
    rule, not CommonMark's), and '-# ' subtext, which Markdown lacks, becomes emphasis."""
    lines: list[str] = []
    for line in text.splitlines():
        quote_ends = lines and lines[-1].startswith(">") and not line.startswith(">")
        if lines and (quote_ends or line.startswith("-# ")):
            lines.append("")
        lines.append(f"*{line[3:]}*" if line.startswith("-# ") else line)
    return Markdown("\n".join(lines))


def show_answer(console: Console, answer: Answer, index: int = 0) -> None:
    console.print(_markdown(render.render_answer(answer, index)))


def show_all(console: Console, answer: Answer) -> None:
    """Every result of an answer, one after another (for `citebot ask`)."""
    if not answer.results:
        show_answer(console, answer)
    for result in answer.results:
        console.print(_markdown(f"**{result.rank}.**\n\n" + render.render_result(result)))


def show_list(console: Console, collection: str, articles: list[ArticleInfo]) -> None:
    if not articles:
        console.print(f"The library {collection!r} is empty: add articles with `citebot add`.")
        return
    table = Table("id", "title", "passages", "source", "added", box=None)
    for a in articles:
        table.add_row(str(a.id), a.title, str(a.passages), a.url or a.source or "", a.added_at[:10])
    console.print(table)


def show_article(console: Console, article: ArticleInfo, text: str) -> None:
    console.print(f"[bold]#{article.id} {article.title}[/bold]", markup=True, highlight=False)
    for label, value in (
        ("url", article.url),
        ("author", article.author),
        ("date", article.date),
        ("site", article.site),
    ):
        if value:
            console.print(f"{label}: {value}", markup=False)
    console.print(f"{article.passages} passages, added {article.added_at}", markup=False)
    console.print()
    console.print(text, markup=False)


def guide_documents() -> list[Document]:
    """citebot's own guide, shipped with the package, for the demo library."""
    docs = []
    for entry in sorted(resources.files("bot.docs").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            title, body = clean_text(entry.read_text(encoding="utf-8"))
            docs.append(
                Document(
                    title=(title or entry.name).lstrip("# "),
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
        self.last: Answer | None = None
        self.shown = 0

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
            self.console.print(f"error: {exc}", markup=False)
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
            self.console.print(f"unknown command {command}; type /help", markup=False)
            return True
        try:
            await handler(args)
        except CitebotError as exc:
            self.console.print(f"error: {exc}", markup=False)
        return True

    async def ask(self, question: str) -> None:
        try:
            self.last = await self.library.ask(self.collection, question, k=5)
        except CitebotError as exc:
            self.console.print(f"error: {exc}", markup=False)
            return
        self.shown = 0
        show_answer(self.console, self.last)
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
            self.console.print("usage: /add PATH_OR_URL...", markup=False)
        for arg in args:
            try:
                if is_link(arg):
                    result = await self.library.add_url(
                        self.collection, arg, "console", progress=self._progress
                    )
                else:
                    result = await self.library.add_file(self.collection, Path(arg), "console")
                self._added(result)
            except CitebotError as exc:
                self.console.print(f"error: {exc}", markup=False)

    async def _progress(self, step: str) -> None:
        self.console.print(f"{step}…", style="dim", markup=False)

    def _added(self, result: AddResult) -> None:
        a = result.article
        if result.status == "duplicate":
            self.console.print(f"already in the library: #{a.id} {a.title}", markup=False)
        else:
            self.console.print(f"added #{a.id} {a.title} ({a.passages} passages)", markup=False)

    async def paste(self, args: list[str]) -> None:
        self.console.print("Paste the article; end with a line holding a single '.'", markup=False)
        lines = []
        while (line := await _read_line("")) is not None and line.strip() != ".":
            lines.append(line)
        title, body = clean_text("\n".join(lines))
        document = Document(title=title or "Pasted text", text=body, source="pasted")
        self._added(await self.library.add(self.collection, document, added_by="console"))

    async def list_articles(self, args: list[str]) -> None:
        show_list(self.console, self.collection, await self.library.articles(self.collection))

    async def show(self, args: list[str]) -> None:
        article, text = await self.library.get(self.collection, _article_id(args, "/show"))
        show_article(self.console, article, text)

    async def remove(self, args: list[str]) -> None:
        article = await self.library.remove(self.collection, _article_id(args, "/remove"))
        self.console.print(f"removed #{article.id} {article.title}", markup=False)

    async def more(self, args: list[str]) -> None:
        if self.last is None or self.shown + 1 >= len(self.last.results):
            self.console.print("no more results", markup=False)
            return
        self.shown += 1
        show_answer(self.console, self.last, self.shown)

    async def passage(self, args: list[str]) -> None:
        if self.last is None or not self.last.results:
            self.console.print("ask a question first", markup=False)
            return
        self.console.print(_markdown(render.render_passage(self.last.results[self.shown])))


def _article_id(args: list[str], command: str) -> int:
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        raise CitebotError(f"usage: {command} ID (the number shown by /list)")
    return int(args[0].lstrip("#"))


async def _read_line(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


async def run(
    db: Path, collection: str, settings: LibrarySettings | None = None, load_guide: bool = False
) -> None:
    """The interactive loop, until /quit or end of input."""
    console = stdout_console()
    async with Library.open(db, settings) as library:
        if load_guide:
            for document in guide_documents():
                await library.add(collection, document, added_by="demo")
        count = len(await library.articles(collection))
        session = Session(library, collection, console)
        console.print(
            f"citebot console: library {collection!r} in {db} ({count} articles). "
            "Type a question, or /help.",
            markup=False,
        )
        while (line := await _read_line("> ")) is not None:
            if not await session.handle(line):
                break

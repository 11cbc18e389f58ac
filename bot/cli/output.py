"""What the command line and the console print: JSON shapes other tools read, and terminal text.

The JSON shapes (`answer_json`, `article_json`, `feed_json`, `add_record`) are a contract: keys
are not renamed or removed. Terminal text uses the words the bot uses (`bot.render`): an answer
is the bot's own Discord Markdown rendered by rich, and an add's outcome is `render.added_words`.
A title the article lacks is "Untitled" in text and null in JSON.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any, TextIO, cast

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from bot import render
from index import AddResult, Answer, ArticleInfo, CitebotError, CopyReport, FeedInfo, FeedReport

# --- JSON ------------------------------------------------------------------------------------


def answer_json(answer: Answer) -> dict[str, Any]:
    """The stable JSON shape of an answer (other tools read it)."""
    return {
        "question": answer.question,
        "took_ms": round(answer.took_ms, 3),
        "results": [
            {
                "rank": r.rank,
                "score": round(r.score, 6),
                "article": fields(r.article, ("id", "title", "url")),
                "passage": r.passage,
                "quote": r.quote,
                "quote_cut": {"start": r.quote_cut[0], "end": r.quote_cut[1]},
                "heading": r.heading,
            }
            for r in answer.results
        ],
    }


def question_error_json(question: str, error: CitebotError) -> dict[str, Any]:
    """A question from stdin that could not be asked, in the shape of an answer."""
    return {"question": question, "took_ms": 0.0, "results": [], "error": str(error)}


ARTICLE_KEYS = ("id", "title", "url", "author", "date", "site", "passages", "added_by", "added_at")
ADD_KEYS = ("input", "status", "id", "title", "passages", "error")
FEED_KEYS = ("id", "url", "title", "entries", "articles", "last_polled", "last_error")


def fields(record: object, keys: tuple[str, ...]) -> dict[str, Any]:
    """Some of a record's attributes, in the order given, as a JSON object."""
    return {key: getattr(record, key) for key in keys}


def article_json(article: ArticleInfo) -> dict[str, Any]:
    return fields(article, ARTICLE_KEYS)


def feed_json(info: FeedInfo) -> dict[str, Any]:
    return fields(info, FEED_KEYS)


def add_record(name: str, outcome: AddResult | CitebotError) -> dict[str, Any]:
    """What adding one input did, as one JSON object (`citebot add --json`)."""
    values: tuple[object, ...]
    if isinstance(outcome, CitebotError):
        values = (name, "error", None, None, None, str(outcome))
    else:
        article = outcome.article
        values = (name, outcome.status, article.id, article.title, article.passages, None)
    return dict(zip(ADD_KEYS, values, strict=True))


# --- text lines ------------------------------------------------------------------------------


def label(article: ArticleInfo) -> str:
    """An article in a terminal line: "#3 Its title"."""
    return f"#{article.id} {render.title_text(article.title)}"


def add_line(outcome: AddResult | CitebotError, place: str | None = None) -> str:
    """What adding one input did, as one line (the bot's words, unformatted); an error says
    where it is first when the input has a `place` (a JSONL file's `file:line`)."""
    if isinstance(outcome, CitebotError):
        return f"error: {place}: {outcome}" if place else f"error: {outcome}"
    return render.added_words(outcome.status, label(outcome.article), outcome.article.passages)


def saved_line(collection: str, passages: int, written: bool, seconds: float) -> str:
    """What saving a collection's index after a bulk add did (`citebot add`, on stderr; a
    failure's cause is the warning logged before it)."""
    counted = render.plural(passages, "passage")
    if not written:
        return f"could not save the index of {collection}: its next start reads its {counted}"
    return f"saved the index of {collection} for fast starts ({counted}, {seconds:.1f} s)"


def feed_line(feed: FeedInfo) -> str:
    status = (
        f"error: {feed.last_error}" if feed.last_error else f"polled {feed.last_polled or 'never'}"
    )
    articles = render.plural(feed.articles, "article")
    return f"#{feed.id} {feed.title or ''} <{feed.url}> {articles}, {status}"


def feeds_text(feeds: list[FeedInfo]) -> str:
    """The feeds followed, one line each (`citebot feed list`)."""
    if not feeds:
        return "No feeds: add one with `citebot feed add URL`."
    return "\n".join(feed_line(f) for f in feeds)


def poll_line(report: FeedReport) -> str:
    if report.error:
        return f"#{report.feed_id} {report.url}: error: {report.error}"
    return f"#{report.feed_id} {report.url}: {report.added} added, {report.failed} failed"


# --- rich consoles ---------------------------------------------------------------------------


PIPE_WIDTH = 10_000  # characters: piped output is not wrapped (lines are as long as the text)


class Unpadded(io.TextIOBase):
    """A text stream that drops the spaces at the end of each line (rich pads every line of a
    block to the console's width)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._line = ""  # the line written so far, sent once it ends

    def write(self, text: str) -> int:
        *lines, self._line = (self._line + text).split("\n")
        for line in lines:
            self._stream.write(line.rstrip(" ") + "\n")
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def stdout_console() -> Console:
    """The console for stdout: at a terminal, rich's own; piped, one neither padded to 80
    columns nor wrapped, so that other programs get each line whole."""
    if sys.stdout.isatty():
        return Console(highlight=False)
    piped = cast(TextIO, Unpadded(sys.stdout))
    return Console(highlight=False, file=piped, width=PIPE_WIDTH, soft_wrap=True)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def markdown(text: str) -> Markdown:
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
    console.print(markdown(render.render_answer(answer, index)))


def show_all(console: Console, answer: Answer) -> None:
    """Every result of an answer, one after another (for `citebot ask`)."""
    if not answer.results:
        show_answer(console, answer)
    for result in answer.results:
        console.print(markdown(f"**{result.rank}.**\n\n" + render.render_result(result)))


def show_list(
    console: Console, collection: str, articles: list[ArticleInfo], how_to_add: str = "citebot add"
) -> None:
    """The articles as a table; an empty library says how to add (the console's own way)."""
    if not articles:
        console.print(
            f"The library {collection!r} is empty: add articles with `{how_to_add}`.", markup=False
        )
        return
    table = Table("id", "title", "passages", "source", "added", box=None)
    for a in articles:
        table.add_row(
            str(a.id),
            Text(render.title_text(a.title)),
            str(a.passages),
            Text(a.url or a.source or ""),
            a.added_at[:10],
        )
    console.print(table)


def show_article(console: Console, article: ArticleInfo, text: str) -> None:
    console.print(Text(label(article), style="bold"))
    for name, value in (
        ("url", article.url),
        ("author", article.author),
        ("date", article.date),
        ("site", article.site),
    ):
        if value:
            console.print(f"{name}: {value}", markup=False)
    passages = render.plural(article.passages, "passage")
    console.print(f"{passages}, added {article.added_at}", markup=False)
    console.print()
    console.print(render.article_text(text), markup=False)


class ProgressBar:
    """A progress bar on a terminal's stderr for long runs; a no-op otherwise (stderr piped
    or captured holds only what went wrong). `with` gives `advance`."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar: Any = None
        console = stderr_console()
        if enabled and console.is_terminal:
            from rich.progress import Progress

            self._bar = Progress(console=console, transient=True)
            self._task = self._bar.add_task("adding", total=total)

    def __enter__(self) -> Callable[[], None]:
        if self._bar is None:
            return lambda: None
        self._bar.start()
        return lambda: self._bar.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def copy_text(report: CopyReport) -> str:
    """What `citebot copy` did, and what each collection now holds in both libraries."""
    plural = render.plural
    lines = [
        f"copied {plural(report.copied, 'article')} ({report.present} were there already) and"
        f" {plural(report.feeds, 'feed')}; the copy matches:"
    ]
    for collection, (articles, passages, feeds) in report.counts.items():
        counts = [plural(articles, "article"), plural(passages, "passage"), plural(feeds, "feed")]
        lines.append(f"  {collection}: {', '.join(counts)}")
    return "\n".join(lines)

"""What the command line prints (bot/cli/output.py): JSON shapes and terminal lines."""

from __future__ import annotations

import io

from rich.console import Console

from bot import render
from bot.cli import output
from index import AddResult, ArticleInfo, InputError


def article(title: str | None = "Otters", n: int = 1) -> ArticleInfo:
    return ArticleInfo(
        n, "console", title, None, None, None, None, "otters.txt", "cli", "2026-11-27T20:00", 3
    )


def printed(show: object, *args: object) -> str:
    buffer = io.StringIO()
    show(Console(file=buffer, width=200), *args)
    return buffer.getvalue()


def test_add_line_says_what_adding_did() -> None:
    """Added, already there, or the error: one line each."""
    assert output.add_line(AddResult("added", article())) == "added #1 Otters (3 passages)"
    assert output.add_line(AddResult("duplicate", article())) == (
        "already in the library: #1 Otters"
    )
    assert output.add_line(InputError("bad.txt is empty")) == "error: bad.txt is empty"


def test_terminal_and_discord_use_the_same_words_for_an_add() -> None:
    """The Discord message is the terminal line made a sentence, with Discord's formatting."""
    for status in ("added", "duplicate"):
        line = output.add_line(AddResult(status, article()))
        message = render.added_message(AddResult(status, article()))
        plain = message.split(" ", 1)[1].replace("`", "").casefold()
        assert plain.startswith(line.casefold())


def test_an_untitled_article_is_untitled_in_text_and_null_in_json() -> None:
    """A missing title reads "Untitled" in a terminal line and is null in JSON."""
    result = AddResult("added", article(title=None))
    assert output.add_line(result) == "added #1 Untitled (3 passages)"
    assert output.add_record("x.txt", result)["title"] is None
    assert output.article_json(article(title=None))["title"] is None


def test_the_list_shows_untitled_articles_and_titles_as_they_are() -> None:
    """The terminal list names an untitled article, and never reads a title as markup."""
    shown = printed(
        output.show_list, "console", [article(title=None), article("[bold]Bees[/bold]", 2)]
    )
    assert "Untitled" in shown and "[bold]Bees[/bold]" in shown


def test_an_article_heading_is_shown_as_it_is() -> None:
    """`show` prints the number and title literally, even one that looks like markup."""
    shown = printed(output.show_article, article("[red]Bees"), "Bees dance.")
    assert shown.startswith("#1 [red]Bees\n")

"""The console (bot/cli/console.py): a terminal that behaves like a channel."""

from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli.main import cli

XI_QUESTION = "What did Xi Jinping say about the relationship between China and Russia?"


def run(db: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=stdin)


def test_console_answers_questions_and_commands(db: Path, shared: Path) -> None:
    """The console adds, lists and answers like a channel, and quits on /quit."""
    sample = shared / "samples/china-russia-article.txt"
    stdin = f"/add {sample}\n/list\n{XI_QUESTION}\n/more\n/bogus\n/quit\n"
    result = run(db, "console", stdin=stdin)
    assert result.exit_code == 0, result.output
    assert "added #1" in result.output
    assert "cannot be broken" in result.output
    assert "unknown command /bogus" in result.output


def test_demo_loads_the_guide_and_answers_about_it(db: Path) -> None:
    """`citebot demo` needs no token or network and answers questions about citebot."""
    result = run(db, "demo", stdin="How do I add an article?\n")
    assert result.exit_code == 0, result.output
    assert "article add" in result.output


def test_the_demo_answers_from_under_a_heading_never_with_the_heading(db: Path) -> None:
    """The issue's two questions: each answered with a sentence of its section, shown under
    "§ <heading>"; no Markdown mark is ever shown."""
    stdin = "How do I ask a question?\n/passage\nHow are answers found?\n"
    result = run(db, "demo", stdin=stdin)
    assert result.exit_code == 0, result.output
    asking, passage, found = result.output.split("\n> ")[1:4]
    assert "To ask, type /ask" in asking and "§ Asking a question" in asking
    assert "Buttons page through the other results" in passage
    assert "citebot ranks passages with BM25" in found and "§ How answers are found" in found
    assert "##" not in result.output and "**" not in result.output


def test_pasted_text_without_a_title_is_untitled(db: Path) -> None:
    """/paste of text whose first line is no title adds it as "Untitled"."""
    text = "Sea otters hold hands while they sleep so that they do not drift apart."
    result = run(db, "console", stdin=f"/paste\n{text}\n.\n/list\n")
    assert result.exit_code == 0, result.output
    assert "added #1 Untitled (1 passage)" in result.output


def test_add_of_an_ftp_link_is_refused_as_a_link(db: Path) -> None:
    """/add ftp://… says only http and https links can be added (not "file not found")."""
    result = run(db, "console", stdin="/add ftp://example.com/file.txt\n/quit\n")
    assert "only http and https links can be added" in result.output
    assert "not found" not in result.output

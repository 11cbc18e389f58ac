"""The command line as a person uses it: at a terminal (a real pseudo-terminal: Ctrl-C, Ctrl-D),
piped into other programs, its help, its errors and its log."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from importlib import metadata
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import console as console_mode
from bot.cli.main import cli
from tests.helpers.terminal import Terminal, citebot_command

XI_QUESTION = "What did Xi Jinping say about the relationship between China and Russia?"


def run(db: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=stdin)


def test_version_says_which_citebot() -> None:
    """`citebot --version` prints the installed version."""
    result = CliRunner().invoke(cli, ["--version"])
    assert (result.exit_code, result.output) == (0, f"citebot {metadata.version('citebot')}\n")


def test_every_error_has_one_style(db: Path, tmp_path: Path) -> None:
    """A library error, a mistyped option, a failed input: each says `error: ...`."""
    missing = run(db, "list")
    usage = run(db, "list", "--bogus")
    failed = run(db, "add", str(tmp_path / "nowhere.txt"))
    for result in (missing, usage, failed):
        assert result.exit_code != 0
        assert "Error:" not in result.output and "citebot:" not in result.output
        assert result.output.splitlines()[-1].startswith("error: "), result.output


def test_help_explains_k_and_add_mentions_links(db: Path) -> None:
    """`--k` says what it counts; `add` with nothing to add names links among what it takes."""
    assert "How many results to show" in run(db, "ask", "--help").output
    bare = run(db, "add")
    assert bare.exit_code == 2 and "error: give one or more links or files" in bare.output


def test_console_help_lists_every_console_command(db: Path) -> None:
    """`citebot console --help` names each command the console knows, and each is known."""
    shown = run(db, "console", "--help").output
    typed = run(db, "console", stdin="\n".join(console_mode.COMMANDS) + "\n").output
    for command in ("/add", "/paste", "/list", "/show", "/remove", "/more", "/passage", "/help"):
        assert command in shown and command in console_mode.COMMANDS
    assert "/quit" in shown and "unknown command" not in typed


def test_the_console_says_how_to_add_its_own_way(db: Path) -> None:
    """/list of an empty library names the console's /add, not another program's command."""
    result = run(db, "console", stdin="/list\n")
    assert "is empty: add articles with `/add`." in result.output
    assert "citebot add" not in result.output


def test_piped_output_is_neither_padded_nor_wrapped(db: Path, shared: Path) -> None:
    """Piped, an answer's lines are as long as their text: no spaces up to 80 columns, no
    sentence broken over lines."""
    run(db, "add", str(shared / "samples/china-russia-article.txt"))
    for result in (run(db, "ask", XI_QUESTION), run(db, "list")):
        lines = result.output.splitlines()
        assert lines and not any(line.endswith(" ") for line in lines), result.output
    answer = run(db, "ask", XI_QUESTION).output
    assert any(len(line) > 100 and "Xi Jinping said" in line for line in answer.splitlines())


def test_verbose_shows_citebots_log_not_its_libraries_internals(db: Path, shared: Path) -> None:
    """-v logs citebot's own lines; aiosqlite's and markdown-it's stay at warnings."""
    sample = str(shared / "samples/china-russia-article.txt")
    logs = ""
    for command in (["add", sample], ["ask", XI_QUESTION]):
        done = subprocess.run(
            citebot_command("--db", str(db), "-v", *command),
            capture_output=True,
            text=True,
            check=True,
        )
        logs += done.stderr
    assert " index.library: added article 1" in logs
    assert "aiosqlite" not in logs and "markdown_it" not in logs


def test_ask_at_a_terminal_says_what_it_waits_for(db: Path, shared: Path) -> None:
    """`citebot ask` without a question, at a terminal, says to type questions (it waited
    silently before); Ctrl-D ends it."""
    CliRunner().invoke(
        cli, ["--db", str(db), "add", str(shared / "samples/china-russia-article.txt")]
    )
    terminal = Terminal(citebot_command("--db", str(db), "ask"))
    terminal.read_until("Ctrl-D ends")
    terminal.type("\x04")
    assert terminal.wait() == 0


def test_ctrl_c_in_the_console_clears_the_line_and_ctrl_d_ends_it(db: Path) -> None:
    """Ctrl-C drops what was typed and prompts again (it quit before); Ctrl-D leaves with
    the terminal on a new line."""
    terminal = Terminal(citebot_command("--db", str(db), "console"))
    terminal.read_until("> ")
    terminal.type("half a question")
    terminal.read_until("half a question")
    terminal.type("\x03")
    terminal.read_until("^C\r\n> ")
    terminal.type("/list\n")
    shown = terminal.read_until("add articles with `/add`.")
    assert "unknown command" not in shown and "question/list" not in shown
    terminal.read_until("\r\n> ")
    terminal.type("\x04")
    assert terminal.wait() == 0
    assert terminal.shown.endswith("> \r\n")


def test_ctrl_c_during_add_prints_no_traceback(db: Path, shared: Path) -> None:
    """Ctrl-C (SIGINT to the terminal's process group) while pages are read ends `add` with
    status 130 and no traceback from the reader process."""
    pages = sorted((shared / "articles/html").glob("*.html"))
    process = subprocess.Popen(
        citebot_command("--db", str(db), "add", *map(str, pages)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        process_group=0,
    )
    assert process.stdout is not None
    process.stdout.readline()  # the first page is added: the reader process is running
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    time.sleep(0.5)  # a reader that got the signal too would print meanwhile
    assert process.returncode == 130
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr

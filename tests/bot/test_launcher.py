"""The launcher (bot/__main__.py) and `citebot run`: start-up problems are one line and exit 1.

Starting for real is covered end to end in test_e2e.py.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.__main__ import main
from bot.cli.main import cli
from bot.settings import Settings, load_settings
from index import Shards


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_missing_token_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """Without DISCORD_TOKEN, start-up prints one line naming it and exits with status 1."""
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert one_line_error(capsys).startswith("error: DISCORD_TOKEN is not set")


def test_the_launcher_leaves_start_up_objects_out_of_full_collections() -> None:
    """Before serving, what start-up built is frozen (gc.freeze): full collections skip it."""
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit):
            main()  # no token: it stops, but only after the launcher's preparations
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_unusable_database_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database file that is not citebot's stops start-up (before connecting) with one line."""
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database")
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("CITEBOT_DB", str(bad))
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    line = one_line_error(capsys)
    assert line.startswith("error: ") and "notes.db" in line


def test_bad_shard_settings_are_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Shard ids beyond the shard count stop start-up with one line naming the variable."""
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("CITEBOT_SHARD_COUNT", "2")
    monkeypatch.setenv("CITEBOT_SHARD_IDS", "0-2")
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert one_line_error(capsys).startswith("error: CITEBOT_SHARD_IDS: shard ids go from 0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard-ids", "1"], "CITEBOT_SHARD_IDS: needs CITEBOT_SHARD_COUNT"),
        (["--shard-count", "2", "--shard-ids", "0,5"], "CITEBOT_SHARD_IDS: shard ids go from"),
        (["--shard-count", "0"], "Invalid value for '--shard-count'"),
    ],
)
def test_bad_shard_options_of_citebot_run_are_one_line(
    monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    """`citebot run --shard-count N --shard-ids IDS` are checked like the settings."""
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    result = CliRunner().invoke(cli, ["run", *args])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_shard_options_of_citebot_run_reach_the_launcher(monkeypatch: pytest.MonkeyPatch) -> None:
    """`citebot run --shard-count 4 --shard-ids 2-3` runs the bot with shards 2 and 3 of 4."""
    started: list[Settings] = []
    monkeypatch.setattr("bot.__main__.run", started.append)
    result = CliRunner().invoke(cli, ["run", "--shard-count", "4", "--shard-ids", "2-3"])
    assert result.exit_code == 0, result.output
    assert [s.shards() for s in started] == [Shards(4, frozenset({2, 3}))]


def test_db_option_of_the_command_line_overrides(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`citebot --db PATH run` uses PATH, whatever CITEBOT_DB says."""
    given = tmp_path / "given.db"
    given.write_text("not a database")  # so that start-up stops there, naming the file it used
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("CITEBOT_DB", str(tmp_path / "env.db"))
    assert load_settings().db == str(tmp_path / "env.db")
    result = CliRunner().invoke(cli, ["--db", str(given), "run"])
    assert result.exit_code == 1 and "given.db" in result.output


def test_citebot_run_starts_the_launcher() -> None:
    """`citebot run` is the launcher: without a token it fails the launcher's way."""
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 1
    assert "DISCORD_TOKEN is not set" in result.output


def test_python_dash_m_bot_starts_the_launcher(tmp_path: Path) -> None:
    """`python -m bot` runs the same launcher."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    env.pop("DISCORD_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error: DISCORD_TOKEN is not set")

"""`citebot` on a library the user may only read, and where they may not write: real processes
on real files, with write access really taken away (tests/helpers/confined.py)."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import cli
from tests.helpers.confined import (
    KILLED_WRITER,
    Ran,
    citebot,
    make_read_only,
    make_writable,
    on_read_only_mount,
    python,
    run,
    without_override,
)

QUESTION = "Who is the Russian ambassador to China?"
KEEPER = "The lighthouse keeper climbed the one hundred stairs every evening to light the lamp."
LAYOUTS = ["read-only file and folder", "read-only file", "another user's file and folder"]


@pytest.fixture
def library(tmp_path: Path, shared: Path) -> Iterator[Path]:
    """A library holding the sample article, in a folder of its own (made writable again after
    the test, for the clean-up)."""
    db = tmp_path / "lib" / "lib.db"
    added = CliRunner().invoke(
        cli, ["--db", str(db), "add", str(shared / "samples/china-russia-article.txt")]
    )
    assert added.exit_code == 0, added.output
    yield db
    make_writable(db.parent)


def _take_write_access(db: Path, layout: str) -> None:
    folder = db.parent
    if layout == "read-only file and folder":
        make_read_only(*folder.iterdir(), folder)
    elif layout == "read-only file":
        make_read_only(db)
    else:
        if os.geteuid() != 0:
            pytest.skip("giving a file to another user needs root")
        for path in [folder, *folder.iterdir()]:
            os.chown(path, 65534, 65534)  # nobody; the modes stay 0755 and 0644


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _error_line(ran: Ran) -> str:
    """The one line a failure prints (and it is one line, with no traceback)."""
    assert ran.code == 1, ran
    assert ran.out == ""
    assert "Traceback" not in ran.err and "Event loop" not in ran.err
    assert ran.err.count("\n") == 1, ran.err
    return ran.err.removeprefix("error: ").rstrip("\n")


@pytest.fixture
def keeper(tmp_path: Path) -> Path:
    """An article to add, outside the library's folder."""
    path = tmp_path / "keeper.txt"
    path.write_text(f"Keeper's log\n\n{KEEPER}\n", encoding="utf-8")
    return path


def _check_reads(listed: Ran, shown: Ran, asked: Ran, titles: int = 1) -> None:
    """list, show 1 and ask (the sample's question) succeeded and printed the sample."""
    assert (listed.code, shown.code, asked.code) == (0, 0, 0), (listed, shown, asked)
    assert len(json.loads(listed.out)) == titles
    assert "cannot be broken" in json.loads(shown.out)["text"]
    assert "Denisov" in json.loads(asked.out)["results"][0]["quote"]


def _reads(db: Path) -> list[list[str]]:
    return [
        citebot(db, "list", "--json"),
        citebot(db, "show", "1", "--json"),
        citebot(db, "ask", QUESTION, "--json"),
    ]


@pytest.mark.usefixtures("permissions_apply")
@pytest.mark.parametrize("layout", LAYOUTS)
def test_list_show_and_ask_read_a_library_the_user_may_only_read(
    library: Path, layout: str
) -> None:
    """list, show, ask (and feed list) work on a library the user can read but not write."""
    _take_write_access(library, layout)
    listed, shown, asked = (run(without_override(command)) for command in _reads(library))
    _check_reads(listed, shown, asked)
    feeds = run(without_override(citebot(library, "feed", "list", "--json")))
    assert (feeds.code, feeds.out) == (0, "[]\n")


@pytest.mark.usefixtures("permissions_apply")
def test_reading_sees_the_changes_a_killed_writer_left_in_the_wal(library: Path) -> None:
    """An article still in the -wal file (its writer killed) is listed and found read-only."""
    assert run(python(KILLED_WRITER, str(library), "Keeper's log", KEEPER)).code == 0
    assert {"lib.db-wal", "lib.db-shm"} <= set(os.listdir(library.parent))
    _take_write_access(library, "read-only file and folder")
    listed = run(without_override(citebot(library, "list", "--json")))
    asked = run(without_override(citebot(library, "ask", "Who climbed the stairs?", "--json")))
    assert [a["title"] for a in json.loads(listed.out)][1] == "Keeper's log"
    assert json.loads(asked.out)["results"][0]["quote"] == KEEPER


@pytest.mark.usefixtures("permissions_apply")
@pytest.mark.parametrize("layout", LAYOUTS)
def test_add_to_a_library_the_user_may_only_read_names_the_cause_and_changes_nothing(
    library: Path, layout: str, keeper: Path
) -> None:
    """`add` says it cannot write the file (not "not a citebot database"), exits 1, and
    every file in the folder stays as it was."""
    _take_write_access(library, layout)
    before = _contents(library.parent)
    added = run(without_override(citebot(library, "add", str(keeper))))
    assert _error_line(added) == f"cannot write to {library}: permission denied"
    assert _contents(library.parent) == before


@pytest.mark.usefixtures("permissions_apply")
def test_a_new_library_in_a_folder_the_user_may_not_write_is_one_line(
    library: Path, keeper: Path
) -> None:
    """Creating a library (or its folder) where the user may not write: one line, nothing made."""
    _take_write_access(library, "read-only file and folder")
    for new in (library.parent / "new.db", library.parent / "sub" / "new.db"):
        added = run(without_override(citebot(new, "add", str(keeper))))
        message = f"cannot create {new}: permission denied on the folder {library.parent}"
        assert _error_line(added) == message
    assert sorted(os.listdir(library.parent)) == ["lib.db"]


@pytest.mark.usefixtures("permissions_apply")
def test_a_missing_library_in_a_read_only_folder_is_still_no_library_at_path(
    library: Path,
) -> None:
    """A reading command on a path where nothing exists still says so, writable or not."""
    _take_write_access(library, "read-only file and folder")
    missing = library.parent / "typo.db"
    assert _error_line(run(without_override(citebot(missing, "list")))) == (
        f"no library at {missing}"
    )


def _library_on_a_mount(db: Path, shared: Path, killed_writer: bool) -> list[list[str]]:
    """The set-up of a library at `db`: the sample, and perhaps an article left in the -wal."""
    setup = [citebot(db, "add", str(shared / "samples/china-russia-article.txt"))]
    if killed_writer:
        setup.append(python(KILLED_WRITER, str(db), "Keeper's log", KEEPER))
    return setup


@pytest.fixture
def mount(tmp_path: Path) -> Path:
    """Where the test's read-only filesystem is mounted (beside it: the test's other files)."""
    path = tmp_path / "mnt"
    path.mkdir()
    return path


@pytest.mark.usefixtures("read_only_mounts")
@pytest.mark.parametrize("killed_writer", [False, True], ids=["closed", "wal-left-behind"])
def test_list_show_and_ask_read_a_library_on_a_read_only_filesystem(
    mount: Path, shared: Path, killed_writer: bool
) -> None:
    """On a read-only filesystem the reading commands work, changes left in a -wal included."""
    db = mount / "lib" / "lib.db"
    setup = _library_on_a_mount(db, shared, killed_writer)
    asking_the_keeper = citebot(db, "ask", "Who climbed the stairs?", "--json")
    *reads, asked = on_read_only_mount(mount, setup, [*_reads(db), asking_the_keeper])
    _check_reads(*reads, titles=1 + killed_writer)
    quotes = [r["quote"] for r in json.loads(asked.out)["results"]]
    assert (KEEPER in quotes) == killed_writer


@pytest.mark.usefixtures("read_only_mounts")
def test_add_on_a_read_only_filesystem_names_it_and_changes_nothing(
    mount: Path, shared: Path, keeper: Path
) -> None:
    """`add` and `remove` say the filesystem is read-only; the library reads the same after."""
    db = mount / "lib" / "lib.db"
    commands = [
        citebot(db, "list", "--json"),
        citebot(db, "add", str(keeper)),
        citebot(db, "remove", "1"),
        citebot(db, "list", "--json"),
    ]
    before, added, removed, after = on_read_only_mount(
        mount, _library_on_a_mount(db, shared, False), commands
    )
    message = f"cannot write to {db}: {db.parent} is on a read-only filesystem"
    assert _error_line(added) == message
    assert _error_line(removed) == message
    assert before.code == after.code == 0
    assert json.loads(after.out) == json.loads(before.out) != []


@pytest.mark.usefixtures("read_only_mounts")
def test_a_new_library_on_a_read_only_filesystem_is_one_line_every_time(
    mount: Path, keeper: Path
) -> None:
    """Creating a library on a read-only filesystem: one line each time, never a traceback
    (aiosqlite's thread used to outlive the event loop: "Event loop is closed")."""
    in_folder, with_folder = mount / "lib" / "new.db", mount / "new" / "new.db"
    commands = [citebot(in_folder, "add", str(keeper)), citebot(with_folder, "add", str(keeper))]
    ran = on_read_only_mount(mount, [["mkdir", str(mount / "lib")]], commands * 8)
    for outcome, db in zip(ran, [in_folder, with_folder] * 8, strict=True):
        nearest = db.parent if db == in_folder else mount
        assert _error_line(outcome) == f"cannot create {db}: {nearest} is on a read-only filesystem"

"""Connecting to a library: read-only for a reader that may not write, refusals that name the
cause (index/store/sqlite_access.py). Write access is really taken away, in child processes
(tests/helpers/confined.py)."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from index.errors import StorageError
from index.store import SQLiteStore
from index.store.base import NewArticle
from index.store.migrations import numbered_scripts
from tests.helpers.confined import (
    KILLED_WRITER,
    make_read_only,
    make_writable,
    python,
    run,
    without_override,
)
from tests.helpers.records import passages

# Opens the store at argv[1] as a reader and tries a write; prints what happened, one line each.
_READ_THEN_WRITE = """
import asyncio, sys
from index.errors import StorageError
from index.store import SQLiteStore
from index.store.base import NewArticle
from index.store.columns import NewPassages

async def main():
    try:
        async with SQLiteStore.open(sys.argv[1], create=False, writable=False) as store:
            print("read_only", store.read_only)
            print("articles", len(await store.list_articles("console")))
            await store.insert_article(
                NewArticle(collection="console", title=None, text="x", content_hash="x"),
                NewPassages.of([]),
                [],
            )
    except StorageError as exc:
        print("refused", exc)

asyncio.run(main())
"""


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """The library's folder (made writable again after the test, for the clean-up)."""
    path = tmp_path / "lib"
    path.mkdir()
    yield path
    make_writable(path)


async def _library(path: Path) -> None:
    async with SQLiteStore.open(path) as store:
        await store.insert_article(
            NewArticle(collection="console", title="T", text="Text.", content_hash="h"),
            passages(),
            [],
        )


def _version_2(path: Path) -> None:
    """A database as an older citebot left it: migrations 1 and 2 only."""
    with sqlite3.connect(path) as db:
        for _, script in numbered_scripts("sqlite")[:2]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 2")
        db.execute("PRAGMA journal_mode = WAL")


@pytest.mark.usefixtures("permissions_apply")
async def test_a_reader_without_write_access_gets_a_store_that_refuses_writes(
    folder: Path,
) -> None:
    """Opened by a reader that may not write: read-only, reads work, a write is one line."""
    path = folder / "lib.db"
    await _library(path)
    make_read_only(path, folder)
    ran = run(without_override(python(_READ_THEN_WRITE, str(path))))
    assert ran.err == ""
    assert ran.out.splitlines() == [
        "read_only True",
        "articles 1",
        f"refused cannot write to {path}: permission denied",
    ]


async def test_a_reader_with_write_access_gets_a_normal_store_and_migrates(
    tmp_path: Path,
) -> None:
    """A reader that may write opens as a writer does: not read-only, an old schema migrated."""
    path = tmp_path / "old.db"
    _version_2(path)
    async with SQLiteStore.open(path, create=False, writable=False) as store:
        assert not store.read_only
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(numbered_scripts("sqlite"))


@pytest.mark.usefixtures("permissions_apply")
def test_a_read_only_reader_leaves_an_older_schema_alone(folder: Path) -> None:
    """An older schema read without write access: one line asking for write access once;
    the file is not migrated."""
    path = folder / "old.db"
    _version_2(path)
    make_read_only(path, folder)
    ran = run(without_override(python(_READ_THEN_WRITE, str(path))))
    latest = len(numbered_scripts("sqlite"))
    assert ran.out == (
        f"refused {path} has an older schema (2; this citebot needs {latest}):"
        " open it once with write access to upgrade it\n"
    )
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2


@pytest.mark.usefixtures("permissions_apply")
def test_changes_in_a_wal_without_its_shm_are_refused_not_ignored(folder: Path) -> None:
    """With no -shm and no way to make one, the changes in -wal cannot be read safely
    (immutable mode would silently skip them): a line naming the files, not stale answers."""
    path = folder / "lib.db"
    assert run(python(KILLED_WRITER, str(path), "Left in the WAL", "Some text.")).code == 0
    (folder / "lib.db-shm").unlink()
    make_read_only(*folder.iterdir(), folder)
    ran = run(without_override(python(_READ_THEN_WRITE, str(path))))
    assert ran.out == (
        f"refused cannot read {path} without write access: lib.db-wal holds changes not yet"
        " saved into it and lib.db-shm is missing or unreadable; open it once with write access\n"
    )


async def test_a_new_library_where_sqlite_cannot_open_is_one_storage_error(
    tmp_path: Path,
) -> None:
    """SQLite failing to open is a StorageError naming the file, not a raw sqlite3 error."""
    path = tmp_path / "lib.db"
    failing = mock.patch("sqlite3.connect", side_effect=sqlite3.OperationalError("disk I/O error"))
    with failing, pytest.raises(StorageError, match=rf"^cannot open {path}: disk I/O error$"):
        async with SQLiteStore.open(path):
            pass


# Opens a store whose SQLite connection fails, twenty times, each in its own event loop.
_FAILING_OPENS = """
import asyncio, sqlite3, sys, time
from unittest import mock
from index.errors import StorageError
from index.store import SQLiteStore

async def attempt():
    try:
        async with SQLiteStore.open(sys.argv[1]):
            pass
    except StorageError:
        pass

with mock.patch("sqlite3.connect", side_effect=sqlite3.OperationalError("unable to open")):
    for _ in range(20):
        asyncio.run(attempt())
time.sleep(0.5)  # what a thread left behind would print by now
"""


def test_a_failed_connection_leaves_nothing_running_after_the_event_loop(
    tmp_path: Path,
) -> None:
    """No thread outlives the event loop to print "Event loop is closed" after a failure."""
    ran = run(python(_FAILING_OPENS, str(tmp_path / "lib.db")))
    assert (ran.code, ran.err) == (0, "")

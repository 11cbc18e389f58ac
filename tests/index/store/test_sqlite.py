"""The SQLite store: migrations, refusing foreign files, atomic writes."""

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index.errors import StorageError
from index.library import Library
from index.settings import LibrarySettings
from index.store import SQLiteStore
from index.store.migrations import numbered_scripts
from tests.helpers.records import article, passage, passages, postings


async def test_a_new_database_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    """Opening creates the file, applies every migration and records the version."""
    path = tmp_path / "sub" / "lib.db"
    async with SQLiteStore.open(path):
        pass
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] >= 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "passages", "terms", "meta"} <= tables


async def test_a_file_that_is_not_sqlite_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    """A text file given as the database is an error, and its bytes are untouched."""
    path = tmp_path / "notes.db"
    path.write_bytes(b"my precious notes, not a database\n" * 200)
    before = path.read_bytes()
    with pytest.raises(StorageError, match="not a citebot database"):
        async with SQLiteStore.open(path):
            pass
    assert path.read_bytes() == before


async def test_another_programs_sqlite_file_is_refused(tmp_path: Path) -> None:
    """An SQLite file with someone else's tables is not taken over."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(StorageError, match="another program"):
        async with SQLiteStore.open(path):
            pass


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    """A database from a newer citebot asks for an upgrade instead of guessing."""
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")
    with pytest.raises(StorageError, match="newer citebot"):
        async with SQLiteStore.open(path):
            pass


async def test_a_folder_is_refused(tmp_path: Path) -> None:
    """Giving a directory as the database file is a clear error."""
    with pytest.raises(StorageError, match="folder"):
        async with SQLiteStore.open(tmp_path):
            pass


def _version_2_database(path: Path, titles: list[str], text: str) -> None:
    """A library as citebot wrote it before migration 0003 (titles NOT NULL, placeholders)."""
    with sqlite3.connect(path) as db:
        for _, script in numbered_scripts("sqlite")[:2]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 2")
        db.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)", LibrarySettings().stored().items()
        )
        for n, title in enumerate(titles, 1):
            db.execute(
                "INSERT INTO articles (id, collection, title, text, content_hash, added_at)"
                " VALUES (?, 'c', ?, ?, ?, '2026-11-27T00:00:00+00:00')",
                (n, title, text, f"hash{n}"),
            )
            # the placeholder's words were indexed with every passage: ids 1 and 2 here
            db.execute(
                'INSERT INTO passages (article_id, collection, ord, start, "end", sentences,'
                " term_ids, term_freqs) VALUES (?, 'c', 0, 0, ?, ?, ?, ?)",
                (n, len(text), _blob([0, len(text)]), _blob([1, 2]), _blob([1, 1])),
            )
        db.executemany("INSERT INTO terms (id, term) VALUES (?, ?)", [(1, "past"), (2, "text")])


def _blob(values: list[int]) -> bytes:
    return np.asarray(values, dtype="<i4").tobytes()


async def test_placeholder_titles_become_unknown_and_the_index_is_rebuilt(tmp_path: Path) -> None:
    """Migration 0003: "Pasted text", "Untitled", "Untitled PDF" become NULL; terms re-derived."""
    path = tmp_path / "old.db"
    text = "The lighthouse keeper climbed the spiral stairs every evening at dusk."
    _version_2_database(path, ["Pasted text", "Untitled", "Untitled PDF", "Keeper's log"], text)
    async with Library.open(path) as library:
        titles = [a.title for a in await library.articles("c")]
        by_placeholder = await library.ask("c", "pasted text")
        by_content = await library.ask("c", "When did the keeper climb the stairs?", k=4)
    assert titles == [None, None, None, "Keeper's log"]
    assert by_placeholder.results == []
    assert len(by_content.results) == 4
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(numbered_scripts("sqlite"))
        terms = {row[0] for row in db.execute("SELECT term FROM terms")}
    assert "past" not in terms
    assert {"lighthous", "keeper", "log"} <= terms


async def test_articles_keep_their_passages_through_the_title_migration(tmp_path: Path) -> None:
    """Rebuilding the articles table cascades nothing; deleting an article still does."""
    path = tmp_path / "old.db"
    _version_2_database(path, ["Pasted text", "A title"], "One sentence of text to keep here.")
    async with SQLiteStore.open(path) as store:
        before, _, _ = await postings(store, "c")
        await store.delete_article("c", 1)
        after, _, _ = await postings(store, "c")
    assert len(before) == 2
    assert len(after) == 1


async def test_ids_stay_unique_after_an_old_library_is_migrated(tmp_path: Path) -> None:
    """Migration 0003 keeps every id, and from then on the newest one is not reused."""
    path = tmp_path / "old.db"
    _version_2_database(path, ["A", "B", "C"], "Some text here.")
    async with SQLiteStore.open(path) as store:
        await store.delete_article("c", 3)
        added = (await store.insert_article(article("Other text."), passages(), [])).article
        ids = [a.id for a in await store.list_articles("c")]
    assert ids == [1, 2, 4]
    assert added.id == 4


async def test_existing_collections_are_registered_with_their_server_id(tmp_path: Path) -> None:
    """Migration 0005: the collections of a library written before it are registered, a
    server's with its id as a number, so that a shard's feeds are one query."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        for _, script in numbered_scripts("sqlite")[:4]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 4")
        db.execute(
            "INSERT INTO articles (collection, title, text, content_hash, added_at)"
            " VALUES ('guild:81384788765712384', NULL, 'x', 'h', '2026-12-01')"
        )
        db.execute(
            "INSERT INTO feeds (collection, url, added_at) VALUES ('console', 'u', '2026-12-01')"
        )
    async with SQLiteStore.open(path):
        pass
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name, guild_id FROM collections ORDER BY name").fetchall()
    assert rows == [("console", None), ("guild:81384788765712384", 81384788765712384)]


async def test_a_store_loading_postings_still_writes_after_another_processs_write(
    tmp_path: Path,
) -> None:
    """A collection's load in progress holds no snapshot between its batches: after another
    connection (as another process would) writes, the loading store still writes, and the
    load reads every passage, in id order."""
    path = tmp_path / "lib.db"
    async with SQLiteStore.open(path) as mine, SQLiteStore.open(path) as theirs:
        for n in range(3):
            await mine.insert_article(article(f"t{n}"), passages(passage(), passage()), [f"w{n}"])
        loading = mine.load_postings("c", batch=2)
        first = await anext(loading)
        await theirs.insert_article(article("theirs"), passages(passage()), ["x"])
        written = await mine.insert_article(article("mine"), passages(passage()), ["y"])
        ids = [*first[0], *(i for batch in [b async for b in loading] for i in batch[0])]
    assert written.passage_ids
    assert ids == sorted(ids) and len(ids) == 8  # the six, and the two written meanwhile


async def test_a_collections_postings_are_read_in_batches_of_the_next_ids(tmp_path: Path) -> None:
    """Each batch is one query of the ids after the last batch's: the collection's index."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        await store.insert_article(article("one"), passages(passage(), passage(), passage()), ["a"])
        await store.insert_article(article("x", "other"), passages(passage(1)), [])
        await store.insert_article(article("two"), passages(passage(1, 2), passage(1)), ["b"])
        batches = [batch async for batch in store.load_postings("c", batch=2)]
        assert [len(ids) for ids, _, _ in batches] == [2, 2, 1]
        assert [i for ids, _, _ in batches for i in ids] == [1, 2, 3, 5, 6]

"""The SQLite store: migrations, refusing foreign files, atomic writes."""

import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from index.errors import BusyError, NotFoundError, StorageError
from index.library import Library, LibrarySettings
from index.store import SQLiteStore, sqlite_access
from index.store.base import NewArticle, NewPassage, PostingsBatch
from index.store.migrations import numbered_scripts


def _article(text: str = "Some text.", collection: str = "c") -> NewArticle:
    return NewArticle(collection=collection, title="T", text=text, content_hash=text)


async def _postings(
    store: SQLiteStore, collection: str
) -> tuple[list[int], list[bytes], list[bytes]]:
    ids: list[int] = []
    terms: list[bytes] = []
    freqs: list[bytes] = []
    async for batch_ids, batch_terms, batch_freqs in store.load_postings(collection, batch=1):
        ids += batch_ids
        terms += batch_terms
        freqs += batch_freqs
    return ids, terms, freqs


def _passage(*term_ids: int) -> NewPassage:
    """A passage of the given term ids (default: the first new term, -1), each counted twice."""
    ids = np.array(term_ids or (-1,), np.int32)
    return NewPassage(0, 10, [(0, 10)], ids, np.full(ids.size, 2, np.int32))


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


async def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    """If any part of adding an article fails, none of it is stored."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        await store.insert_article(_article("first"), [_passage()], ["term"])
        with pytest.raises(IndexError):  # names a second new term it does not give
            await store.insert_article(_article("second"), [_passage(-1, -2)], ["other"])
        assert [a.title for a in await store.list_articles("c")] == ["T"]
        ids, _, _ = await _postings(store, "c")
        assert len(ids) == 1
        assert await store.load_vocabulary() == {"term": 1}


async def test_passages_round_trip_with_their_terms(tmp_path: Path) -> None:
    """Stored term ids and counts come back as written, per collection."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        written = await store.insert_article(_article(), [_passage()], ["t"])
        loaded_ids, terms, freqs = await _postings(store, "c")
        assert loaded_ids == written.passage_ids
        assert np.frombuffer(terms[0], "<i4").tolist() == [1]
        assert np.frombuffer(freqs[0], "<i4").tolist() == [2]
        assert await _postings(store, "other") == ([], [], [])


async def test_deleting_removes_the_article_and_its_passages(tmp_path: Path) -> None:
    """Delete returns the passage ids and leaves no orphan rows."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        written = await store.insert_article(_article(), [_passage(), _passage()], ["t"])
        info = written.article
        _, deleted = await store.delete_article("c", info.id)
        assert deleted == written.passage_ids
        assert await _postings(store, "c") == ([], [], [])
        with pytest.raises(NotFoundError):
            await store.get_article("c", info.id)


async def test_an_article_is_not_found_from_another_collection(tmp_path: Path) -> None:
    """Ids are global, but an article is only reachable in its own collection."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        info = (await store.insert_article(_article(collection="a"), [_passage()], ["t"])).article
        with pytest.raises(NotFoundError, match="no article"):
            await store.get_article("b", info.id)
        with pytest.raises(NotFoundError):
            await store.delete_article("b", info.id)
        assert (await store.get_article("a", info.id)).id == info.id


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
        before, _, _ = await _postings(store, "c")
        await store.delete_article("c", 1)
        after, _, _ = await _postings(store, "c")
    assert len(before) == 2
    assert len(after) == 1


_OPEN_AT = """
import asyncio, sys, time
from index.store import SQLiteStore

async def main():
    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
    async with SQLiteStore.open(sys.argv[1]):
        pass

asyncio.run(main())
"""


def test_processes_opening_a_new_library_at_once_migrate_it_once(tmp_path: Path) -> None:
    """Six processes open a library that does not exist yet at the same moment: all succeed."""
    path = tmp_path / "new.db"
    start = time.time() + 1.5  # after every interpreter has started
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_AT, str(path), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(6)
    ]
    results = [
        (p.wait(timeout=60), p.stderr.read().decode() if p.stderr else "") for p in processes
    ]
    assert results == [(0, "")] * 6
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(numbered_scripts("sqlite"))


async def test_a_removed_articles_id_is_never_given_again(tmp_path: Path) -> None:
    """Removing the newest article and adding another gives a new id, not the freed one."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        await store.insert_article(_article("One."), [], [])
        second = (await store.insert_article(_article("Two."), [], [])).article
        await store.delete_article("c", second.id)
        third = (await store.insert_article(_article("Three."), [], [])).article
    assert (second.id, third.id) == (2, 3)


async def test_a_removed_feeds_id_is_never_given_again(tmp_path: Path) -> None:
    """The same for feeds: a freed number is not reused."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        first = await store.add_feed("c", "https://e.org/a.xml", None, None)
        await store.remove_feed("c", first.id)
        second = await store.add_feed("c", "https://e.org/b.xml", None, None)
    assert (first.id, second.id) == (1, 2)


async def test_ids_stay_unique_after_an_old_library_is_migrated(tmp_path: Path) -> None:
    """Migration 0003 keeps every id, and from then on the newest one is not reused."""
    path = tmp_path / "old.db"
    _version_2_database(path, ["A", "B", "C"], "Some text here.")
    async with SQLiteStore.open(path) as store:
        await store.delete_article("c", 3)
        added = (await store.insert_article(_article("Other text."), [], [])).article
        ids = [a.id for a in await store.list_articles("c")]
    assert ids == [1, 2, 4]
    assert added.id == 4


async def test_new_terms_get_their_ids_in_the_writing_transaction(tmp_path: Path) -> None:
    """Provisional ids (-1, -2) become stored ids; a term stored meanwhile keeps its id."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        await store.insert_article(_article("first"), [_passage(-1, -2)], ["reef", "quay"])
        # a writer that did not know "quay" yet (another process added it)
        written = await store.insert_article(
            _article("second"), [_passage(-1, 5), _passage(-2)], ["beam", "quay"]
        )
        vocabulary = await store.load_vocabulary()
    assert vocabulary == {"reef": 1, "quay": 2, "beam": 3}
    assert written.terms == [(3, "beam"), (2, "quay")]
    assert [p.term_ids.tolist() for p in written.passages] == [[3, 5], [2]]
    _, terms, _ = await _postings_of(tmp_path / "lib.db")
    assert [np.frombuffer(t, "<i4").tolist() for t in terms] == [[1, 2], [3, 5], [2]]


async def _postings_of(path: Path) -> PostingsBatch:
    async with SQLiteStore.open(path) as store:
        return await _postings(store, "c")


async def test_a_re_index_is_refused_when_the_library_changed_meanwhile(tmp_path: Path) -> None:
    """replace_index writes nothing if the settings or the articles are no longer as read."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        first = (await store.insert_article(_article("one"), [_passage()], ["t"])).article
        old = await store.get_settings(["analyzer"])
        stale = await store.replace_index({"analyzer": "other"}, {"analyzer": "x"}, [], [])
        missing = await store.replace_index(old, {"analyzer": "x"}, [], [])  # article 1 unseen
        rebuilt = [(first.id, "c", [_passage(1)])]
        done = await store.replace_index(old, {"analyzer": "x"}, [(1, "u")], rebuilt)
        settings = await store.get_settings(["analyzer", "passages"])
        vocabulary = await store.load_vocabulary()
    assert (stale, missing, done) == (False, False, True)
    assert settings == {"analyzer": "x", "passages": None}
    assert vocabulary == {"u": 1}


async def test_the_same_content_again_is_reported_and_writes_nothing(tmp_path: Path) -> None:
    """A duplicate found inside the transaction: the stored article back, no new rows."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        first = await store.insert_article(_article("same"), [_passage()], ["term"])
        again = await store.insert_article(_article("same"), [_passage()], ["other"])
        vocabulary = await store.load_vocabulary()
        ids, _, _ = await _postings(store, "c")
    assert again.duplicate
    assert again.article == first.article
    assert vocabulary == {"term": 1}
    assert ids == first.passage_ids


async def test_a_write_waiting_too_long_for_another_process_is_busy(tmp_path: Path) -> None:
    """Past the busy timeout a write fails with one clear line; once free, it succeeds."""
    path = tmp_path / "lib.db"
    with mock.patch.object(sqlite_access, "BUSY_TIMEOUT", 0.2):
        async with SQLiteStore.open(path) as store:
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # another process writing
            with pytest.raises(BusyError, match=r"^the library is busy: another process is wri"):
                await store.insert_article(_article("one"), [_passage()], ["t"])
            other.execute("ROLLBACK")
            other.close()
            written = await store.insert_article(_article("one"), [_passage()], ["t"])
    assert written.article.id == 1


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

"""What every store promises (`base.Store`), checked on each backend: atomic writes, ids
never given twice, term ids given inside the writing transaction, duplicates, busy writers,
feed entries claimed once (and again when their retry is due)."""

import sqlite3
import subprocess
import sys
import threading
import time
from typing import Any

import asyncpg
import numpy as np
import pytest

from index.errors import BusyError, NotFoundError
from index.store import is_postgres, open_store
from index.store.base import FeedEntry, now
from index.store.columns import NewPassage, NewPassages
from index.store.migrations import numbered_scripts
from tests.helpers.databases import (
    holding_the_write_lock,
    query,
    short_busy_timeout,
    version_changes,
)
from tests.helpers.records import article, passage, passages, postings


async def test_a_failed_write_leaves_nothing_behind(location: str) -> None:
    """If any part of adding an article fails, none of it is stored."""
    async with open_store(location) as store:
        await store.insert_article(article("first"), passages(passage()), ["term"])
        with pytest.raises(IndexError):  # names a second new term it does not give
            await store.insert_article(article("second"), passages(passage(-1, -2)), ["other"])
        assert [a.title for a in await store.list_articles("c")] == ["T"]
        ids, _, _ = await postings(store, "c")
        assert len(ids) == 1
        assert await store.load_vocabulary() == {"term": 1}


async def test_passages_round_trip_with_their_terms(location: str) -> None:
    """Stored term ids and counts come back as written, per collection."""
    async with open_store(location) as store:
        written = await store.insert_article(article(), passages(passage()), ["t"])
        loaded_ids, terms, freqs = await postings(store, "c")
        assert loaded_ids == written.passage_ids
        assert np.frombuffer(terms[0], "<i4").tolist() == [1]
        assert np.frombuffer(freqs[0], "<i4").tolist() == [2]
        assert await postings(store, "other") == ([], [], [])


async def test_deleting_removes_the_article_and_its_passages(location: str) -> None:
    """Delete returns the passage ids and leaves no orphan rows."""
    async with open_store(location) as store:
        written = await store.insert_article(article(), passages(passage(), passage()), ["t"])
        info = written.article
        _, deleted = await store.delete_article("c", info.id)
        assert deleted == written.passage_ids
        assert await postings(store, "c") == ([], [], [])
        with pytest.raises(NotFoundError):
            await store.get_article("c", info.id)


async def test_an_article_is_not_found_from_another_collection(location: str) -> None:
    """Ids are global, but an article is only reachable in its own collection."""
    async with open_store(location) as store:
        info = (
            await store.insert_article(article(collection="a"), passages(passage()), ["t"])
        ).article
        with pytest.raises(NotFoundError, match="no article"):
            await store.get_article("b", info.id)
        with pytest.raises(NotFoundError):
            await store.delete_article("b", info.id)
        assert (await store.get_article("a", info.id)).id == info.id


async def test_a_removed_articles_id_is_never_given_again(location: str) -> None:
    """Removing the newest article and adding another gives a new id, not the freed one."""
    async with open_store(location) as store:
        await store.insert_article(article("One."), passages(), [])
        second = (await store.insert_article(article("Two."), passages(), [])).article
        await store.delete_article("c", second.id)
        third = (await store.insert_article(article("Three."), passages(), [])).article
    assert (second.id, third.id) == (2, 3)


async def test_a_removed_feeds_id_is_never_given_again(location: str) -> None:
    """The same for feeds: a freed number is not reused."""
    async with open_store(location) as store:
        first = await store.add_feed("c", "https://e.org/a.xml", None, None)
        await store.remove_feed("c", first.id)
        second = await store.add_feed("c", "https://e.org/b.xml", None, None)
    assert (first.id, second.id) == (1, 2)


async def test_new_terms_get_their_ids_in_the_writing_transaction(location: str) -> None:
    """Provisional ids (-1, -2) become stored ids; a term stored meanwhile keeps its id."""
    async with open_store(location) as store:
        await store.insert_article(article("first"), passages(passage(-1, -2)), ["reef", "quay"])
        # a writer that did not know "quay" yet (another process added it)
        written = await store.insert_article(
            article("second"), passages(passage(-1, 5), passage(-2)), ["beam", "quay"]
        )
        vocabulary = await store.load_vocabulary()
    assert vocabulary == {"reef": 1, "quay": 2, "beam": 3}
    assert written.terms == [(3, "beam"), (2, "quay")]
    assert [p.term_ids.tolist() for p in written.passages] == [[3, 5], [2]]
    async with open_store(location) as reopened:
        _, terms, _ = await postings(reopened, "c")
    assert [np.frombuffer(t, "<i4").tolist() for t in terms] == [[1, 2], [3, 5], [2]]


async def test_passages_are_resolved_and_encoded_off_the_event_loop(
    location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Putting the new term ids into a large article's passages and encoding their rows is not
    done on the loop's thread (for 20,000 passages each held it about 100 ms)."""
    threads: dict[str, list[threading.Thread]] = {"resolved": [], "columns": []}
    for name, calls in threads.items():
        original = getattr(NewPassages, name)

        def recording(*args: Any, calls: list[threading.Thread] = calls, f: Any = original) -> Any:
            calls.append(threading.current_thread())
            return f(*args)

        monkeypatch.setattr(NewPassages, name, recording)
    async with open_store(location) as store:
        written = await store.insert_article(article("first"), passages(passage(-1, 4)), ["reef"])
        await store.replace_article(
            written.article.id, article("again"), passages(passage(-1)), ["quay"]
        )
    assert [len(calls) for calls in threads.values()] == [2, 2]
    assert threading.main_thread() not in threads["resolved"] + threads["columns"]
    assert [p.term_ids.tolist() for p in written.passages] == [[1, 4]]


async def test_a_re_index_is_refused_when_the_library_changed_meanwhile(location: str) -> None:
    """replace_index writes nothing if the settings or the articles are no longer as read."""
    async with open_store(location) as store:
        first = (await store.insert_article(article("one"), passages(passage()), ["t"])).article
        old = await store.get_settings(["analyzer"])
        stale = await store.replace_index({"analyzer": "other"}, {"analyzer": "x"}, [], [])
        missing = await store.replace_index(old, {"analyzer": "x"}, [], [])  # article 1 unseen
        rebuilt = [(first.id, "c", passages(passage(1)))]
        done = await store.replace_index(old, {"analyzer": "x"}, [(1, "u")], rebuilt)
        settings = await store.get_settings(["analyzer", "passages"])
        vocabulary = await store.load_vocabulary()
    assert (stale, missing, done) == (False, False, True)
    assert settings == {"analyzer": "x", "passages": None}
    assert vocabulary == {"u": 1}


async def test_the_same_content_again_is_reported_and_writes_nothing(location: str) -> None:
    """A duplicate found inside the transaction: the stored article back, no new rows."""
    async with open_store(location) as store:
        first = await store.insert_article(article("same"), passages(passage()), ["term"])
        again = await store.insert_article(article("same"), passages(passage()), ["other"])
        vocabulary = await store.load_vocabulary()
        ids, _, _ = await postings(store, "c")
    assert again.duplicate
    assert again.article == first.article
    assert vocabulary == {"term": 1}
    assert ids == first.passage_ids


async def test_a_write_waiting_too_long_for_another_process_is_busy(location: str) -> None:
    """Past the busy timeout a write fails with one clear line; once free, it succeeds."""
    with short_busy_timeout(0.2):
        async with open_store(location) as store:
            async with holding_the_write_lock(location):  # another process, writing
                with pytest.raises(BusyError, match=r"^the library is busy: another process"):
                    await store.insert_article(article("one"), passages(passage()), ["t"])
            written = await store.insert_article(article("one"), passages(passage()), ["t"])
    assert written.article.id == 1


async def test_each_write_records_what_it_removed_added_and_created(location: str) -> None:
    """Add, refresh (replace), remove and re-index each leave one change, in commit order."""
    async with open_store(location) as store:
        first = await store.insert_article(article("one"), passages(passage(-1)), ["ship"])
        second = await store.replace_article(1, article("two"), passages(passage(1, -1)), ["quay"])
        _, removed = await store.delete_article("c", 1)
        rebuilt = await store.replace_index({"passages": None}, {"passages": "p"}, [], [])
        changes = await store.changes_since(0)
        latest = await store.latest_change()
    assert rebuilt
    assert latest == 4
    assert changes is not None
    assert [(c.seq, c.collection) for c in changes] == [(1, "c"), (2, "c"), (3, "c"), (4, None)]
    assert (changes[0].removed, changes[0].added, changes[0].terms) == (
        [],
        first.passage_ids,
        [1],
    )
    assert (changes[1].removed, changes[1].added, changes[1].terms) == (
        first.passage_ids,
        second.passage_ids,
        [2],
    )
    assert (changes[2].removed, changes[2].added) == (removed, [])


async def test_a_duplicate_or_a_failed_write_records_nothing(location: str) -> None:
    """No change without a committed write: a duplicate wrote nothing, a rolled back write
    left nothing."""
    async with open_store(location) as store:
        await store.insert_article(article("one"), passages(passage(-1)), ["ship"])
        duplicate = await store.insert_article(article("one"), passages(passage(-1)), ["ship"])
        bad = NewPassage(0, 4, [(0, 4)], np.array([-3], np.int32), np.ones(1, np.int32))
        with pytest.raises(IndexError):  # a provisional id with no new term: rolled back
            await store.insert_article(article("two"), passages(bad), ["quay"])
        assert duplicate.duplicate
        assert await store.latest_change() == 1
        assert [c.seq for c in await store.changes_since(0) or []] == [1]


async def test_the_log_since_the_newest_change_is_empty(location: str) -> None:
    async with open_store(location) as store:
        assert await store.changes_since(0) == []
        await store.insert_article(article("one"), passages(passage(-1)), ["ship"])
        assert await store.changes_since(1) == []


async def test_a_reader_ahead_of_the_log_is_told_to_reload(location: str) -> None:
    """A number the log never reached (the file was replaced by an older copy) is None."""
    async with open_store(location) as store:
        await store.insert_article(article("one"), passages(passage(-1)), ["ship"])
        assert await store.changes_since(5) is None


async def test_another_connections_commit_changes_the_version(location: str) -> None:
    """The cheap test before each question: unchanged while nobody writes, changed once
    another connection (as another process would) commits."""
    async with open_store(location) as mine, open_store(location) as theirs:
        before = await mine.version()
        await mine.list_articles("c")
        assert await mine.version() == before
        await theirs.insert_article(article("two"), passages(passage(-1)), ["quay"])
        await version_changes(mine, before)


async def test_postings_and_terms_are_read_by_id(location: str) -> None:
    """Only the passages asked for (of this collection, still stored) and the terms asked for."""
    async with open_store(location) as store:
        a = await store.insert_article(article("one"), passages(passage(-1)), ["ship"])
        b = await store.insert_article(article("two", "d"), passages(passage(-1)), ["quay"])
        ids, terms, counts = await store.get_postings("c", [*a.passage_ids, *b.passage_ids, 99])
        assert ids == a.passage_ids
        assert np.frombuffer(terms[0], "<i4").tolist() == [1]
        assert np.frombuffer(counts[0], "<i4").tolist() == [2]
        assert sorted(await store.get_terms([2, 1])) == [(1, "ship"), (2, "quay")]


_OPEN_AT = """
import asyncio, sys, time
from index.store import open_store

async def main():
    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
    async with open_store(sys.argv[1]):
        pass

asyncio.run(main())
"""


def test_processes_opening_a_new_library_at_once_migrate_it_once(location: str) -> None:
    """Six processes open a library that does not exist yet at the same moment: all succeed."""
    path = location
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
    backend = "postgres" if is_postgres(location) else "sqlite"
    version = (
        "SELECT version FROM citebot_schema" if is_postgres(location) else "PRAGMA user_version"
    )
    assert query(location, version) == [(len(numbered_scripts(backend)),)]


def failed(attempts: int, retry_at: str | None) -> FeedEntry:
    return FeedEntry("a", "https://e.org/a", None, "404", attempts, retry_at)


async def test_a_feed_entry_is_claimed_by_one_poller_and_again_only_when_due(
    location: str,
) -> None:
    """A new entry is claimed once; a failed one again once its retry is due (and then by
    one poller only); an added or given-up entry never again."""
    async with open_store(location) as store:
        feed = await store.add_feed("c", "https://e.org/feed.xml", None, None)
        hold, past = now(3600), now(-60)
        assert await store.claim_entry(feed.id, "a", "https://e.org/a", hold)
        assert not await store.claim_entry(feed.id, "a", "https://e.org/a", hold)  # held
        await store.record_entry(feed.id, failed(1, now(600)))
        assert not await store.claim_entry(feed.id, "a", "https://e.org/a", hold)  # waiting
        await store.record_entry(feed.id, failed(1, past))
        assert await store.claim_entry(feed.id, "a", "https://e.org/a", hold)  # due
        assert not await store.claim_entry(feed.id, "a", "https://e.org/a", hold)
        await store.record_entry(feed.id, failed(8, None))
        assert not await store.claim_entry(feed.id, "a", "https://e.org/a", past)  # given up
        [entry] = await store.list_entries(feed.id)
    assert (entry.key, entry.error, entry.attempts, entry.retry_at) == ("a", "404", 8, None)


async def test_a_feeds_validators_are_kept_until_it_is_read_in_full_again(location: str) -> None:
    """record_poll keeps the ETag and Last-Modified it is given, and keeps them when given
    none (an unchanged feed, or a failed poll)."""
    async with open_store(location) as store:
        feed = await store.add_feed("c", "https://e.org/feed.xml", "Feed", None)
        await store.record_poll(feed.id, None, None, ('"v1"', "Wed, 02 Dec 2026 10:00:00 GMT"))
        await store.record_poll(feed.id, None, "the server answered 500")
        [kept] = await store.list_feeds("c")
        await store.record_poll(feed.id, None, None, ('"v2"', None))
        [replaced] = await store.list_feeds("c")
    assert (kept.etag, kept.last_modified, kept.title) == (
        '"v1"',
        "Wed, 02 Dec 2026 10:00:00 GMT",
        "Feed",
    )
    assert (replaced.etag, replaced.last_modified) == ('"v2"', None)


async def _library_before_feed_retries(location: str) -> None:
    """A library written before feed entries were retried (SQLite 0005, PostgreSQL 0001),
    with one entry that failed and one whose article was removed."""
    backend = "postgres" if is_postgres(location) else "sqlite"
    scripts = numbered_scripts(backend)[: 1 if backend == "postgres" else 5]
    rows = (
        "INSERT INTO feeds (collection, url, added_at) VALUES ('c', 'https://e.org/f', 'x');"
        "INSERT INTO feed_entries (feed_id, entry_key, url, error, seen_at) VALUES"
        " (1, 'failed', 'https://e.org/a', '404', '2026-12-01'),"
        " (1, 'removed', 'https://e.org/b', NULL, '2026-12-01');"
    )
    if backend == "sqlite":
        with sqlite3.connect(location) as db:
            for _, script in scripts:
                db.executescript(script)
            db.executescript(rows + f"PRAGMA user_version = {len(scripts)};")
        return
    conn = await asyncpg.connect(location)
    try:
        await conn.execute("CREATE TABLE citebot_schema (version INTEGER NOT NULL)")
        await conn.execute("INSERT INTO citebot_schema VALUES (1)")
        await conn.execute(scripts[0][1])
        await conn.execute(rows)
    finally:
        await conn.close()


async def test_entries_that_failed_before_the_upgrade_are_tried_again(location: str) -> None:
    """The migration gives an entry that failed before (dropped for good then) a try at the
    next poll, and leaves an entry whose article was removed alone."""
    await _library_before_feed_retries(location)
    async with open_store(location) as store:
        entries = {e.key: e for e in await store.list_entries(1)}
        assert await store.claim_entry(1, "failed", "https://e.org/a", now(3600))
        assert not await store.claim_entry(1, "removed", "https://e.org/b", now(3600))
    assert (entries["failed"].attempts, entries["failed"].retry_at) == (1, "2026-12-01")
    assert (entries["removed"].attempts, entries["removed"].retry_at) == (0, None)

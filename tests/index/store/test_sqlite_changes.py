"""The SQLite change log: every write that changes passages records it, in its transaction."""

from pathlib import Path

import numpy as np
import pytest

from index.store import SQLiteStore
from index.store.base import NewArticle, NewPassage


def _article(text: str, collection: str = "c") -> NewArticle:
    return NewArticle(collection=collection, title=None, text=text, content_hash=text)


def _passage(*term_ids: int) -> NewPassage:
    ids = np.array(term_ids, np.int32)
    return NewPassage(0, 4, [(0, 4)], ids, np.ones(ids.size, np.int32))


async def test_each_write_records_what_it_removed_added_and_created(tmp_path: Path) -> None:
    """Add, refresh (replace), remove and re-index each leave one change, in commit order."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        first = await store.insert_article(_article("one"), [_passage(-1)], ["ship"])
        second = await store.replace_article(1, _article("two"), [_passage(1, -1)], ["quay"])
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


async def test_a_duplicate_or_a_failed_write_records_nothing(tmp_path: Path) -> None:
    """No change without a committed write: a duplicate wrote nothing, a rolled back write
    left nothing."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        await store.insert_article(_article("one"), [_passage(-1)], ["ship"])
        duplicate = await store.insert_article(_article("one"), [_passage(-1)], ["ship"])
        bad = NewPassage(0, 4, [(0, 4)], np.array([-3], np.int32), np.ones(1, np.int32))
        with pytest.raises(IndexError):  # a provisional id with no new term: rolled back
            await store.insert_article(_article("two"), [bad], ["quay"])
        assert duplicate.duplicate
        assert await store.latest_change() == 1
        assert [c.seq for c in await store.changes_since(0) or []] == [1]


async def test_the_log_since_the_newest_change_is_empty(tmp_path: Path) -> None:
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        assert await store.changes_since(0) == []
        await store.insert_article(_article("one"), [_passage(-1)], ["ship"])
        assert await store.changes_since(1) == []


async def test_a_reader_ahead_of_the_log_is_told_to_reload(tmp_path: Path) -> None:
    """A number the log never reached (the file was replaced by an older copy) is None."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        await store.insert_article(_article("one"), [_passage(-1)], ["ship"])
        assert await store.changes_since(5) is None


async def test_another_connections_commit_changes_the_version(tmp_path: Path) -> None:
    """The cheap test: unchanged by reading or by one's own writes, changed by another's."""
    path = tmp_path / "lib.db"
    async with SQLiteStore.open(path) as mine, SQLiteStore.open(path) as theirs:
        before = await mine.version()
        await mine.insert_article(_article("one"), [_passage(-1)], ["ship"])
        await mine.list_articles("c")
        assert await mine.version() == before
        await theirs.insert_article(_article("two"), [_passage(-1)], ["quay"])
        assert await mine.version() != before


async def test_postings_and_terms_are_read_by_id(tmp_path: Path) -> None:
    """Only the passages asked for (of this collection, still stored) and the terms asked for."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        a = await store.insert_article(_article("one"), [_passage(-1)], ["ship"])
        b = await store.insert_article(_article("two", "d"), [_passage(-1)], ["quay"])
        ids, terms, counts = await store.get_postings("c", [*a.passage_ids, *b.passage_ids, 99])
        assert ids == a.passage_ids
        assert np.frombuffer(terms[0], "<i4").tolist() == [1]
        assert np.frombuffer(counts[0], "<i4").tolist() == [1]
        assert sorted(await store.get_terms([2, 1])) == [(1, "ship"), (2, "quay")]

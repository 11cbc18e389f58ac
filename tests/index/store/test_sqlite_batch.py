"""A batch of articles written to SQLite with a few statements whatever its size
(`sqlite_batch`), each article given its own passages."""

from pathlib import Path
from typing import Any

import pytest

from index.store import SQLiteStore
from index.store.base import Articles
from index.store.sqlite_batch import NEW_PASSAGE_IDS
from tests.helpers.records import article, passage, passages


def _batch(n: int, start: int = 0, collection: str = "c") -> Articles:
    """`n` articles, the i-th with i % 3 + 1 passages."""
    return [
        (article(f"text {i}", collection), passages(*[passage()] * (i % 3 + 1)))
        for i in range(start, start + n)
    ]


async def _statements(
    store: SQLiteStore, articles: Articles, monkeypatch: pytest.MonkeyPatch
) -> int:
    """The statements (`execute` and `executemany` calls: each a hop to aiosqlite's thread)
    made to write `articles` in one batch."""
    calls: list[str] = []
    db = store._db
    for name in ("execute", "executemany"):
        method = getattr(db, name)

        def counted(sql: str, *args: Any, method: Any = method) -> Any:
            calls.append(sql)
            return method(sql, *args)

        monkeypatch.setattr(db, name, counted)
    await store.insert_articles(articles, ["x"])
    monkeypatch.undo()
    return len(calls)


async def test_a_batch_takes_as_many_statements_for_forty_articles_as_for_four(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statements of a batch do not grow with its articles."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        few = await _statements(store, _batch(4), monkeypatch)
        many = await _statements(store, _batch(40, start=4), monkeypatch)
    assert many == few


async def test_each_article_of_a_batch_is_given_its_own_passages(tmp_path: Path) -> None:
    """Passage ids come back for the right article, in order, after a gap left by a deleted
    article and beside articles of another collection and a duplicate."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        first = await store.insert_articles(_batch(3), ["x"])
        await store.delete_article("c", first[-1].article.id)  # the largest ids, never given again
        batch = [*_batch(5, start=10), *_batch(2, start=20, collection="d"), _batch(1, 11)[0]]
        written = await store.insert_articles(batch, ["x"])
        for w in written[:-1]:
            stored = await store.get_passages(w.article.collection, w.passage_ids)
            assert [stored[i].article.id for i in w.passage_ids] == [w.article.id] * len(
                w.passage_ids
            )
            assert w.passage_ids == sorted(w.passage_ids)
            assert len(w.passage_ids) == w.article.passages
        assert [len(w.passage_ids) for w in written] == [2, 3, 1, 2, 3, 3, 1, 0]
        assert written[-1].duplicate and written[-1].article == written[1].article
        assert min(written[0].passage_ids) > max(first[-1].passage_ids)


async def test_the_new_passages_ids_are_read_through_the_article_index(tmp_path: Path) -> None:
    """Reading back a batch's passage ids searches the index on article_id: it does not scan
    every passage of the library."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        rows = await store._db.execute_fetchall(f"EXPLAIN QUERY PLAN {NEW_PASSAGE_IDS}", (0,))
    plan = " ".join(str(row[-1]) for row in rows)
    assert "SEARCH passages USING COVERING INDEX passages_article" in plan
    assert "SCAN" not in plan

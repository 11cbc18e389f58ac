"""A batch of articles written to SQLite with a few statements whatever its size
(`sqlite_batch`)."""

from pathlib import Path
from typing import Any

import pytest

from index.store import SQLiteStore
from index.store.base import Articles
from index.store.sqlite_batch import NEW_PASSAGE_IDS
from tests.helpers.records import batch


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
        few = await _statements(store, batch(4), monkeypatch)
        many = await _statements(store, batch(40, start=4), monkeypatch)
    assert many == few


async def test_the_new_passages_ids_are_read_through_the_article_index(tmp_path: Path) -> None:
    """Reading back a batch's passage ids searches the index on article_id: it does not scan
    every passage of the library."""
    async with SQLiteStore.open(tmp_path / "lib.db") as store:
        rows = await store._db.execute_fetchall(f"EXPLAIN QUERY PLAN {NEW_PASSAGE_IDS}", (0,))
    plan = " ".join(str(row[-1]) for row in rows)
    assert "SEARCH passages USING COVERING INDEX passages_article" in plan
    assert "SCAN" not in plan

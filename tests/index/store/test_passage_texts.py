"""Each passage's text and its heading's are stored with it (SQLite migration 0010,
PostgreSQL 0006), so that reading candidates reads no article's text; passages stored without
them are read from their article's text, and the migration fills them in."""

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np

from index.store import Store, is_postgres, open_store
from index.store.columns import NewPassage, NewPassages
from index.store.migrations import numbered_scripts
from tests.helpers.databases import query
from tests.helpers.records import article

TEXT = "Harbours\n\nThe keeper climbed the spiral stairs. Every evening at dusk."


def _passages() -> NewPassages:
    """Two passages of `TEXT`, the second under the heading "Harbours"."""
    ids, counts = np.array([1], np.int32), np.array([1], np.int32)
    return NewPassages.of(
        [
            NewPassage(10, 45, [(10, 45)], ids, counts),
            NewPassage(46, 67, [(46, 67)], ids, counts, heading=(0, 8)),
        ]
    )


async def _sql(location: str, sql: str) -> list[tuple[Any, ...]]:
    """`query`, from a test's event loop (PostgreSQL's runs one of its own)."""
    return await asyncio.to_thread(query, location, sql)


async def _ids(location: str) -> list[int]:
    return [row[0] for row in await _sql(location, "SELECT id FROM passages ORDER BY id")]


async def _read(store: Store, location: str) -> list[tuple[str, str | None]]:
    ids = await _ids(location)
    found = await store.get_passages("c", ids)
    return [(found[i].text, found[i].heading) for i in ids]


async def _stored(location: str) -> None:
    async with open_store(location) as store:
        await store.insert_article(article(TEXT), _passages(), ["keeper"])


EXPECTED = [(TEXT[10:45], None), (TEXT[46:67], "Harbours")]


async def test_a_passage_is_read_with_the_text_stored_with_it(location: str) -> None:
    """Its article's text is not read: changed behind the library's back, the passages are
    read as they were stored."""
    await _stored(location)
    await _sql(location, "UPDATE articles SET text = upper(text)")
    async with open_store(location) as store:
        assert await _read(store, location) == EXPECTED


async def test_a_passage_stored_without_its_text_is_read_from_its_article(location: str) -> None:
    await _stored(location)
    await _sql(location, "UPDATE passages SET text = NULL, heading = NULL")
    async with open_store(location) as store:
        assert await _read(store, location) == EXPECTED


async def test_the_reader_of_answers_reads_the_stored_text(tmp_path: Path) -> None:
    """The synchronous reader of the compute thread (SQLite) reads the same as the store."""
    location = str(tmp_path / "lib.db")
    await _stored(location)
    await _sql(location, "UPDATE articles SET text = upper(text)")
    async with open_store(location) as store:
        reader = store.reader()
        assert reader is not None
        ids = await _ids(location)
        found = reader.passages("c", ids)
    assert [(found[i].text, found[i].heading) for i in ids] == EXPECTED


async def _before_passage_texts(location: str) -> None:
    """A library as citebot wrote it before the passages' texts were stored."""
    backend = "postgres" if is_postgres(location) else "sqlite"
    number = next(n for n, sql in numbered_scripts(backend) if "ADD COLUMN heading TEXT" in sql)
    await _stored(location)
    if backend == "sqlite":
        with sqlite3.connect(location) as db:
            db.executescript(
                "DROP INDEX articles_info; ALTER TABLE passages DROP COLUMN text;"
                f" ALTER TABLE passages DROP COLUMN heading; PRAGMA user_version = {number - 1};"
            )
        return
    conn = await asyncpg.connect(location)
    try:
        await conn.execute(
            "ALTER TABLE passages DROP COLUMN text; ALTER TABLE passages DROP COLUMN heading;"
            f" UPDATE citebot_schema SET version = {number - 1}"
        )
    finally:
        await conn.close()


async def test_the_migration_fills_in_the_texts_of_older_passages(location: str) -> None:
    await _before_passage_texts(location)
    async with open_store(location):
        pass
    rows = await _sql(location, "SELECT text, heading FROM passages ORDER BY id")
    assert rows == EXPECTED

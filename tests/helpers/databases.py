"""Reading a test library's tables directly, whichever backend holds it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from unittest import mock

import asyncpg

from index.store import Store, is_postgres, postgres, sqlite_access
from index.store.postgres_schema import WRITE_LOCK


def query(location: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of `sql` (plain SQL both backends understand), from outside the library."""
    if not is_postgres(location):
        with sqlite3.connect(location) as db:
            return db.execute(sql).fetchall()

    async def fetch() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(location)
        try:
            return [tuple(row) for row in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(fetch())


@contextmanager
def short_busy_timeout(seconds: float) -> Iterator[None]:
    """Stores opened meanwhile wait `seconds`, not 10 s, for another process's write."""
    with (
        mock.patch.object(sqlite_access, "BUSY_TIMEOUT", seconds),
        mock.patch.object(postgres, "BUSY_TIMEOUT", seconds),
    ):
        yield


@asynccontextmanager
async def holding_the_write_lock(location: str) -> AsyncIterator[None]:
    """Another connection (as another process would) holds the library's write lock."""
    if is_postgres(location):
        conn = await asyncpg.connect(location)
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", WRITE_LOCK)
            yield
        finally:
            await conn.close()
        return
    other = sqlite3.connect(location, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def version_changes(store: Store, before: int, within: float = 5.0) -> None:
    """Wait until the store's version differs from `before`: at once with SQLite (it reads
    `data_version`), when the notification arrives with PostgreSQL (normally well within a
    millisecond of the commit). Fails past `within` seconds."""
    async with asyncio.timeout(within):
        while await store.version() == before:  # noqa: ASYNC110 (a value, not an event)
            await asyncio.sleep(0.001)

"""A batch of articles written to PostgreSQL with a few statements whatever its size
(`postgres_batch`)."""

from typing import Any

import asyncpg
import pytest

from index.store.base import Articles
from index.store.postgres import PostgresStore
from tests.helpers.postgres import PostgresServer
from tests.helpers.records import batch

_METHODS = ("execute", "executemany", "fetch", "fetchrow", "fetchval", "copy_records_to_table")


async def _statements(
    store: PostgresStore, articles: Articles, monkeypatch: pytest.MonkeyPatch
) -> int:
    """The statements (each a round trip to the server) made to write `articles` in one
    batch, the transaction's own included."""
    calls: list[str] = []
    for name in _METHODS:
        method = getattr(asyncpg.Connection, name)

        async def counted(conn: Any, *args: Any, method: Any = method, **kwargs: Any) -> Any:
            calls.append(str(args[0]))
            return await method(conn, *args, **kwargs)

        monkeypatch.setattr(asyncpg.Connection, name, counted)
    await store.insert_articles(articles, ["x"])
    monkeypatch.undo()
    return len(calls)


async def test_a_batch_takes_as_many_statements_for_forty_articles_as_for_four(
    postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statements of a batch do not grow with its articles."""
    async with PostgresStore.open(postgres.new_database()) as store:
        few = await _statements(store, batch(4), monkeypatch)
        many = await _statements(store, batch(40, start=4), monkeypatch)
    assert many == few

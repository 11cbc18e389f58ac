"""Feeds in PostgreSQL: the feeds registered for each collection and the entries already seen
(mixed into `PostgresStore`, whose connections and transactions they use)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import astuple
from typing import TYPE_CHECKING

import asyncpg

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

from index.errors import NotFoundError
from index.guilds import Shards, guild_of
from index.store.base import FeedEntry, FeedInfo, Validators, now

if TYPE_CHECKING:
    Conn = PoolConnectionProxy[asyncpg.Record]  # a connection taken from the pool

_FEED_COLUMNS = (
    "f.id, f.collection, f.url, f.title, f.added_by, f.added_at, f.last_polled, f.last_error,"
    " (SELECT count(*) FROM feed_entries e WHERE e.feed_id = f.id),"
    " (SELECT count(article_id) FROM feed_entries e WHERE e.feed_id = f.id),"
    " f.etag, f.last_modified"
)


async def register(conn: Conn, collection: str) -> None:
    """Keep the collection, with the server id it carries (inside the caller's transaction)."""
    await conn.execute(
        "INSERT INTO collections (name, guild_id) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        collection,
        guild_of(collection),
    )


class PostgresFeeds:
    """The feed half of the PostgreSQL store."""

    _fetch: Callable[..., Awaitable[list[asyncpg.Record]]]
    _transaction: Callable[[], AbstractAsyncContextManager[Conn]]

    async def add_feed(
        self, collection: str, url: str, title: str | None, added_by: str | None
    ) -> FeedInfo:
        """Register a feed; an already registered URL returns the existing feed."""
        async with self._transaction() as conn:
            await register(conn, collection)
            await conn.execute(
                "INSERT INTO feeds (collection, url, title, added_by, added_at)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (collection, url) DO NOTHING",
                collection,
                url,
                title,
                added_by,
                now(),
            )
        return next(f for f in await self.list_feeds(collection) if f.url == url)

    async def list_feeds(
        self, collection: str | None = None, shards: Shards | None = None
    ) -> list[FeedInfo]:
        """The feeds of a collection (or of every one), of the servers on `shards` only."""
        where, params = ["true"], list[object]()
        if collection:
            params.append(collection)
            where.append(f"f.collection = ${len(params)}")
        if shards:
            params += [shards.count, sorted(shards.ids)]
            where.append(
                "f.collection IN (SELECT name FROM collections WHERE guild_id IS NOT NULL"
                f" AND (guild_id >> 22) % ${len(params) - 1} = ANY(${len(params)}::int[]))"
            )
        rows = await self._fetch(
            f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE {' AND '.join(where)} ORDER BY f.id",
            *params,
        )
        return [FeedInfo(*row) for row in rows]

    async def remove_feed(self, collection: str, feed_id: int) -> FeedInfo:
        feeds = [f for f in await self.list_feeds(collection) if f.id == feed_id]
        if not feeds:
            raise NotFoundError(f"there is no feed {feed_id} in the library {collection!r}")
        async with self._transaction() as conn:
            await conn.execute("DELETE FROM feeds WHERE id = $1", feed_id)
        return feeds[0]

    async def seen_entries(self, feed_id: int) -> set[str]:
        rows = await self._fetch("SELECT entry_key FROM feed_entries WHERE feed_id = $1", feed_id)
        return {row[0] for row in rows}

    async def list_entries(self, feed_id: int) -> list[FeedEntry]:
        rows = await self._fetch(
            "SELECT entry_key, url, article_id, error, attempts, retry_at FROM feed_entries"
            " WHERE feed_id = $1 ORDER BY seen_at, ctid",
            feed_id,
        )
        return [FeedEntry(*row) for row in rows]

    async def claim_entry(self, feed_id: int, key: str, url: str | None, hold: str) -> bool:
        async with self._transaction() as conn:
            claimed = await conn.fetchval(
                "INSERT INTO feed_entries (feed_id, entry_key, url, seen_at, retry_at)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (feed_id, entry_key) DO UPDATE"
                " SET retry_at = excluded.retry_at"
                " WHERE feed_entries.retry_at IS NOT NULL AND feed_entries.retry_at <= $4"
                " RETURNING true",
                feed_id,
                key,
                url,
                now(),
                hold,
            )
        return bool(claimed)

    async def record_entry(self, feed_id: int, entry: FeedEntry) -> None:
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO feed_entries (feed_id, entry_key, url, article_id, error, attempts,"
                " retry_at, seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                " ON CONFLICT (feed_id, entry_key) DO UPDATE"
                " SET url = excluded.url, article_id = excluded.article_id,"
                " error = excluded.error, seen_at = excluded.seen_at,"
                " attempts = excluded.attempts, retry_at = excluded.retry_at",
                feed_id,
                *astuple(entry),
                now(),
            )

    async def record_poll(
        self,
        feed_id: int,
        title: str | None,
        error: str | None,
        validators: Validators | None = None,
    ) -> None:
        etag, modified = validators or (None, None)
        async with self._transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET last_polled = $1, last_error = $2, title = coalesce($3, title),"
                " etag = CASE WHEN $4 THEN $5 ELSE etag END,"
                " last_modified = CASE WHEN $4 THEN $6 ELSE last_modified END WHERE id = $7",
                now(),
                error,
                title,
                validators is not None,
                etag,
                modified,
                feed_id,
            )

"""Feeds in SQLite: the feeds registered for each collection and the entries already seen
(mixed into `SQLiteStore`, whose connection and transactions they use)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import astuple

import aiosqlite

from index.errors import NotFoundError
from index.guilds import Shards, guild_of
from index.store.base import FeedEntry, FeedInfo, Validators, now

_FEED_COLUMNS = (
    "f.id, f.collection, f.url, f.title, f.added_by, f.added_at, f.last_polled, f.last_error,"
    " (SELECT count(*) FROM feed_entries e WHERE e.feed_id = f.id),"
    " (SELECT count(article_id) FROM feed_entries e WHERE e.feed_id = f.id),"
    " f.etag, f.last_modified"
)


async def register(db: aiosqlite.Connection, collection: str) -> None:
    """Keep the collection, with the server id it carries (inside the caller's transaction)."""
    await db.execute(
        "INSERT INTO collections (name, guild_id) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        (collection, guild_of(collection)),
    )


class SQLiteFeeds:
    """The feed half of the SQLite store."""

    _db: aiosqlite.Connection

    _transaction: Callable[[], AbstractAsyncContextManager[aiosqlite.Connection]]

    async def add_feed(
        self, collection: str, url: str, title: str | None, added_by: str | None
    ) -> FeedInfo:
        """Register a feed; an already registered URL returns the existing feed."""
        async with self._transaction() as db:
            await register(db, collection)
            await db.execute(
                "INSERT INTO feeds (collection, url, title, added_by, added_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (collection, url) DO NOTHING",
                (collection, url, title, added_by, now()),
            )
        feeds = [f for f in await self.list_feeds(collection) if f.url == url]
        return feeds[0]

    async def list_feeds(
        self, collection: str | None = None, shards: Shards | None = None
    ) -> list[FeedInfo]:
        """The feeds of a collection (or of every one), of the servers on `shards` only."""
        where, params = ["1"], list[object]()
        if collection:
            where.append("f.collection = ?")
            params.append(collection)
        if shards:
            marks = ",".join("?" * len(shards.ids))
            where.append(
                "f.collection IN (SELECT name FROM collections"
                f" WHERE guild_id IS NOT NULL AND (guild_id >> 22) % ? IN ({marks}))"
            )
            params += [shards.count, *sorted(shards.ids)]
        async with self._db.execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE {' AND '.join(where)} ORDER BY f.id",
            params,
        ) as cursor:
            return [FeedInfo(*row) for row in await cursor.fetchall()]

    async def remove_feed(self, collection: str, feed_id: int) -> FeedInfo:
        feeds = [f for f in await self.list_feeds(collection) if f.id == feed_id]
        if not feeds:
            raise NotFoundError(f"there is no feed {feed_id} in the library {collection!r}")
        async with self._transaction() as db:
            await db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return feeds[0]

    async def seen_entries(self, feed_id: int) -> set[str]:
        async with self._db.execute(
            "SELECT entry_key FROM feed_entries WHERE feed_id = ?", (feed_id,)
        ) as cursor:
            return {row[0] for row in await cursor.fetchall()}

    async def list_entries(self, feed_id: int) -> list[FeedEntry]:
        async with self._db.execute(
            "SELECT entry_key, url, article_id, error, attempts, retry_at FROM feed_entries"
            " WHERE feed_id = ? ORDER BY seen_at, rowid",
            (feed_id,),
        ) as cursor:
            return [FeedEntry(*row) for row in await cursor.fetchall()]

    async def claim_entry(self, feed_id: int, key: str, url: str | None, hold: str) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO feed_entries (feed_id, entry_key, url, seen_at, retry_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (feed_id, entry_key) DO UPDATE"
                " SET retry_at = excluded.retry_at"
                " WHERE feed_entries.retry_at IS NOT NULL AND feed_entries.retry_at <= ?",
                (feed_id, key, url, now(), hold, now()),
            )
            return cursor.rowcount == 1

    async def record_entry(self, feed_id: int, entry: FeedEntry) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR REPLACE INTO feed_entries (feed_id, entry_key, url, article_id,"
                " error, attempts, retry_at, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (feed_id, *astuple(entry), now()),
            )

    async def record_poll(
        self,
        feed_id: int,
        title: str | None,
        error: str | None,
        validators: Validators | None = None,
    ) -> None:
        etag, modified = validators or (None, None)
        async with self._transaction() as db:
            await db.execute(
                "UPDATE feeds SET last_polled = ?, last_error = ?, title = coalesce(?, title),"
                " etag = CASE WHEN ? THEN ? ELSE etag END,"
                " last_modified = CASE WHEN ? THEN ? ELSE last_modified END WHERE id = ?",
                (
                    now(),
                    error,
                    title,
                    validators is not None,
                    etag,
                    validators is not None,
                    modified,
                    feed_id,
                ),
            )

"""The SQLite store through aiosqlite: one object owns the connection.

WAL mode; numbered migrations (``migrations/sqlite/NNNN_*.sql``) applied at start-up inside one
transaction each, the version kept in ``PRAGMA user_version``. Writes that belong together (an
article and its passages, new vocabulary terms) are one transaction, serialised by a lock, because
aiosqlite runs every coroutine's statements on one thread without isolating them.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from index.errors import BusyError, NotFoundError
from index.store.base import (
    ArticleInfo,
    Articles,
    Change,
    IdTerms,
    NewArticle,
    Passages,
    PostingsBatch,
    Rebuilt,
    SettingsRead,
    StoredArticle,
    StoredPassage,
    Terms,
    Written,
)
from index.store.batches import Inserted, one_by_one, write_articles
from index.store.columns import mapping
from index.store.sqlite_access import connect
from index.store.sqlite_batch import (
    INSERT_ARTICLE,
    INSERT_PASSAGES,
    article_row,
    find_all,
    insert_all,
)
from index.store.sqlite_changes import latest, record, select_in, since
from index.store.sqlite_community import SQLiteCommunity
from index.store.sqlite_feeds import SQLiteFeeds, register
from index.store.sqlite_images import SQLiteImages
from index.store.sqlite_reader import ARTICLE_COLUMNS, PASSAGES, SQLiteReader, passage_rows
from index.store.sqlite_schema import prepare

log = logging.getLogger(__name__)

_ARTICLE_COLUMNS = ARTICLE_COLUMNS


async def _term_ids(db: aiosqlite.Connection, terms: Terms) -> list[tuple[int, str]]:
    """Ids for `terms`, in order: stored ones as they are (another process may just have added
    them), the others given now. Called inside the writing transaction."""
    await db.executemany(
        "INSERT INTO terms (term) VALUES (?) ON CONFLICT (term) DO NOTHING", [(t,) for t in terms]
    )
    rows = await select_in(db, "SELECT term, id FROM terms WHERE term IN ({marks})", terms)
    ids = dict(rows)
    return [(ids[term], term) for term in terms]


def _article(row: sqlite3.Row | tuple[Any, ...]) -> ArticleInfo:
    return ArticleInfo(*row[:11])


class SQLiteStore(SQLiteFeeds, SQLiteCommunity, SQLiteImages):
    """The database in one SQLite file (see `base.Store` for what each method promises)."""

    def __init__(self, db: aiosqlite.Connection, path: Path, *, read_only: bool = False) -> None:
        self._db = db
        self.path = path
        self.location = str(path)
        self.read_only = read_only
        self._write_lock = asyncio.Lock()
        self._reader: SQLiteReader | None = None

    @classmethod
    @asynccontextmanager
    async def open(
        cls, path: str | Path, *, create: bool = True, writable: bool = True
    ) -> AsyncIterator[SQLiteStore]:
        """Open and migrate the database at `path`, creating it (and its folder) if `create`;
        else a missing file is a NotFoundError and nothing is created. Without write access it
        is a StorageError naming the cause, unless not `writable`: then it is opened read-only
        (not migrated; writes refused with a StorageError). See `sqlite_access`."""
        path = Path(path)
        db, read_only = await connect(path, create=create, writable=writable)
        store = cls(db, path, read_only=read_only)
        try:
            await prepare(db, path, read_only=read_only)
            store._reader = await asyncio.to_thread(SQLiteReader, path, read_only)
            yield store
        finally:
            if store._reader is not None:
                store._reader.close()
            await db.close()

    def reader(self) -> SQLiteReader | None:
        """Synchronous reads for the thread that computes answers (see `sqlite_reader`)."""
        return self._reader

    async def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        async with self._db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            try:
                await self._db.execute("BEGIN IMMEDIATE")  # waits up to BUSY_TIMEOUT
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise BusyError() from exc
                raise
            try:
                yield self._db
            except BaseException:
                await self._db.rollback()
                raise
            await self._db.commit()

    # --- settings --------------------------------------------------------------------------

    async def get_settings(self, keys: Sequence[str]) -> dict[str, str | None]:
        marks = ",".join("?" * len(keys))
        async with self._db.execute(
            f"SELECT key, value FROM meta WHERE key IN ({marks})", list(keys)
        ) as cursor:
            found = {key: str(value) for key, value in await cursor.fetchall()}
        return {key: found.get(key) for key in keys}

    # --- vocabulary ------------------------------------------------------------------------

    async def load_vocabulary(self) -> dict[str, int]:
        async with self._db.execute("SELECT term, id FROM terms") as cursor:
            rows = list(await cursor.fetchall())
        return await asyncio.to_thread(mapping, rows)

    async def get_terms(self, ids: Sequence[int]) -> list[tuple[int, str]]:
        return await select_in(self._db, "SELECT id, term FROM terms WHERE id IN ({marks})", ids)

    # --- changes ---------------------------------------------------------------------------

    async def version(self) -> int:
        if self._reader is not None:  # no hop to aiosqlite's thread: a few microseconds
            return self._reader.version()
        return int(await self._scalar("PRAGMA data_version"))

    async def latest_change(self) -> int:
        return await latest(self._db)

    async def changes_since(self, seq: int) -> list[Change] | None:
        return await since(self._db, seq)

    # --- articles --------------------------------------------------------------------------

    async def find_by_hash(self, collection: str, content_hash: str) -> ArticleInfo | None:
        async with self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE collection = ? AND content_hash = ?",
            (collection, content_hash),
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _article(row)

    async def find_by_url(self, collection: str, url: str) -> ArticleInfo | None:
        async with self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE collection = ? AND url = ?"
            " ORDER BY id LIMIT 1",
            (collection, url),
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None else _article(row)

    async def insert_article(
        self, article: NewArticle, passages: Passages, new_terms: Terms
    ) -> Written:
        return (await self.insert_articles([(article, passages)], new_terms))[0]

    async def insert_articles(self, articles: Articles, new_terms: Terms) -> list[Written]:
        async with self._transaction() as db:

            async def prepare(collections: list[str], terms: Terms) -> IdTerms:
                for collection in collections:
                    await register(db, collection)
                return await _term_ids(db, terms)

            async def insert(items: list[tuple[NewArticle, Passages]]) -> list[Inserted]:
                if len(items) == 1 or any(article.id is not None for article, _ in items):
                    return await one_by_one(items, lambda item: self._insert(db, *item))
                return await insert_all(db, items)

            async def recorded(collection: str, added: list[int], terms: list[int]) -> None:
                await record(db, collection, added=added, terms=terms)

            return await write_articles(
                articles,
                new_terms,
                find=lambda articles: find_all(db, articles),
                prepare=prepare,
                insert=insert,
                record=recorded,
            )

    async def _insert(
        self, db: aiosqlite.Connection, article: NewArticle, passages: Passages
    ) -> tuple[ArticleInfo, list[int]]:
        """Insert an article and its passages (term ids real) inside the caller's transaction."""
        cursor = await db.execute(INSERT_ARTICLE, article_row(article))
        article_id = cursor.lastrowid
        assert article_id is not None
        ids = await self._insert_passages(db, article_id, article.collection, passages)
        return await self.get_article(article.collection, article_id), ids

    @staticmethod
    async def _insert_passages(
        db: aiosqlite.Connection, article_id: int, collection: str, passages: Passages
    ) -> list[int]:
        """Insert an article's passages in one statement; their ids, in order."""
        await db.executemany(
            INSERT_PASSAGES, await asyncio.to_thread(passages.rows, article_id, collection)
        )
        async with db.execute(
            "SELECT id FROM passages WHERE article_id = ? ORDER BY ord", (article_id,)
        ) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def replace_article(
        self, article_id: int, article: NewArticle, passages: Passages, new_terms: Terms
    ) -> Written:
        async with self._transaction() as db:
            await self.get_article(article.collection, article_id)
            async with db.execute(
                "SELECT id FROM passages WHERE article_id = ? ORDER BY id", (article_id,)
            ) as cursor:
                old_ids = [row[0] for row in await cursor.fetchall()]
            terms = await _term_ids(db, new_terms)
            passages = await asyncio.to_thread(passages.resolved, [t for t, _ in terms])
            await db.execute("DELETE FROM passages WHERE article_id = ?", (article_id,))
            await db.execute(
                "UPDATE articles SET title = ?, url = ?, author = ?, published = ?, site = ?,"
                " text = ?, content_hash = ? WHERE id = ?",
                (
                    article.title,
                    article.url,
                    article.author,
                    article.date,
                    article.site,
                    article.text,
                    article.content_hash,
                    article_id,
                ),
            )
            new_ids = await self._insert_passages(db, article_id, article.collection, passages)
            new_term_ids = [term_id for term_id, _ in terms]
            await record(db, article.collection, old_ids, new_ids, new_term_ids)
            info = await self.get_article(article.collection, article_id)
        return Written(info, new_ids, passages, terms, old_ids)

    async def delete_article(
        self, collection: str, article_id: int
    ) -> tuple[ArticleInfo, list[int]]:
        """Delete an article and its passages; returns it and the deleted passage ids."""
        async with self._transaction() as db:
            info = await self.get_article(collection, article_id)
            async with db.execute(
                "SELECT id FROM passages WHERE article_id = ? ORDER BY id", (article_id,)
            ) as cursor:
                passage_ids = [row[0] for row in await cursor.fetchall()]
            await db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            await record(db, collection, removed=passage_ids)
        return info, passage_ids

    async def get_article(self, collection: str, article_id: int) -> ArticleInfo:
        async with self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE collection = ? AND id = ?",
            (collection, article_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise NotFoundError(f"there is no article {article_id} in the library {collection!r}")
        return _article(row)

    async def get_text(self, article_id: int) -> str:
        return str(await self._scalar("SELECT text FROM articles WHERE id = ?", (article_id,)))

    async def list_collections(self) -> list[str]:
        async with self._db.execute("SELECT name FROM collections ORDER BY name") as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def list_articles(self, collection: str) -> list[ArticleInfo]:
        async with self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE collection = ? ORDER BY id",
            (collection,),
        ) as cursor:
            return [_article(row) for row in await cursor.fetchall()]

    # --- passages --------------------------------------------------------------------------

    async def load_postings(
        self, collection: str, batch: int = 2_000
    ) -> AsyncIterator[PostingsBatch]:
        """Every passage of a collection as batches of (ids, term id blobs, term count blobs).

        A batch is read by aiosqlite's thread while the last is grouped by another, and each
        holds the GIL for a batch's rows at a time: with 10,000 rows the event loop waited
        10-35 ms for it again and again while a million passages loaded (`benchmarks/perf.py`'s
        stall), with 2,000 it waited under 20 ms, for the same start-up time. Each batch is a
        statement of its own (the next ids): one statement held open between batches held its
        snapshot, and the store could not write once another process had (a BusyError at
        once). Batches read at different moments are fine: the catch-up after the load applies
        every change since the one before it, and applying one twice is harmless."""
        last = -(1 << 63)
        while True:
            async with self._db.execute(
                "SELECT id, term_ids, term_freqs FROM passages WHERE collection = ? AND id > ?"
                " ORDER BY id LIMIT ?",
                (collection, last, batch),
            ) as cursor:
                rows = list(await cursor.fetchall())
            if not rows:
                return
            last = rows[-1][0]
            yield [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    async def count_passages(self, collection: str) -> int:
        sql = "SELECT count(*) FROM passages WHERE collection = ?"
        return int(await self._scalar(sql, (collection,)))

    async def get_postings(self, collection: str, ids: Sequence[int]) -> PostingsBatch:
        rows = await select_in(
            self._db,
            "SELECT id, term_ids, term_freqs FROM passages WHERE collection = ? AND id IN ({marks})"
            " ORDER BY id",
            ids,
            (collection,),
        )
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    async def get_passages(self, collection: str, ids: Sequence[int]) -> dict[int, StoredPassage]:
        """The passages with these ids (in this collection), with text and article."""
        if not ids:
            return {}
        sql = PASSAGES.format(marks=",".join("?" * len(ids)))
        async with self._db.execute(sql, (collection, *ids)) as cursor:
            return passage_rows(await cursor.fetchall())

    async def iter_articles(self) -> AsyncIterator[StoredArticle]:
        """Every article's id, collection, title and text, for re-indexing."""
        async with self._db.execute(
            "SELECT id, collection, title, text FROM articles ORDER BY id"
        ) as cursor:
            async for row in cursor:
                yield StoredArticle(*row)

    async def replace_index(
        self, old: SettingsRead, new: dict[str, str], terms: IdTerms, rebuilt: Rebuilt
    ) -> bool:
        async with self._transaction() as db:
            if await self.get_settings(list(old)) != old:
                return False
            async with db.execute("SELECT id FROM articles ORDER BY id") as cursor:
                if [row[0] for row in await cursor.fetchall()] != [a for a, _, _ in rebuilt]:
                    return False
            await db.execute("DELETE FROM passages")
            await db.execute("DELETE FROM terms")
            await db.execute("DELETE FROM index_images")  # of the old term ids: of no use now
            await db.execute("DELETE FROM index_image_parts")
            await db.executemany("INSERT INTO terms (id, term) VALUES (?, ?)", terms)
            for article_id, collection, article_passages in rebuilt:
                await self._insert_passages(db, article_id, collection, article_passages)
            await db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(new.items()),
            )
            await record(db, None)
        return True

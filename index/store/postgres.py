"""The PostgreSQL store through asyncpg, for deployments of several processes on one server.

SQLite's guarantees: one transaction per write (an article with its passages and new terms, or
nothing), any number of writers in any number of processes (one advisory lock, as SQLite's
`BEGIN IMMEDIATE` takes its file's; past `BUSY_TIMEOUT` a write is a BusyError), and a change
log every process follows, other processes' writes heard through LISTEN/NOTIFY.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import asyncpg

from index.errors import BusyError, NotFoundError, StorageError
from index.store.base import (
    ArticleInfo,
    Articles,
    Change,
    IdTerms,
    NewArticle,
    PassageReader,
    Passages,
    PostingsBatch,
    Rebuilt,
    SettingsRead,
    StoredArticle,
    StoredPassage,
    Terms,
    Written,
    int32_blob,
    ints_of_blob,
    stored_passage,
)
from index.store.batches import Inserted, article_values, one_by_one, write_articles
from index.store.postgres_articles import (
    ARTICLE_COLUMNS,
    Pages,
    article_info,
    insert_article,
    insert_passages,
    postings_batch,
    vocabulary_of,
    vocabulary_pages,
)
from index.store.postgres_batch import find_all, insert_all
from index.store.postgres_community import PostgresCommunity
from index.store.postgres_feeds import PostgresFeeds, register
from index.store.postgres_images import PostgresImages
from index.store.postgres_schema import (
    BUSY_TIMEOUT,
    CHANNEL,
    WRITE_LOCK,
    Listener,
    connect_error,
    connect_pool,
    describe,
    prepare,
)

if TYPE_CHECKING:
    from index.store.postgres_feeds import Conn

log = logging.getLogger(__name__)

KEEP = 10_000  # changes kept; a process further behind than that reloads instead

_LOST = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError)


class PostgresStore(PostgresFeeds, PostgresCommunity, PostgresImages):
    """A library in a PostgreSQL database (see `base.Store` for what each method promises)."""

    read_only = False

    def __init__(self, pool: asyncpg.Pool, url: str, listener: Listener) -> None:
        self._pool = pool
        self._url = url
        self.location = describe(url)
        self._listener = listener

    @classmethod
    @asynccontextmanager
    async def open(cls, url: str, *, create: bool = True) -> AsyncIterator[PostgresStore]:
        """Connect, migrate, and start hearing other processes' changes."""
        pool = await connect_pool(url)
        listener = Listener(url)
        try:
            await prepare(pool, url, create=create)
            try:
                await listener.start()
            except (*_LOST, TimeoutError, asyncpg.PostgresError) as exc:
                raise connect_error(url, exc) from exc
            yield cls(pool, url, listener)
        finally:
            await listener.close()
            await pool.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Conn]:
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except _LOST as exc:
            raise StorageError(
                f"lost the connection to PostgreSQL ({self.location}): {exc}"
            ) from exc

    async def _fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        async with self._connection() as conn:
            return list(await conn.fetch(sql, *args))

    async def _fetchrow(self, sql: str, *args: object) -> asyncpg.Record | None:
        async with self._connection() as conn:
            return await conn.fetchrow(sql, *args)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Conn]:
        """A write: under the library's write lock, notifying the others when it commits."""
        async with self._connection() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT * 1000)}")
            try:
                await conn.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            except asyncpg.LockNotAvailableError as exc:
                raise BusyError() from exc
            yield conn
            await conn.execute("SELECT pg_notify($1, '')", CHANNEL)

    # --- settings and vocabulary -----------------------------------------------------------

    async def get_settings(self, keys: Sequence[str]) -> dict[str, str | None]:
        rows = await self._fetch("SELECT key, value FROM meta WHERE key = ANY($1)", list(keys))
        found = {row[0]: row[1] for row in rows}
        return {key: found.get(key) for key in keys}

    async def load_vocabulary(self, page: int = 2_000) -> dict[str, int]:
        async with self._connection() as conn, conn.transaction(isolation="repeatable_read"):
            pages = await vocabulary_pages(conn, page)
        return await asyncio.to_thread(vocabulary_of, pages)

    async def get_terms(self, ids: Sequence[int]) -> list[tuple[int, str]]:
        rows = await self._fetch("SELECT id, term FROM terms WHERE id = ANY($1)", list(ids))
        return [(row[0], row[1]) for row in rows]

    @staticmethod
    async def _term_ids(conn: Conn, terms: Terms) -> list[tuple[int, str]]:
        """Ids for `terms`, in order: stored ones as they are, the others given now (the next
        free numbers: the write lock is held)."""
        await conn.execute(
            "INSERT INTO terms (id, term)"
            " SELECT (SELECT coalesce(max(id), 0) FROM terms) + row_number() OVER (ORDER BY n), t"
            " FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n)"
            " WHERE NOT EXISTS (SELECT 1 FROM terms WHERE term = u.t)",
            list(terms),
        )
        rows = await conn.fetch("SELECT term, id FROM terms WHERE term = ANY($1)", list(terms))
        ids = {row[0]: row[1] for row in rows}
        return [(ids[term], term) for term in terms]

    # --- changes ---------------------------------------------------------------------------

    async def version(self) -> int:
        return self._listener.version

    async def latest_change(self) -> int:
        row = await self._fetchrow("SELECT coalesce(max(seq), 0) FROM changes")
        assert row is not None
        return int(row[0])

    async def changes_since(self, seq: int) -> list[Change] | None:
        rows = await self._fetch(
            "SELECT seq, collection, removed, added, terms FROM changes WHERE seq > $1"
            " ORDER BY seq",
            seq,
        )
        if (rows and rows[0][0] != seq + 1) or (not rows and await self.latest_change() < seq):
            return None  # dropped, or the database was replaced under this reader
        return [
            Change(r[0], r[1], ints_of_blob(r[2]), ints_of_blob(r[3]), ints_of_blob(r[4]))
            for r in rows
        ]

    @staticmethod
    async def _record(
        conn: Conn,
        collection: str | None,
        removed: Sequence[int] = (),
        added: Sequence[int] = (),
        terms: Sequence[int] = (),
    ) -> None:
        seq = await conn.fetchval(
            "INSERT INTO changes (seq, collection, removed, added, terms)"
            " SELECT coalesce(max(seq), 0) + 1, $1, $2, $3, $4 FROM changes RETURNING seq",
            collection,
            int32_blob(removed),
            int32_blob(added),
            int32_blob(terms),
        )
        await conn.execute("DELETE FROM changes WHERE seq <= $1", seq - KEEP)

    # --- articles --------------------------------------------------------------------------

    async def _article_where(
        self, where: str, *args: object, conn: Conn | None = None
    ) -> ArticleInfo | None:
        sql = f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE {where} ORDER BY a.id LIMIT 1"
        row = await (conn.fetchrow(sql, *args) if conn else self._fetchrow(sql, *args))
        return None if row is None else article_info(row)

    async def find_by_hash(self, collection: str, content_hash: str) -> ArticleInfo | None:
        return await self._article_where(
            "collection = $1 AND content_hash = $2", collection, content_hash
        )

    async def find_by_url(self, collection: str, url: str) -> ArticleInfo | None:
        return await self._article_where("collection = $1 AND url = $2", collection, url)

    async def get_article(
        self, collection: str, article_id: int, conn: Conn | None = None
    ) -> ArticleInfo:
        info = await self._article_where(
            "collection = $1 AND id = $2", collection, article_id, conn=conn
        )
        if info is None:
            raise NotFoundError(f"there is no article {article_id} in the library {collection!r}")
        return info

    async def get_text(self, article_id: int) -> str:
        row = await self._fetchrow("SELECT text FROM articles WHERE id = $1", article_id)
        return "" if row is None else str(row[0])

    async def list_collections(self) -> list[str]:
        return [row[0] for row in await self._fetch("SELECT name FROM collections ORDER BY name")]

    async def list_articles(self, collection: str) -> list[ArticleInfo]:
        rows = await self._fetch(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE collection = $1 ORDER BY id",
            collection,
        )
        return [article_info(row) for row in rows]

    async def insert_article(
        self, article: NewArticle, passages: Passages, new_terms: Terms
    ) -> Written:
        return (await self.insert_articles([(article, passages)], new_terms))[0]

    async def insert_articles(self, articles: Articles, new_terms: Terms) -> list[Written]:
        async with self._transaction() as conn:

            async def prepare(collections: list[str], terms: Terms) -> IdTerms:
                for collection in collections:
                    await register(conn, collection)
                return await self._term_ids(conn, terms)

            async def insert_one(item: tuple[NewArticle, Passages]) -> Inserted:
                article, rows = item
                article_id = await insert_article(conn, article)
                ids = await insert_passages(conn, article_id, article.collection, rows)
                return await self.get_article(article.collection, article_id, conn), ids

            async def insert(items: list[tuple[NewArticle, Passages]]) -> list[Inserted]:
                if any(article.id is not None for article, _ in items):  # a copy keeps its ids
                    return await one_by_one(items, insert_one)
                return await insert_all(conn, items)

            async def record(collection: str, added: list[int], terms: list[int]) -> None:
                await self._record(conn, collection, added=added, terms=terms)

            return await write_articles(
                articles,
                new_terms,
                find=lambda articles: find_all(conn, articles),
                prepare=prepare,
                insert=insert,
                record=record,
            )

    async def replace_article(
        self, article_id: int, article: NewArticle, passages: Passages, new_terms: Terms
    ) -> Written:
        async with self._transaction() as conn:
            await self.get_article(article.collection, article_id, conn)
            rows = await conn.fetch(
                "DELETE FROM passages WHERE article_id = $1 RETURNING id", article_id
            )
            old_ids = sorted(row[0] for row in rows)
            terms = await self._term_ids(conn, new_terms)
            passages = await asyncio.to_thread(passages.resolved, [t for t, _ in terms])
            await conn.execute(
                "UPDATE articles SET collection = $1, title = $2, url = $3, author = $4,"
                " published = $5, site = $6, source = $7, text = $8, content_hash = $9"
                " WHERE id = $10",
                *article_values(article),
                article_id,
            )
            new_ids = await insert_passages(conn, article_id, article.collection, passages)
            new_term_ids = [term_id for term_id, _ in terms]
            await self._record(conn, article.collection, old_ids, new_ids, new_term_ids)
            info = await self.get_article(article.collection, article_id, conn)
        return Written(info, new_ids, passages, terms, old_ids)

    async def delete_article(
        self, collection: str, article_id: int
    ) -> tuple[ArticleInfo, list[int]]:
        async with self._transaction() as conn:
            info = await self.get_article(collection, article_id, conn)
            rows = await conn.fetch(
                "DELETE FROM passages WHERE article_id = $1 RETURNING id", article_id
            )
            await conn.execute("DELETE FROM articles WHERE id = $1", article_id)
            passage_ids = sorted(row[0] for row in rows)
            await self._record(conn, collection, removed=passage_ids)
        return info, passage_ids

    # --- passages --------------------------------------------------------------------------

    async def load_postings(
        self, collection: str, batch: int = 2_000
    ) -> AsyncIterator[PostingsBatch]:
        """Every passage of a collection, `batch` at a time, each batch one row (see
        `POSTINGS_PAGE`), all from one snapshot (a repeatable-read transaction); the server
        reads the next page while the caller takes the last."""
        async with self._connection() as conn, conn.transaction(isolation="repeatable_read"):
            pages = await Pages.of(conn, collection, batch)
            try:
                while (page := await pages.next()) is not None:
                    yield await asyncio.to_thread(postings_batch, *page)
            finally:
                await pages.close()

    async def count_passages(self, collection: str) -> int:
        row = await self._fetchrow(
            "SELECT count(*) FROM passages WHERE collection = $1", collection
        )
        return 0 if row is None else int(row[0])

    async def get_postings(self, collection: str, ids: Sequence[int]) -> PostingsBatch:
        rows = await self._fetch(
            "SELECT id, term_ids, term_freqs FROM passages"
            " WHERE collection = $1 AND id = ANY($2) ORDER BY id",
            collection,
            list(ids),
        )
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def reader(self) -> PassageReader | None:
        return None  # PostgreSQL is read asynchronously only (`get_passages`)

    async def get_passages(self, collection: str, ids: Sequence[int]) -> dict[int, StoredPassage]:
        if not ids:
            return {}
        rows = await self._fetch(
            f'SELECT p.id, substr(a.text, p.start + 1, p."end" - p.start), p.start, p.sentences,'
            " p.cuts, substr(a.text, p.heading_start + 1, p.heading_end - p.heading_start),"
            f" p.tokens, {ARTICLE_COLUMNS} FROM passages p JOIN articles a ON a.id = p.article_id"
            " WHERE p.collection = $1 AND p.id = ANY($2)",
            collection,
            list(ids),
        )
        return {row[0]: stored_passage(row, article_info(row[7:])) for row in map(list, rows)}

    async def iter_articles(self) -> AsyncIterator[StoredArticle]:
        async with self._connection() as conn, conn.transaction():
            async for row in conn.cursor(
                "SELECT id, collection, title, text FROM articles ORDER BY id"
            ):
                yield StoredArticle(row[0], row[1], row[2], row[3])

    async def replace_index(
        self, old: SettingsRead, new: dict[str, str], terms: IdTerms, rebuilt: Rebuilt
    ) -> bool:
        async with self._transaction() as conn:
            rows = await conn.fetch("SELECT key, value FROM meta WHERE key = ANY($1)", list(old))
            stored = {row[0]: row[1] for row in rows}
            if {key: stored.get(key) for key in old} != old:
                return False
            rows = await conn.fetch("SELECT id FROM articles ORDER BY id")
            if [row[0] for row in rows] != [a for a, _, _ in rebuilt]:
                return False
            await conn.execute("DELETE FROM passages")
            await conn.execute("DELETE FROM terms")
            await conn.execute("DELETE FROM index_images")  # of the old term ids: of no use now
            await conn.execute("DELETE FROM index_image_parts")
            await conn.executemany("INSERT INTO terms (id, term) VALUES ($1, $2)", list(terms))
            for article_id, collection, article_passages in rebuilt:
                await insert_passages(conn, article_id, collection, article_passages)
            await conn.executemany(
                "INSERT INTO meta (key, value) VALUES ($1, $2)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(new.items()),
            )
            await self._record(conn, None)
        return True

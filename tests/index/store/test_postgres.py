"""What is particular to the PostgreSQL store: hearing other processes through LISTEN/NOTIFY
(and carrying on when that connection drops), refusing databases that are not citebot's."""

import asyncio

import asyncpg
import pytest

from index.bm25 import BM25Params
from index.errors import StorageError
from index.indexes import Indexes
from index.store.postgres import PostgresStore
from index.store.postgres_articles import Pages
from index.store.postgres_schema import describe
from tests.helpers.databases import version_changes
from tests.helpers.postgres import PostgresServer
from tests.helpers.records import article, passage, passages


async def test_a_dropped_listener_reconnects_and_nothing_is_missed(
    postgres: PostgresServer,
) -> None:
    """The connection that hears changes is killed: while it is down the version differs at
    every reading (so every question reads the change log), and once it is back it is steady
    again and hears the next write."""
    url = postgres.new_database()
    async with PostgresStore.open(url) as mine, PostgresStore.open(url) as theirs:
        indexes = Indexes(BM25Params(), mine)
        await indexes.catch_up()
        await indexes.get("c")
        await _kill_listeners(url)
        await theirs.insert_article(article("one"), passages(passage()), ["herons"])
        await indexes.check()  # the notification was lost with the connection
        assert indexes.vocabulary.get("herons") == 1
        async with asyncio.timeout(10):  # reconnected in the background
            while await mine.version() != await mine.version():  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        before = await mine.version()
        await theirs.insert_article(article("two"), passages(passage()), ["quays"])
        await version_changes(mine, before)
        await indexes.check()
        assert indexes.vocabulary.get("quays") == 2
        assert len((await indexes.get("c")).index) == 2


async def test_a_collection_loads_a_page_of_passages_at_a_time(postgres: PostgresServer) -> None:
    """Start-up reads at most `batch` passages of the collection a row, in id order, with
    their blobs whole (another collection's passages between them left out)."""
    async with PostgresStore.open(postgres.new_database()) as store:
        await store.insert_article(article("one"), passages(passage(), passage(), passage()), ["a"])
        await store.insert_article(article("x", "other"), passages(passage(1)), [])
        await store.insert_article(article("two"), passages(passage(1, 2), passage(1)), ["b"])
        batches = [batch async for batch in store.load_postings("c", batch=2)]
        assert [len(ids) for ids, _, _ in batches] == [2, 2, 1]
        ids = [i for batch in batches for i in batch[0]]
        terms = [blob for batch in batches for blob in batch[1]]
        freqs = [blob for batch in batches for blob in batch[2]]
        assert ids == sorted(ids)
        assert (ids, terms, freqs) == await store.get_postings("c", ids)


async def test_a_load_reads_one_snapshot_whatever_is_written_meanwhile(
    postgres: PostgresServer,
) -> None:
    """A passage written by another process between two pages of a load is not in it (the
    change log brings it afterwards)."""
    url = postgres.new_database()
    async with PostgresStore.open(url) as mine, PostgresStore.open(url) as theirs:
        await mine.insert_article(article("one"), passages(passage(), passage()), ["a"])
        pages = mine.load_postings("c", batch=1)
        first = await anext(pages)
        await theirs.insert_article(article("two"), passages(passage(1)), [])
        rest = [batch async for batch in pages]
        assert [ids for ids, _, _ in [first, *rest]] == [[1], [2]]


async def test_a_load_stopped_early_leaves_the_store_usable(postgres: PostgresServer) -> None:
    """A caller that stops after the first page (the next one already asked for) can go on
    using the store."""
    async with PostgresStore.open(postgres.new_database()) as store:
        await store.insert_article(article("one"), passages(passage(), passage()), ["a"])
        async for first in store.load_postings("c", batch=1):
            assert first[0] == [1]
            break
        assert (await store.get_postings("c", [2]))[0] == [2]


async def test_a_small_collection_loads_from_its_own_index_entries_beside_a_large_one(
    postgres: PostgresServer,
) -> None:
    """A server's few passages among many others' are found by the `(collection, id)` index,
    not by walking every passage, even where PostgreSQL plans statements once for any
    collection (a prepared statement's generic plan, forced here for the whole database)."""
    url = postgres.new_database()
    async with PostgresStore.open(url):
        pass  # the schema
    conn = await asyncpg.connect(url)
    try:
        for name in ("small", "large"):
            await conn.execute(
                "INSERT INTO articles (collection, text, content_hash, added_at)"
                " VALUES ($1, 'x', $1, 0)",
                name,
            )
        article_ids = dict(await conn.fetch("SELECT collection, id FROM articles"))
        insert = (
            'INSERT INTO passages (article_id, collection, ord, start, "end", sentences,'
            " term_ids, term_freqs) SELECT $1, $2, n, 0, 1, '\\x00', '\\x01000000',"
            " '\\x01000000' FROM generate_series(1, $3) AS n"
        )
        for name, count in (("small", 50), ("large", 20_000), ("small", 50)):
            await conn.execute(insert, article_ids[name], name, count)
        await conn.execute("ANALYZE passages")
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        async with conn.transaction():
            pages = await Pages.of(conn, "small", 2_000)
            ids = []
            while (page := await pages.next()) is not None:
                ids += page[0]
            read = await conn.fetchrow(
                "SELECT seq_tup_read, idx_tup_fetch FROM pg_stat_xact_user_tables"
                " WHERE relname = 'passages'"
            )
    finally:
        await conn.close()
    assert len(ids) == 100
    # its own rows (about 100: 102 here), not the 20,100 rows
    # walked by id where the plan ignores the collection
    assert read["seq_tup_read"] == 0
    assert read["idx_tup_fetch"] < 200


async def test_the_vocabulary_loads_a_page_of_terms_at_a_time(postgres: PostgresServer) -> None:
    """Terms over several pages (each page one row, decoded on the event loop) all come back
    with their ids, whatever the page size."""
    url = postgres.new_database()
    async with PostgresStore.open(url) as store:
        await store.insert_article(article("one"), passages(passage()), ["herons", "quays"])
        await store.insert_article(article("two"), passages(passage()), ["tides", "wharf", "eel"])
        everything = {term: n for term, n in await store._fetch("SELECT term, id FROM terms")}
        assert len(everything) == 5
        for page in (1, 2, 5, 20_000):
            assert await store.load_vocabulary(page) == everything


async def _kill_listeners(url: str) -> None:
    admin = await asyncpg.connect(url)
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )
    finally:
        await admin.close()
    assert killed == 2  # both stores' listeners


async def test_a_database_with_other_programs_tables_is_refused(postgres: PostgresServer) -> None:
    """An existing database that is not citebot's is left alone, with one line."""
    url = postgres.new_database()
    conn = await asyncpg.connect(url)
    await conn.execute("CREATE TABLE invoices (id int)")
    await conn.close()
    with pytest.raises(StorageError, match="holds another program's tables"):
        async with PostgresStore.open(url):
            pass


async def test_a_newer_schema_is_refused(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    async with PostgresStore.open(url):
        pass
    conn = await asyncpg.connect(url)
    await conn.execute("UPDATE citebot_schema SET version = 999")
    await conn.close()
    with pytest.raises(StorageError, match="newer citebot"):
        async with PostgresStore.open(url):
            pass


def test_a_password_is_never_shown() -> None:
    assert describe("postgresql://bot:s3cret@db.example:5433/lib") == (
        "postgresql://bot:***@db.example:5433/lib"
    )

"""An article's rows in PostgreSQL: read as `ArticleInfo` (`ARTICLE_COLUMNS`), and written an
article at a time inside the caller's transaction: the article (a copied one keeping its id)
and its passages in one statement (`unnest` of columns). A batch of new articles is written
all at once (`postgres_batch`). Start-up reads a collection's postings a page of passages a
row (`POSTINGS_PAGE`, `postings_batch`), and the vocabulary a page of terms a row."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import asyncpg

from index.store.base import ArticleInfo, NewArticle, Passages, PostingsBatch, now
from index.store.batches import article_values

if TYPE_CHECKING:
    from index.store.postgres_feeds import Conn

# an article's metadata as `ArticleInfo` holds it (`article_info`), its passages counted
ARTICLE_COLUMNS = (
    "a.id, a.collection, a.title, a.url, a.author, a.published, a.site, a.source, a.added_by,"
    " a.added_at, (SELECT count(*) FROM passages p2 WHERE p2.article_id = a.id)"
)

# start-up's read of a collection's postings, a page of passages (ids after $2, at most $3) as
# one row: their ids, each one's term ids' and counts' lengths, and those blobs joined. asyncpg
# decodes rows on the event loop, a Python object (a Record, tracked by the garbage collector)
# a row: read a row a passage, 10,000 at a time, the load of 100k passages stalled the loop
# 10-40 ms again and again, and its Records set off full collections (13-70 ms) there
POSTINGS_PAGE = (
    "SELECT array_agg(id ORDER BY id), array_agg(length(term_ids) ORDER BY id),"
    " array_agg(length(term_freqs) ORDER BY id), string_agg(term_ids, ''::bytea ORDER BY id),"
    " string_agg(term_freqs, ''::bytea ORDER BY id) FROM (SELECT id, term_ids, term_freqs"
    " FROM passages WHERE collection = $1 AND id > $2 ORDER BY id LIMIT $3) AS page"
)


class Pages:
    """Start-up's pages of a collection's postings (`POSTINGS_PAGE`), each asked for as soon
    as the one before has come (passage ids are 1, 2, 3, ...), in the caller's transaction.

    Each page is planned for its collection (`plan_cache_mode`): a plan made once for any
    collection (PostgreSQL's generic plan of a prepared statement, chosen after five runs where
    it seems no dearer) may walk every passage by id, filtering by collection, so that a
    server's 200 passages were found among all the others' (28 ms for 300,000 others, growing
    with the database), where the `(collection, id)` index finds them at once."""

    def __init__(self, conn: Conn, collection: str, size: int) -> None:
        self._conn, self._collection, self._size = conn, collection, size
        self._coming: asyncio.Future[asyncpg.Record | None] | None = None

    @classmethod
    async def of(cls, conn: Conn, collection: str, size: int) -> Pages:
        """The pages, the first asked for (inside a transaction: the setting is its own)."""
        await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        pages = cls(conn, collection, size)
        pages._coming = pages._ask(0)
        return pages

    def _ask(self, last: int) -> asyncio.Future[asyncpg.Record | None]:
        return asyncio.ensure_future(
            self._conn.fetchrow(POSTINGS_PAGE, self._collection, last, self._size)
        )

    async def next(self) -> tuple[Any, ...] | None:
        """The next page's columns; None after the last."""
        coming, self._coming = self._coming, None
        page = None if coming is None else await coming
        if page is None or page[0] is None:  # no passage after the last page
            return None
        self._coming = self._ask(page[0][-1])
        return tuple(page.values())

    async def close(self) -> None:
        """Wait for the page asked for, if the caller stopped before it came: the connection
        takes no other command until it has (its failure is the transaction's to report)."""
        coming, self._coming = self._coming, None
        if coming is not None:
            with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                await coming


# start-up's read of the vocabulary, a page of terms (ids after $1, at most $2) as one row of
# two arrays: a row a term, 200,000 terms' Records decoded on the event loop held it 43-70 ms;
# 2,000 terms a page, 6-13 ms (20,000: 15-24)
VOCABULARY_PAGE = (
    "SELECT array_agg(term ORDER BY id), array_agg(id ORDER BY id)"
    " FROM (SELECT id, term FROM terms WHERE id > $1 ORDER BY id LIMIT $2) AS page"
)


async def vocabulary_pages(conn: Conn, size: int) -> list[tuple[list[str], list[int]]]:
    """Every term and its id, `size` terms a page (inside the caller's transaction)."""
    pages = []
    last = -1
    while (page := await conn.fetchrow(VOCABULARY_PAGE, last, size)) and page[0] is not None:
        pages.append((page[0], page[1]))
        last = page[1][-1]
    return pages


def vocabulary_of(pages: Sequence[tuple[list[str], list[int]]]) -> dict[str, int]:
    """The vocabulary's pages as one dict (in a worker thread: a page a C call)."""
    made: dict[str, int] = {}
    for terms, ids in pages:
        made.update(zip(terms, ids, strict=True))
    return made


def postings_batch(
    ids: list[int], term_sizes: list[int], freq_sizes: list[int], terms: bytes, freqs: bytes
) -> PostingsBatch:
    """A page's row (`POSTINGS_PAGE`) as the passages' ids and blobs (in a worker thread)."""
    return ids, _pieces(terms, term_sizes), _pieces(freqs, freq_sizes)


def _pieces(joined: bytes, sizes: list[int]) -> list[bytes]:
    ends = list(accumulate(sizes))
    if (ends[-1] if ends else 0) != len(joined):
        raise ValueError("a page's blobs are not as long as their sizes say")
    return [joined[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def article_info(row: Sequence[Any] | asyncpg.Record) -> ArticleInfo:
    """An article's metadata from a row beginning with `ARTICLE_COLUMNS`."""
    return ArticleInfo(*row[:11])


async def insert_article(conn: Conn, article: NewArticle) -> int:
    """Insert an article's row; its id (a copied article keeps its own, and later ones follow
    it)."""
    article_id: int = await conn.fetchval(
        "INSERT INTO articles (collection, title, url, author, published, site, source,"
        " text, content_hash, added_by, added_at, id) OVERRIDING SYSTEM VALUE"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
        " coalesce($12, nextval(pg_get_serial_sequence('articles', 'id')))) RETURNING id",
        *article_values(article),
        article.added_by,
        article.added_at or now(),
        article.id,
    )
    if article.id is not None:
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('articles', 'id'), greatest($1::bigint,"
            " pg_sequence_last_value(pg_get_serial_sequence('articles', 'id'))))",
            article.id,
        )
    return article_id


async def insert_passages(
    conn: Conn, article_id: int, collection: str, passages: Passages
) -> list[int]:
    """Insert an article's passages in one statement; their ids, in order."""
    columns = await asyncio.to_thread(passages.columns)
    rows = await conn.fetch(
        'INSERT INTO passages (article_id, collection, ord, start, "end", sentences, term_ids,'
        " term_freqs, cuts, heading_start, heading_end, tokens) SELECT $1, $2, * FROM unnest("
        "$3::int[], $4::int[], $5::int[], $6::bytea[], $7::bytea[], $8::bytea[], $9::bytea[],"
        " $10::int[], $11::int[], $12::bytea[]) RETURNING id, ord",
        article_id,
        collection,
        *columns,
    )
    return [row[0] for row in sorted(rows, key=lambda row: row[1])]

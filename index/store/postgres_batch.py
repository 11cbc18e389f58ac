"""A batch of articles written to PostgreSQL with a few statements, whatever its size
(`PostgresStore.insert_articles`): found by content in one query, the articles inserted in one
statement (`INSERT ... SELECT FROM unnest(...)` of columns sent as arrays, returning what was
written), all their passages copied (`COPY`, a fifth faster than an `unnest` insert of them)
and their ids read back in one query. An article at a time, bulk adding made four round trips
an article (find it, insert it, its passages, read it back).

All of it runs inside the caller's write transaction (under the write lock). The rows are
inserted in the batch's order (articles `ORDER BY` their arrays' places, passages in the order
copied), so that they are given the same ids as one at a time; what comes back is matched to
the batch by content (articles) and by article and place (passages), not by its order.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from index.store.base import ArticleInfo, NewArticle, Passages, now
from index.store.batches import Inserted, article_values
from index.store.postgres_articles import ARTICLE_COLUMNS, article_info

if TYPE_CHECKING:
    from index.store.postgres_feeds import Conn

FIND = (
    f"SELECT {ARTICLE_COLUMNS}, a.content_hash"
    " FROM unnest($1::text[], $2::text[]) AS u(collection, content_hash)"
    " JOIN articles a ON a.collection = u.collection AND a.content_hash = u.content_hash"
)
_ARTICLE_FIELDS = "collection, title, url, author, published, site, source, text, content_hash"
INSERT_ARTICLES = (
    f"INSERT INTO articles ({_ARTICLE_FIELDS}, added_by, added_at)"
    f" SELECT {_ARTICLE_FIELDS}, added_by, added_at FROM unnest($1::text[], $2::text[],"
    " $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],"
    f" $10::text[], $11::text[]) WITH ORDINALITY AS u({_ARTICLE_FIELDS}, added_by, added_at, n)"
    " ORDER BY n RETURNING id, collection, title, url, author, published, site, source, added_by,"
    " added_at, content_hash"
)
PASSAGE_COLUMNS = [
    "article_id", "collection", "ord", "start", "end", "sentences", "term_ids", "term_freqs",
    "cuts", "heading_start", "heading_end", "tokens",
]  # fmt: skip
# the batch's passages' ids, by the index on article_id
NEW_PASSAGE_IDS = "SELECT id, article_id, ord FROM passages WHERE article_id = ANY($1::bigint[])"


async def find_all(conn: Conn, articles: list[NewArticle]) -> list[ArticleInfo | None]:
    """The article already stored with each one's content (in its collection), in order: one
    query."""
    keys = list(dict.fromkeys((a.collection, a.content_hash) for a in articles))
    rows = await conn.fetch(FIND, [c for c, _ in keys], [h for _, h in keys])
    found = {(row[1], row[-1]): article_info(row) for row in rows}
    return [found.get((a.collection, a.content_hash)) for a in articles]


async def insert_all(conn: Conn, articles: list[tuple[NewArticle, Passages]]) -> list[Inserted]:
    """Insert articles (none with an id of its own, none of the same content in the same
    collection) and their passages; each article as stored and its passages' ids, in order."""
    if not articles:
        return []
    assert all(article.id is None for article, _ in articles)
    added_at = now()
    values = [
        (*article_values(article), article.added_by, article.added_at or added_at)
        for article, _ in articles
    ]
    rows = await conn.fetch(INSERT_ARTICLES, *map(list, zip(*values, strict=True)))
    stored = {(row[1], row[-1]): row for row in rows}
    infos = [
        article_info([*stored[article.collection, article.content_hash][:10], len(passages)])
        for article, passages in articles
    ]
    ids: dict[int, list[tuple[int, int]]] = {info.id: [] for info in infos}
    records = await asyncio.to_thread(_records, articles, list(ids))
    await conn.copy_records_to_table("passages", records=records, columns=PASSAGE_COLUMNS)
    for row in await conn.fetch(NEW_PASSAGE_IDS, list(ids)):
        ids[row[1]].append((row[2], row[0]))
    return [(info, [i for _, i in sorted(ids[info.id])]) for info in infos]


def _records(articles: list[tuple[NewArticle, Passages]], ids: list[int]) -> list[tuple[Any, ...]]:
    """Every passage's row (`PASSAGE_COLUMNS`), article after article."""
    return [
        row
        for (article, passages), article_id in zip(articles, ids, strict=True)
        for row in passages.rows(article_id, article.collection)
    ]

"""A batch of articles written to SQLite with a few statements, whatever its size
(`SQLiteStore.insert_articles`): found by content in one query, inserted in one `executemany`
for the articles and one for all their passages, their ids and rows read back in one query
each. An article at a time, bulk adding made about five statements an article (each a hop to
aiosqlite's thread and back for the event loop), and as many hops of the rows to a thread.

All of it runs inside the caller's write transaction (`BEGIN IMMEDIATE`), so no other process
inserts meanwhile; `AUTOINCREMENT` gives each new row an id above every id given before, in
the order the rows are inserted. So the articles inserted are those with an id above the
largest before, in order, and so are their passages.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiosqlite

from index.store.base import ArticleInfo, NewArticle, Passages, now
from index.store.batches import Inserted, article_values
from index.store.sqlite_changes import select_in
from index.store.sqlite_reader import ARTICLE_COLUMNS

INSERT_ARTICLE = (
    "INSERT INTO articles (id, collection, title, url, author, published, site,"
    " source, text, content_hash, added_by, added_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_PASSAGES = (
    'INSERT INTO passages (article_id, collection, ord, start, "end", sentences,'
    " term_ids, term_freqs, cuts, heading_start, heading_end, tokens)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# the ids of the passages of the articles above an id, in the order they were inserted: by the
# index on article_id (ordered by id alone, SQLite scanned the whole table: 1.1 s at a million)
NEW_PASSAGE_IDS = "SELECT id FROM passages WHERE article_id > ? ORDER BY article_id, id"


def article_row(article: NewArticle) -> tuple[Any, ...]:
    """An article's row of `INSERT_ARTICLE`."""
    return (article.id, *article_values(article), article.added_by, article.added_at or now())


async def find_all(
    db: aiosqlite.Connection, articles: list[NewArticle]
) -> list[ArticleInfo | None]:
    """The article already stored with each one's content (in its collection), in order: one
    query a collection (and 500 articles)."""
    found: dict[tuple[str, str], ArticleInfo] = {}
    for collection in dict.fromkeys(a.collection for a in articles):
        hashes = list(dict.fromkeys(a.content_hash for a in articles if a.collection == collection))
        rows = await select_in(
            db,
            f"SELECT {ARTICLE_COLUMNS}, a.content_hash FROM articles a"
            " WHERE collection = ? AND content_hash IN ({marks})",
            hashes,
            (collection,),
        )
        found.update(((collection, row[-1]), ArticleInfo(*row[:11])) for row in rows)
    return [found.get((a.collection, a.content_hash)) for a in articles]


async def insert_all(
    db: aiosqlite.Connection, articles: list[tuple[NewArticle, Passages]]
) -> list[Inserted]:
    """Insert articles (none with an id of its own) and their passages; each article as
    stored and its passages' ids, in order."""
    if not articles:
        return []
    assert all(article.id is None for article, _ in articles)
    async with db.execute("SELECT coalesce(max(id), 0) FROM articles") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    before = int(row[0])
    await db.executemany(INSERT_ARTICLE, [article_row(article) for article, _ in articles])
    async with db.execute("SELECT id FROM articles WHERE id > ? ORDER BY id", (before,)) as cursor:
        ids = [row[0] for row in await cursor.fetchall()]
    assert len(ids) == len(articles)
    await db.executemany(INSERT_PASSAGES, await asyncio.to_thread(_rows, articles, ids))
    async with db.execute(NEW_PASSAGE_IDS, (before,)) as cursor:
        passage_ids = [row[0] for row in await cursor.fetchall()]
    async with db.execute(
        f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.id > ? ORDER BY a.id", (before,)
    ) as cursor:
        infos = [ArticleInfo(*row) for row in await cursor.fetchall()]
    inserted: list[Inserted] = []
    start = 0
    for info, (_, passages) in zip(infos, articles, strict=True):
        inserted.append((info, passage_ids[start : start + len(passages)]))
        start += len(passages)
    assert start == len(passage_ids)
    return inserted


def _rows(articles: list[tuple[NewArticle, Passages]], ids: list[int]) -> list[tuple[Any, ...]]:
    """Every passage's row of `INSERT_PASSAGES`, article after article."""
    return [
        row
        for (article, passages), article_id in zip(articles, ids, strict=True)
        for row in passages.rows(article_id, article.collection)
    ]

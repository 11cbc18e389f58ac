"""Writing several articles in one transaction, as both stores do (`Store.insert_articles`).

Bulk adding writes a batch of articles at once: one transaction, one change per collection in
the log (so one catch-up), the new terms given ids once. Each store runs `write_articles`
inside its transaction with its own statements for the steps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from index.store.base import (
    ArticleInfo,
    Articles,
    IdTerms,
    NewArticle,
    Passages,
    Terms,
    Written,
)
from index.store.columns import NewPassages

T = TypeVar("T")
R = TypeVar("R")

Inserted = tuple[ArticleInfo, list[int]]  # an article as stored, and its passages' ids
# the articles already stored with the same content (in their collections), in order
Find = Callable[[list[NewArticle]], Awaitable[list[ArticleInfo | None]]]
Prepare = Callable[[list[str], Terms], Awaitable[IdTerms]]  # register collections; term ids
# write articles and their passages (term ids real): each as stored, and its passage ids
Insert = Callable[[list[tuple[NewArticle, Passages]]], Awaitable[list[Inserted]]]
Record = Callable[[str, list[int], list[int]], Awaitable[None]]  # collection, passages, terms


async def write_articles(
    articles: Articles,
    new_terms: Terms,
    *,
    find: Find,
    prepare: Prepare,
    insert: Insert,
    record: Record,
) -> list[Written]:
    """Write the articles not already stored (in their collection, by content: a second of
    the same content in the batch is a duplicate of the first), inside the caller's
    transaction; one `Written` for each, in order. Nothing at all when every one is stored
    already (added by another process since the caller looked). The store is asked a batch
    at a time (`find`, `insert`), not an article at a time."""
    found = await find([article for article, _ in articles])
    if all(found):
        return [Written(info, [], NewPassages.of([]), [], duplicate=True) for info in found if info]
    terms = await prepare(list(dict.fromkeys(a.collection for a, _ in articles)), new_terms)
    term_ids = [term_id for term_id, _ in terms]
    first: dict[tuple[str, str], int] = {}  # the place in `new` of each content written
    new: list[int] = []  # the places in `articles` of those written
    for i, ((article, _), existing) in enumerate(zip(articles, found, strict=True)):
        key = (article.collection, article.content_hash)
        if existing is None and key not in first:
            first[key] = len(new)
            new.append(i)
    resolved = await asyncio.to_thread(_resolved, [articles[i][1] for i in new], term_ids)
    inserted = await insert([(articles[i][0], r) for i, r in zip(new, resolved, strict=True)])
    written: list[Written] = []
    for i, ((article, _), existing) in enumerate(zip(articles, found, strict=True)):
        j = first.get((article.collection, article.content_hash), -1)
        if existing is None and new[j] == i:
            info, ids = inserted[j]
            written.append(Written(info, ids, resolved[j], list(terms)))
        else:  # stored before, or earlier in the batch
            info = existing or inserted[j][0]
            written.append(Written(info, [], NewPassages.of([]), [], duplicate=True))
    for collection in dict.fromkeys(a.collection for a, _ in articles):
        added = [i for w in written if w.article.collection == collection for i in w.passage_ids]
        if added:
            await record(collection, added, term_ids)
    return written


def _resolved(passages: list[Passages], term_ids: list[int]) -> list[Passages]:
    return [p.resolved(term_ids) for p in passages]


async def one_by_one(items: Sequence[T], each: Callable[[T], Awaitable[R]]) -> list[R]:
    """`each` of the items in turn (a store that asks an article at a time)."""
    return [await each(item) for item in items]


def article_values(article: NewArticle) -> tuple[object, ...]:
    """An article's collection, title, url, author, date, site, source, text and content hash,
    as both stores write them."""
    return (
        article.collection,
        article.title,
        article.url,
        article.author,
        article.date,
        article.site,
        article.source,
        article.text,
        article.content_hash,
    )

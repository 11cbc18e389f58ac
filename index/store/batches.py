"""Writing several articles in one transaction, as both stores do (`Store.insert_articles`).

Bulk adding writes a batch of articles at once: one transaction, one change per collection in
the log (so one catch-up), the new terms given ids once. Each store runs `write_articles`
inside its transaction with its own statements for the steps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

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

Find = Callable[[NewArticle], Awaitable[ArticleInfo | None]]  # the article of the same content
Prepare = Callable[[list[str], Terms], Awaitable[IdTerms]]  # register collections; term ids
# write an article and its passages (their term ids real): it as stored, and the passage ids
Insert = Callable[[NewArticle, Passages], Awaitable[tuple[ArticleInfo, list[int]]]]
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
    already (added by another process since the caller looked)."""
    found = [await find(article) for article, _ in articles]
    if all(found):
        return [Written(info, [], NewPassages.of([]), [], duplicate=True) for info in found if info]
    terms = await prepare(list(dict.fromkeys(a.collection for a, _ in articles)), new_terms)
    term_ids = [term_id for term_id, _ in terms]
    written: list[Written] = []
    stored: dict[tuple[str, str], ArticleInfo] = {}
    for (article, passages), existing in zip(articles, found, strict=True):
        key = (article.collection, article.content_hash)
        existing = existing or stored.get(key)
        if existing is not None:
            written.append(Written(existing, [], NewPassages.of([]), [], duplicate=True))
            continue
        resolved = await asyncio.to_thread(passages.resolved, term_ids)
        stored[key], ids = await insert(article, resolved)
        written.append(Written(stored[key], ids, resolved, list(terms)))
    for collection in dict.fromkeys(a.collection for a, _ in articles):
        added = [i for w in written if w.article.collection == collection for i in w.passage_ids]
        if added:
            await record(collection, added, term_ids)
    return written


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

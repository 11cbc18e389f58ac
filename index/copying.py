"""Copying a library into another, SQLite to PostgreSQL and back.

Every article is copied with its id, metadata and text, and indexed again by the target (with
the same settings, so into the same passages), one transaction each: an interrupted copy leaves
whole articles only, and running it again copies only what is missing. Then the feeds and the
entries they have seen, so that the target's poller does not add them again. At the end the
two libraries' collections must hold the same articles, passages and feeds, or it says so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from index.errors import StorageError
from index.store.base import ArticleInfo, Store

CopyProgress = Callable[[int, int], None]  # (articles done, articles in all)


class _Added(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def article(self) -> ArticleInfo: ...


AddCopy = Callable[[ArticleInfo, str], Awaitable[_Added]]  # the target's add, keeping the id


@dataclass(frozen=True)
class CopyReport:
    copied: int  # articles copied by this run
    present: int  # articles the target held already (an earlier run's)
    feeds: int  # feeds in the target
    counts: dict[str, tuple[int, int, int]]  # collection -> (articles, passages, feeds), both


async def copy_library(
    source: Store, target: Store, add: AddCopy, progress: CopyProgress | None = None
) -> CopyReport:
    """Copy `source` into `target` (see the module's docstring)."""
    if source.location == target.location:
        raise StorageError("the copy's source and target are the same library")
    collections = await source.list_collections()
    articles = [a for c in collections for a in await source.list_articles(c)]
    there = {
        a.id: a for c in await target.list_collections() for a in await target.list_articles(c)
    }
    copied = present = 0
    for done, info in enumerate(articles, 1):
        text = await source.get_text(info.id)
        held = there.get(info.id)
        if held is None:
            added = await add(info, text)
            if added.status != "added" or added.article.id != info.id:
                raise _conflict(target, info)
            copied += 1
        elif held.collection == info.collection and await target.get_text(info.id) == text:
            present += 1
        else:
            raise _conflict(target, info)
        if progress is not None:
            progress(done, len(articles))
    feeds = await _copy_feeds(source, target)
    counts = await _counts(source, collections)
    if await _counts(target, collections) != counts:
        raise StorageError(f"the copy in {target.location} does not match its source: copy again")
    return CopyReport(copied, present, feeds, counts)


def _conflict(target: Store, info: ArticleInfo) -> StorageError:
    return StorageError(
        f"{target.location} already holds another article #{info.id} (or this one under"
        " another number): copy into an empty library"
    )


async def _copy_feeds(source: Store, target: Store) -> int:
    """Each feed, and the entries it has seen that the target's copy has not."""
    feeds = await source.list_feeds()
    for feed in feeds:
        copy = await target.add_feed(feed.collection, feed.url, feed.title, feed.added_by)
        seen = await target.seen_entries(copy.id)
        for entry in await source.list_entries(feed.id):
            if entry.key not in seen:
                await target.record_entry(copy.id, entry)
    return len(feeds)


async def _counts(store: Store, collections: list[str]) -> dict[str, tuple[int, int, int]]:
    counts = {}
    for collection in collections:
        articles = await store.list_articles(collection)
        feeds = await store.list_feeds(collection)
        counts[collection] = (len(articles), sum(a.passages for a in articles), len(feeds))
    return counts

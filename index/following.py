"""Following feeds: register a feed, and poll feeds for entries not seen yet."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from index.errors import InputError
from index.guilds import Shards
from index.sources import Sources
from index.store.base import ArticleInfo, FeedInfo, Store
from index.web import FeedReport

log = logging.getLogger(__name__)


class Added(Protocol):
    """What adding a link reports (the library's AddResult)."""

    @property
    def status(self) -> str: ...

    @property
    def article(self) -> ArticleInfo: ...


AddUrl = Callable[[str, str, str | None], Awaitable[Added]]  # (collection, url, added_by)


class Following:
    """Feeds of every collection; new entries are added as articles with `add_url`."""

    def __init__(
        self,
        store: Store,
        sources: Sources,
        add_url: AddUrl,
    ) -> None:
        self._store = store
        self._sources = sources
        self._add_url = add_url

    async def add(self, collection: str, url: str, added_by: str | None) -> FeedInfo:
        """Register the feed at `url`, or the one the page at `url` links to."""
        feed_url, parsed = await self._sources.find_feed(url)
        return await self._store.add_feed(collection, feed_url, parsed.title, added_by)

    async def poll(self, collection: str | None, shards: Shards | None) -> list[FeedReport]:
        """One round over the feeds of a collection (or of all; of these shards' servers)."""
        feeds = await self._store.list_feeds(collection, shards)
        return [await self._poll(feed) for feed in feeds]

    async def _poll(self, feed: FeedInfo) -> FeedReport:
        """Poll one feed; its failure is recorded on it, never raised."""
        try:
            parsed = await self._sources.read_feed(feed.url)
            seen = await self._store.seen_entries(feed.id)
            added = failed = 0
            for entry in reversed(parsed.entries):  # oldest first
                if entry.key in seen or not await self._store.claim_entry(
                    feed.id, entry.key, entry.url
                ):
                    continue  # seen before, or just claimed by another poller
                try:
                    result = await self._add_url(feed.collection, entry.url, f"feed {feed.id}")
                except InputError as exc:
                    await self._store.record_entry(feed.id, entry.key, entry.url, None, str(exc))
                    failed += 1
                    continue
                await self._store.record_entry(
                    feed.id, entry.key, entry.url, result.article.id, None
                )
                added += result.status == "added"
        except InputError as exc:
            await self._store.record_poll(feed.id, None, str(exc))
            return FeedReport(feed.id, feed.url, 0, 0, str(exc))
        except Exception:
            log.exception("polling feed %s failed", feed.url)
            await self._store.record_poll(feed.id, None, "internal error (see the bot's log)")
            return FeedReport(feed.id, feed.url, 0, 0, "internal error")
        await self._store.record_poll(feed.id, parsed.title, None)
        return FeedReport(feed.id, feed.url, added, failed, None)

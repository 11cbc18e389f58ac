"""Following feeds: register a feed, and poll feeds for entries not added yet.

Each entry is claimed in the store before it is added, so two pollers never add it twice. An
entry that fails (its page timed out, was missing, ...) is tried again on a later poll, after a
wait that doubles with each failure (`FeedRetry`), until it is added or given up. A feed is
fetched with the validators of its last full read (`ETag`, `Last-Modified`), so an unchanged
feed costs one small request (304 Not Modified); its due retries still run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol

from index.errors import InputError
from index.guilds import Shards
from index.sources import Sources
from index.store.base import ArticleInfo, FeedEntry, FeedInfo, now
from index.store.community import CommunityStore
from index.web import FeedReport

log = logging.getLogger(__name__)

HOLD = 3600.0  # seconds a claimed entry is held: if its poller dies, it is tried again then


class Added(Protocol):
    """What adding a link reports (the library's AddResult)."""

    @property
    def status(self) -> str: ...

    @property
    def article(self) -> ArticleInfo: ...


AddUrl = Callable[[str, str, str | None], Awaitable[Added]]  # (collection, url, added_by)


@dataclass(frozen=True)
class FeedRetry:
    """When a failed entry is tried again: `first` seconds after its first failure, then after
    twice as long each time (at most `longest`), until `attempts` tries have failed."""

    first: float = 1800.0
    longest: float = 86400.0
    attempts: int = 8

    def next_try(self, failed: int) -> str | None:
        """When to try an entry that has failed `failed` times; None: give it up."""
        if failed >= self.attempts:
            return None
        return now(min(self.first * 2 ** (failed - 1), self.longest))


class Following:
    """Feeds of every collection; new entries are added as articles with `add_url`."""

    def __init__(
        self,
        store: CommunityStore,
        sources: Sources,
        add_url: AddUrl,
        retry: FeedRetry | None = None,
    ) -> None:
        self._store = store
        self._sources = sources
        self._add_url = add_url
        self._retry = retry or FeedRetry()

    async def add(self, collection: str, url: str, added_by: str | None) -> FeedInfo:
        """Register the feed at `url`, or the one the page at `url` links to."""
        feed_url, parsed = await self._sources.find_feed(url)
        return await self._store.add_feed(collection, feed_url, parsed.title, added_by)

    async def poll(self, collection: str | None, shards: Shards | None) -> list[FeedReport]:
        """One round over the feeds of a collection (or of all; of these shards' servers)."""
        feeds = await self._store.list_feeds(collection, shards)
        return [await self._poll(feed) for feed in feeds]

    async def _poll(self, feed: FeedInfo) -> FeedReport:
        """Poll one feed: its new entries and its entries due for another try; a failure of
        the feed itself is recorded on it, never raised."""
        try:
            parsed, page = await self._sources.read_feed(feed.url, (feed.etag, feed.last_modified))
            known = {e.key: e for e in await self._store.list_entries(feed.id)}
            due = now()
            todo = [e for e in known.values() if e.url and e.retry_at and e.retry_at <= due]
            for entry in reversed(parsed.entries if parsed else []):  # oldest first
                if entry.key not in known:
                    todo.append(FeedEntry(entry.key, entry.url, None, None))
            outcomes = [await self._try(feed, entry) for entry in todo]
        except InputError as exc:
            await self._store.record_poll(feed.id, None, str(exc))
            return FeedReport(feed.id, feed.url, 0, 0, str(exc))
        except Exception:
            log.exception("polling feed %s failed", feed.url)
            await self._store.record_poll(feed.id, None, "internal error (see the bot's log)")
            return FeedReport(feed.id, feed.url, 0, 0, "internal error")
        validators = None if parsed is None else (page.etag, page.last_modified)
        title = parsed.title if parsed else None
        await self._store.record_poll(feed.id, title, None, validators)
        added, failed = outcomes.count("added"), outcomes.count("failed")
        return FeedReport(feed.id, feed.url, added, failed, None)

    async def _try(self, feed: FeedInfo, entry: FeedEntry) -> str:
        """Claim an entry and add it: "added", "known" (already in the library), "failed"
        (to be tried again later, or given up), or "skipped" (another poller has it)."""
        assert entry.url is not None
        if not await self._store.claim_entry(feed.id, entry.key, entry.url, now(HOLD)):
            return "skipped"
        try:
            result = await self._add_url(feed.collection, entry.url, f"feed {feed.id}")
        except InputError as exc:
            failed = entry.attempts + 1
            retry_at = self._retry.next_try(failed)
            await self._store.record_entry(
                feed.id, replace(entry, error=str(exc), attempts=failed, retry_at=retry_at)
            )
            return "failed"
        added = replace(entry, article_id=result.article.id, error=None, retry_at=None)
        await self._store.record_entry(feed.id, added)
        topics = await self._store.feed_topics(feed.id)  # its articles inherit the feed's
        if topics and result.status == "added":
            await self._store.set_article_topics(feed.collection, result.article.id, topics)
        return "added" if result.status == "added" else "known"

"""Following feeds: a process polls only its shards' servers, no entry is added twice, failed
entries are tried again, unchanged feeds cost one small request."""

import asyncio
from dataclasses import replace

from index.following import FeedRetry
from index.guilds import Shards, guild_collection
from index.library import Library
from index.settings import LibrarySettings
from index.store import open_store
from index.store.base import FeedEntry
from index.web import FetchSettings
from tests.helpers.documents import LIGHTHOUSE, page, rss
from tests.helpers.website import Site

SETTINGS = LibrarySettings(fetch=FetchSettings(allow_private=True))
ON_SHARD_0 = 81384788765712384  # (id >> 22) % 2 == 0
ON_SHARD_1 = ON_SHARD_0 + (1 << 22)


async def test_a_poll_for_some_shards_reads_only_their_servers_feeds(
    location: str, site: Site
) -> None:
    """Feeds in a server of shard 0, one of shard 1 and the CLI's collection: shard 1's poll
    reads only shard 1's feed."""
    article = site.put("/light", page("Northern light", LIGHTHOUSE))
    feed = site.put("/feed.xml", rss([("Light", article)]), "application/rss+xml")
    async with Library.open(location, SETTINGS) as library:
        for collection in (guild_collection(ON_SHARD_0), guild_collection(ON_SHARD_1), "cli"):
            await library.add_feed(collection, feed)
        reports = await library.poll_feeds(shards=Shards(2, frozenset({1})))
        mine = await library.feeds(guild_collection(ON_SHARD_1))
        assert [r.feed_id for r in reports] == [f.id for f in mine]
        assert await library.articles(guild_collection(ON_SHARD_1))
        assert not await library.articles(guild_collection(ON_SHARD_0))
        assert not await library.articles("cli")


async def test_two_pollers_at_once_add_each_entry_once(location: str, site: Site) -> None:
    """Two libraries on one file (as two processes) poll the same feed at the same moment:
    each entry is claimed by one of them, and stored once."""
    links = [
        site.put(f"/story{n}", page(f"Story {n}", [f"Story {n}: {p}" for p in LIGHTHOUSE]))
        for n in range(4)
    ]
    feed = site.put(
        "/feed.xml",
        rss([(f"Story {n}", link) for n, link in enumerate(links)]),
        "application/rss+xml",
    )
    async with Library.open(location, SETTINGS) as one, Library.open(location, SETTINGS) as two:
        await one.add_feed("c", feed)
        first, second = await asyncio.gather(one.poll_feeds(), two.poll_feeds())
        articles = await one.articles("c")
        [listed] = await one.feeds("c")
    assert first[0].added + second[0].added == 4
    assert sorted(a.title or "" for a in articles) == [f"Story {n}" for n in range(4)]
    assert sum(site.hits[f"/story{n}"] for n in range(4)) == 4  # no page fetched twice
    assert (listed.entries, listed.articles) == (4, 4)


async def test_an_unchanged_feed_costs_one_small_request(location: str, site: Site) -> None:
    """The second poll presents the feed's ETag and gets 304 Not Modified: nothing is read
    or added again, the poll is not an error; a changed feed is read in full again."""
    one = site.put("/one", page("The Northern Light", LIGHTHOUSE))
    feed = site.put("/feed.xml", rss([("One", one)]), "application/rss+xml", etag='"v1"')
    async with Library.open(location, SETTINGS) as library:
        await library.add_feed("c", feed)
        await library.poll_feeds()
        [report] = await library.poll_feeds()
        assert site.not_modified["/feed.xml"] == 1
        assert (report.added, report.failed, report.error) == (0, 0, None)
        [info] = await library.feeds("c")
        assert (info.title, info.last_error, info.etag) == ("Coast News", None, '"v1"')
        two = site.put("/two", page("Two lamps", [f"Two: {p}" for p in LIGHTHOUSE]))
        site.put("/feed.xml", rss([("Two", two), ("One", one)]), "application/rss+xml", etag='"v2"')
        [report] = await library.poll_feeds()
        assert report.added == 1 and site.not_modified["/feed.xml"] == 1
        assert len(await library.articles("c")) == 2


async def test_a_feed_with_only_a_date_is_asked_if_modified_since(
    location: str, site: Site
) -> None:
    """A feed that gives only Last-Modified is asked with If-Modified-Since."""
    date = "Wed, 02 Dec 2026 10:00:00 GMT"
    feed = site.put("/feed.xml", rss([]), "application/rss+xml", last_modified=date)
    async with Library.open(location, SETTINGS) as library:
        await library.add_feed("c", feed)
        await library.poll_feeds()
        await library.poll_feeds()
    assert site.not_modified["/feed.xml"] == 1


async def entries(location: str) -> list[tuple[int, str | None, str | None]]:
    """(attempts, retry_at, error) of each entry of the first feed."""
    async with open_store(location) as store:
        listed: list[FeedEntry] = await store.list_entries(1)
    return [(e.attempts, e.retry_at, e.error) for e in listed]


def retrying(first: float, attempts: int = 8) -> LibrarySettings:
    return replace(SETTINGS, feed_retry=FeedRetry(first=first, attempts=attempts))


async def test_a_failed_entry_is_tried_again_on_a_later_poll(location: str, site: Site) -> None:
    """An entry whose page was missing is not dropped: once its wait is over, a later poll
    (of a feed that did not change) adds it."""
    link = f"{site.base}/late"
    feed = site.put("/feed.xml", rss([("Late", link)]), "application/rss+xml", etag='"v1"')
    async with Library.open(location, retrying(first=0)) as library:
        await library.add_feed("c", feed)
        [first] = await library.poll_feeds()
        assert (first.added, first.failed) == (0, 1)
        site.put("/late", page("The Northern Light", LIGHTHOUSE))
        [second] = await library.poll_feeds()
        assert (second.added, second.failed) == (1, 0)
        assert site.not_modified["/feed.xml"] == 1
        [article] = await library.articles("c")
        [info] = await library.feeds("c")
    assert article.title == "The Northern Light"
    assert (info.entries, info.articles) == (1, 1)


async def test_a_failed_entry_waits_before_its_next_try(location: str, site: Site) -> None:
    """Right after a failure the entry is not fetched again: it waits (30 minutes at first)."""
    feed = site.put("/feed.xml", rss([("Late", f"{site.base}/late")]), "application/rss+xml")
    async with Library.open(location, SETTINGS) as library:
        await library.add_feed("c", feed)
        await library.poll_feeds()
        await library.poll_feeds()
    [(attempts, retry_at, error)] = await entries(location)
    assert site.hits["/late"] == 1
    assert attempts == 1 and retry_at is not None and error


async def test_an_entry_that_keeps_failing_is_given_up(location: str, site: Site) -> None:
    """After its last allowed try an entry is no longer fetched; its error stays."""
    feed = site.put("/feed.xml", rss([("Gone", f"{site.base}/gone")]), "application/rss+xml")
    async with Library.open(location, retrying(first=0, attempts=3)) as library:
        await library.add_feed("c", feed)
        for _ in range(5):
            await library.poll_feeds()
    [(attempts, retry_at, error)] = await entries(location)
    assert site.hits["/gone"] == 3
    assert (attempts, retry_at) == (3, None) and "404" in error


async def test_two_pollers_retry_a_failed_entry_once(location: str, site: Site) -> None:
    """A due retry is claimed too: two pollers at once fetch the entry's page once."""
    feed = site.put("/feed.xml", rss([("Late", f"{site.base}/late")]), "application/rss+xml")
    settings = retrying(first=0)
    async with Library.open(location, settings) as one, Library.open(location, settings) as two:
        await one.add_feed("c", feed)
        await one.poll_feeds()
        site.put("/late", page("The Northern Light", LIGHTHOUSE))
        await asyncio.gather(one.poll_feeds(), two.poll_feeds())
        assert len(await one.articles("c")) == 1
    assert site.hits["/late"] == 2  # the failed try, then one retry


async def test_a_feeds_articles_inherit_its_topics(location: str, site: Site) -> None:
    """A feed given topics: the articles it adds carry them, and a question within the topic
    finds them."""
    article = site.put("/light", page("Northern light", LIGHTHOUSE))
    feed = site.put("/feed.xml", rss([("Light", article)]), "application/rss+xml")
    async with Library.open(location, SETTINGS) as library:
        info = await library.add_feed("c", feed)
        await library.community.set_feed_topics(info.id, ["Coast", "lights"])
        await library.poll_feeds()
        [added] = await library.articles("c")
        assert await library.community.article_topics("c") == {added.id: ["coast", "lights"]}
        assert await library.community.topics("c") == [("coast", 1), ("lights", 1)]

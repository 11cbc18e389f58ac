"""Following feeds: a process polls only its shards' servers, and no entry is added twice."""

import asyncio

from index.guilds import Shards, guild_collection
from index.library import Library
from index.settings import LibrarySettings
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

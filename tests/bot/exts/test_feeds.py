"""`/feed add, list, remove` and the background poller (bot/exts/feeds.py), against simcord."""

from __future__ import annotations

from typing import cast

import pytest
import simcord

from bot.app import Citebot
from bot.exts.feeds import Feeds
from bot.settings import Settings
from index import Library, guild_collection
from tests.helpers.documents import LIGHTHOUSE, page, rss
from tests.helpers.website import Site
from tests.helpers.world import World


def poller(world: World) -> Feeds:
    """The loaded cog (discord.py loads extensions as their own module objects)."""
    cog = world.env.bot.get_cog("Feeds")
    assert cog is not None
    return cast(Feeds, cog)


async def test_a_curator_follows_a_feed_and_its_entries_arrive(world: World, site: Site) -> None:
    """/feed add registers the feed; a poll adds its entries to this server's library."""
    one = site.put("/one", page("The Northern Light", LIGHTHOUSE))
    feed_url = site.put("/feed.xml", rss([("Lighthouse", one)]), "application/rss+xml")
    result = await world.curator.slash(world.channel, "feed add", url=feed_url)
    assert result.ephemeral and result.response is not None
    assert "Following `#1` [Coast News]" in result.response.content
    await poller(world).poll_once()
    [article] = await world.library.articles(world.collection)
    assert article.title == "The Northern Light"
    answer = await world.member.slash(world.channel, "ask", question="Who was the first keeper?")
    assert answer.response is not None
    assert "Thomas Reid" in answer.response.content


async def test_feed_list_shows_a_failing_feed(world: World, site: Site) -> None:
    """A feed that stopped answering is listed with its error."""
    feed_url = site.put("/feed.xml", rss([]), "application/rss+xml")
    await world.curator.slash(world.channel, "feed add", url=feed_url)
    del site.pages["/feed.xml"]
    await poller(world).poll_once()
    result = await world.curator.slash(world.channel, "feed list")
    assert result.response is not None
    assert "error: the server answered 404" in result.response.content


async def test_remove_stops_following(world: World, site: Site) -> None:
    """/feed remove forgets the feed; the list says there are none."""
    feed_url = site.put("/feed.xml", rss([]), "application/rss+xml")
    await world.curator.slash(world.channel, "feed add", url=feed_url)
    removed = await world.curator.slash(world.channel, "feed remove", feed=1)
    assert removed.response is not None
    assert removed.response.content.startswith("Stopped following Coast News")
    listed = await world.curator.slash(world.channel, "feed list")
    assert listed.response is not None
    assert "follows no feeds" in listed.response.content


async def test_a_feed_with_a_huge_title_gets_replies_within_discords_limit(
    world: World, site: Site
) -> None:
    """A feed titled with 2,506 characters: /feed add, list and remove all answer (Discord
    refused the reply before), and the title stored is short."""
    feed_url = site.put("/feed.xml", rss([], title="Harbour " * 313 + "xy"), "application/rss+xml")
    added = await world.curator.slash(world.channel, "feed add", url=feed_url)
    assert added.response is not None and added.response.content.startswith("Following `#1`")
    [stored] = await world.library.feeds(world.collection)
    assert stored.title is not None and len(stored.title) <= 200
    listed = await world.curator.slash(world.channel, "feed list")
    assert listed.response is not None and "`#1`" in listed.response.content
    removed = await world.curator.slash(world.channel, "feed remove", feed=1)
    assert removed.response is not None
    assert removed.response.content.startswith("Stopped following Harbour")


async def test_feed_list_pages_through_every_feed(world: World, site: Site) -> None:
    """Many feeds with long titles and links: /feed list pages by what fits, and every feed
    is on some page."""
    long_path = "/" + "f" * 300
    site.put(long_path, rss([], title="Long " * 40), "application/rss+xml")
    for n in range(1, 16):
        site.put(f"{long_path}{n}", rss([], title="Long " * 40), "application/rss+xml")
        await world.library.add_feed(world.collection, f"{site.base}{long_path}{n}")
    listed = await world.curator.slash(world.channel, "feed list")
    assert listed.response is not None
    seen = listed.response.content
    assert "Page 1 of" in seen
    while "`#15`" not in listed.response.message.content:
        await world.curator.click(listed.response, label="Next")
        seen += listed.response.message.content
    assert all(f"`#{n}` " in seen for n in range(1, 16))


async def test_members_cannot_see_feed_commands(world: World) -> None:
    """Like /article, /feed is for curators."""
    with pytest.raises(simcord.SetupError, match="not visible"):
        await world.member.slash(world.channel, "feed add", url="https://example.com/feed")


async def test_a_poll_once_stopping_has_begun_does_nothing(
    world: World, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    """When the library is closing, the poller's round ends quietly, adding nothing."""
    one = site.put("/one", page("The Northern Light", LIGHTHOUSE))
    feed_url = site.put("/feed.xml", rss([("Lighthouse", one)]), "application/rss+xml")
    await world.curator.slash(world.channel, "feed add", url=feed_url)
    await world.library.close()
    await poller(world).poll_once()
    assert not await world.library.articles(world.collection)
    assert "feed poll failed" not in caplog.text


async def test_a_process_running_some_shards_reads_only_their_servers_feeds(
    library: Library, settings: Settings, site: Site
) -> None:
    """The poller of a process running shard 1 of 2 reads the feeds of shard 1's servers only
    (another process reads the others')."""
    on_shard = {0: 2 << 22, 1: 1 << 22}  # (id >> 22) % 2 is the shard
    one = site.put("/one", page("The Northern Light", LIGHTHOUSE))
    feed_url = site.put("/feed.xml", rss([("Lighthouse", one)]), "application/rss+xml")
    for guild_id in on_shard.values():
        await library.add_feed(guild_collection(guild_id), feed_url)
    sharded = settings.model_copy(update={"shard_count": 2, "shard_ids": frozenset({1})})
    await Feeds(Citebot(library, sharded)).poll_once()
    assert await library.articles(guild_collection(on_shard[0])) == []
    [article] = await library.articles(guild_collection(on_shard[1]))
    assert article.title == "The Northern Light"

"""`/config` (bot/exts/config.py) and where the bot answers (bot/exts/ask.py), against
simcord's simulated Discord: settings in the library's database, curators only."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
import simcord

from bot.app import Citebot
from bot.errors import NotCurator
from bot.settings import Settings
from index import Library
from tests.bot.exts.test_ask import AMBASSADOR, add_sample, bot_mention
from tests.helpers.world import World, make_world

CURATORS_ONLY = "Only members with the Manage Server permission or the Librarians role"


async def test_config_show_prints_every_setting(world: World) -> None:
    """/config show: where mentions are answered, ask channels, channel topics, the log."""
    result = await world.curator.slash(world.channel, "config show")
    assert result.ephemeral and result.response is not None
    content = result.response.content
    for setting in ("Answers", "Ask channels", "Channel topics", "Question log"):
        assert f"**{setting}**" in content
    assert "everywhere" in content and "off (when on, kept 30 days)" in content


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("config show", {}),
        ("config answer-in", {"answer": True}),
        ("config answer-everywhere", {}),
        ("config ask-channel", {"on": False}),
        ("config channel-topics", {"topics": "news"}),
        ("config questions", {"keep": True}),
        ("config erase-questions", {}),
        ("article stats", {}),
        ("article topics", {"article": 1, "topics": "news"}),
    ],
)
async def test_members_without_the_permission_cannot_curate(
    world: World, command: str, options: dict[str, object]
) -> None:
    """Settings, stats, topics and erasing are refused to a member without Manage Server or
    the admin role, even where a server shows them the command; nothing changes."""
    registered = await world.env.bot.tree.fetch_commands()
    group = next(c for c in registered if c.name == command.split()[0])
    world.guild.set_command_permissions(group, {world.guild.default_role: True})
    result = await world.member.slash(world.channel, command, **options)
    assert result.ephemeral and result.response is not None
    assert result.response.content.startswith(CURATORS_ONLY)
    simcord.assert_error(world.env, NotCurator)
    assert (await world.library.community.settings(world.collection)).answer_channels == set()


async def test_a_mention_outside_the_listed_channels_gets_no_reply(
    world: World, shared: Path
) -> None:
    """With #general listed, a mention in #other gets no reply; /ask there gets a short
    private hint naming #general; a mention in #general is answered."""
    await add_sample(world, shared)
    other = world.guild.create_text_channel("other")
    done = await world.curator.slash(world.channel, "config answer-in", answer=True)
    assert (
        done.response is not None and f"answered in <#{world.channel.id}>" in done.response.content
    )
    await world.member.send(other, f"{bot_mention(world.env)} {AMBASSADOR}")
    assert [m.author.bot for m in other.history()] == [False]
    hinted = await world.member.slash(other, "ask", question=AMBASSADOR)
    assert hinted.ephemeral and hinted.response is not None
    assert (
        hinted.response.content
        == f"In this server I answer in <#{world.channel.id}> only: ask there."
    )
    await world.member.send(world.channel, f"{bot_mention(world.env)} {AMBASSADOR}")
    reply = world.channel.last_message
    assert reply is not None and reply.author.bot and "Denisov" in reply.content


async def last(channel: simcord.ChannelHandle) -> discord.Message:
    message = channel.last_message
    assert message is not None
    return message


async def test_answer_everywhere_clears_the_list(world: World, shared: Path) -> None:
    """A curator lists #other from #general: a mention in #general gets no reply; after
    answer-everywhere, a mention in any channel is answered again."""
    await add_sample(world, shared)
    other = world.guild.create_text_channel("other")
    listed = await world.curator.slash(
        world.channel, "config answer-in", answer=True, channel=other
    )
    assert listed.response is not None and f"answered in <#{other.id}>" in listed.response.content
    await world.member.send(world.channel, f"{bot_mention(world.env)} {AMBASSADOR}")
    assert not (await last(world.channel)).author.bot
    await world.curator.slash(world.channel, "config answer-everywhere")
    await world.member.send(other, f"{bot_mention(world.env)} {AMBASSADOR}")
    reply = other.last_message
    assert reply is not None and reply.author.bot and "Denisov" in reply.content


async def test_a_setting_changed_by_another_process_applies_at_once(
    world: World, shared: Path, settings: Settings
) -> None:
    """Another process (a second library on the same database) lists only #other: this bot
    stops answering mentions in #general at its next message."""
    await add_sample(world, shared)
    other = world.guild.create_text_channel("other")
    await world.member.send(world.channel, f"{bot_mention(world.env)} {AMBASSADOR}")
    assert world.channel.last_message is not None and world.channel.last_message.author.bot
    async with Library.open(settings.db) as elsewhere:
        await elsewhere.community.answer_in(world.collection, other.id, True)
    await world.member.send(world.channel, f"{bot_mention(world.env)} {AMBASSADOR}")
    last = world.channel.last_message
    assert last is not None and not last.author.bot


async def test_an_ask_channel_needs_the_message_content_intent(world: World) -> None:
    """Without CITEBOT_MESSAGE_CONTENT, enabling an ask channel explains what to turn on and
    where, and changes nothing."""
    result = await world.curator.slash(world.channel, "config ask-channel", on=True)
    assert result.response is not None
    content = result.response.content
    assert "Message Content Intent" in content and "CITEBOT_MESSAGE_CONTENT=1" in content
    assert "Developer Portal" in content and "Nothing was changed" in content
    assert (await world.library.community.settings(world.collection)).ask_channels == set()


@pytest.fixture
def content_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"message_content": True})


@pytest.fixture
def content_bot(library: Library, content_settings: Settings) -> Citebot:
    return Citebot(library, content_settings)


@pytest.mark.simcord(shard_count=1)
async def test_an_ask_channel_answers_every_message_that_matches(
    shared: Path, library: Library, content_bot: Citebot
) -> None:
    """With the intent, in an ask channel a message without a mention is answered when
    something matches, and passed over in silence when nothing does."""
    async with simcord.run(content_bot, shard_count=1) as env:
        world = make_world(env, library)
        assert content_bot.intents.message_content
        await add_sample(world, shared)
        done = await world.curator.slash(world.channel, "config ask-channel", on=True)
        assert done.response is not None and "is an ask channel" in done.response.content
        await world.member.send(world.channel, AMBASSADOR)
        reply = world.channel.last_message
        assert reply is not None and reply.author.bot and "Denisov" in reply.content
        await world.member.send(world.channel, "lol see you all tomorrow")
        last = world.channel.last_message
        assert last is not None and not last.author.bot
        await world.curator.slash(world.channel, "config channel-topics", topics="gardening")
        await world.curator.send(world.channel, AMBASSADOR)  # within its topic: nothing
        last = world.channel.last_message
        assert last is not None and not last.author.bot


async def test_questions_are_logged_only_once_turned_on_and_can_be_erased(
    world: World, shared: Path
) -> None:
    """Off by default: an /ask leaves nothing. On: it is kept, shown by /article stats, and
    /config erase-questions erases it after a confirmation."""
    await add_sample(world, shared)
    await world.member.slash(world.channel, "ask", question="Who won the zorblax cup?")
    assert (await world.library.community.usage(world.collection)).logged == 0
    turned = await world.curator.slash(world.channel, "config questions", keep=True, days=7)
    assert turned.response is not None and "kept for 7 days" in turned.response.content
    await world.member.slash(world.channel, "ask", question="Who won the zorblax cup?")
    stats = await world.curator.slash(world.channel, "article stats")
    assert stats.response is not None and "1× Who won the zorblax cup?" in stats.response.content
    asked = await world.curator.slash(world.channel, "config erase-questions")
    assert asked.response is not None
    erased = await world.curator.click(asked.response, label="Erase")
    assert erased.response is not None
    assert "Erased 1 question." in erased.response.message.content
    assert (await world.library.community.usage(world.collection)).logged == 0

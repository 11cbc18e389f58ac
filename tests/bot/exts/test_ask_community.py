"""Topics, follow-ups, did you mean, votes and `/article stats`, and answer buttons after a
restart (bot/exts/ask.py, bot/buttons.py, bot/exts/articles.py), against simcord."""

from __future__ import annotations

import discord
import simcord

from bot.app import Citebot
from bot.buttons import REMOVED, UPDATED
from bot.settings import Settings
from index import InputError, Library
from tests.bot.exts.test_ask import bot_mention
from tests.helpers.documents import LIGHTHOUSE, page
from tests.helpers.website import Site
from tests.helpers.world import World

NORWAY = "Norway treaty\n\nThe Norway treaty was signed in 1905 after long talks in Oslo."
GAS = (
    "Gas deal\n\nKazakhstan negotiated a gas deal with Russia for many months. "
    "The agreement was signed in March 2019 in Astana."
)
MOLES = "Moles\n\nMoles dig tunnels with their broad front paws and eat earthworms underground."
OTTERS = "Otters\n\nSea otters dig for clams and crack them open on their bellies while floating."


async def last_bot_message(channel: simcord.ChannelHandle) -> discord.Message:
    message = channel.last_message
    assert message is not None and message.author.bot, message
    return message


# --- topics --------------------------------------------------------------------------------


async def test_articles_carry_topics_shown_and_changed(world: World) -> None:
    """/article add topic sets an article's topics; list and show show them; /article topics
    changes them."""
    added = await world.curator.slash(
        world.channel, "article add", text=MOLES, topic="Garden, Soil"
    )
    assert added.response is not None and "Added `#1`" in added.response.content
    listed = await world.curator.slash(world.channel, "article list")
    assert listed.response is not None and "garden, soil" in listed.response.content
    changed = await world.curator.slash(world.channel, "article topics", article=1, topics="pests")
    assert changed.response is not None and "pests" in changed.response.content
    shown = await world.curator.slash(world.channel, "article show", article=1)
    assert shown.response is not None and "Topics: pests" in shown.response.content


async def test_a_bad_topic_is_one_line_and_adds_nothing(world: World) -> None:
    """A topic with odd characters is refused in one line, and the article is not added."""
    result = await world.curator.slash(world.channel, "article add", text=MOLES, topic="<b>")
    assert result.response is not None and "is not a topic" in result.response.content
    simcord.assert_error(world.env, InputError)
    assert await world.library.articles(world.collection) == []


async def test_ask_within_a_topic_and_its_autocomplete(world: World) -> None:
    """/ask topic searches only that topic's articles; its autocomplete offers the topics."""
    await world.curator.slash(world.channel, "article add", text=MOLES, topic="garden")
    await world.curator.slash(world.channel, "article add", text=OTTERS, topic="sea")
    choices = await world.member.autocomplete(world.channel, "ask", "topic", "ga")
    assert [c["value"] for c in choices] == ["garden"]
    asked = await world.member.slash(world.channel, "ask", question="What digs?", topic="sea")
    assert asked.response is not None
    assert "otters" in asked.response.content and "Moles" not in asked.response.content
    none = await world.member.slash(world.channel, "ask", question="Earthworms?", topic="sea")
    assert none.response is not None and "No passage" in none.response.content
    assert "Only the articles of these topics were searched: sea." in none.response.content


async def test_a_channel_bound_to_a_topic_answers_only_from_it(world: World) -> None:
    """#general bound to "garden": a mention there finds only the garden article; in another
    channel the same question finds the sea article too."""
    await world.curator.slash(world.channel, "article add", text=MOLES, topic="garden")
    await world.curator.slash(world.channel, "article add", text=OTTERS, topic="sea")
    bound = await world.curator.slash(world.channel, "config channel-topics", topics="Garden")
    assert bound.response is not None and "search only: garden" in bound.response.content
    other = world.guild.create_text_channel("other")
    question = f"{bot_mention(world.env)} Which animals dig for clams and crack them?"
    await world.member.send(other, question)
    assert "otters" in (await last_bot_message(other)).content
    await world.member.send(world.channel, question)
    reply = await last_bot_message(world.channel)
    assert "otters" not in reply.content


# --- follow-ups ----------------------------------------------------------------------------


async def ask_gas_deal(world: World) -> discord.Message:
    await world.add(None, NORWAY)
    await world.add(None, GAS)
    await world.member.send(
        world.channel, f"{bot_mention(world.env)} Who made the gas deal with Russia?"
    )
    return await last_bot_message(world.channel)


async def test_a_reply_to_an_answer_is_a_follow_up(world: World) -> None:
    """ "When was it signed?" alone quotes the Norway treaty; as a reply to the answer about
    the gas deal with Russia, it quotes the deal's date, under both questions."""
    first = await ask_gas_deal(world)
    await world.member.send(world.channel, f"{bot_mention(world.env)} When was it signed?")
    assert "1905" in (await last_bot_message(world.channel)).content
    await world.member.send(
        world.channel, f"{bot_mention(world.env)} When was it signed?", reply_to=first
    )
    follow_up = await last_bot_message(world.channel)
    assert "March 2019" in follow_up.content
    assert follow_up.content.startswith("-# Q: When was it signed?\n-# After: Who made the gas")


async def test_a_mention_in_a_thread_started_from_an_answer_is_a_follow_up(
    world: World,
) -> None:
    """A thread started from the answer: a mention there follows up, answered in the thread."""
    first = await ask_gas_deal(world)
    world.env.backend.create_thread(
        world.channel.id, "about the deal", world.member.id, message_id=first.id
    )
    [thread] = world.channel.threads
    await world.member.send(thread, f"{bot_mention(world.env)} When was it signed?")
    assert "March 2019" in (await last_bot_message(thread)).content


async def test_the_follow_up_button_opens_a_form_answered_in_the_channel(world: World) -> None:
    """Follow up opens a form; its question is answered in the channel, as a follow-up."""
    first = await ask_gas_deal(world)
    shown = await world.member.click(first, label="Follow up")
    assert shown.modal is not None
    answered = await world.member.submit_modal(shown, {"question": "When was it signed?"})
    assert answered.response is not None and not answered.ephemeral
    assert "March 2019" in answered.response.content


# --- did you mean --------------------------------------------------------------------------


async def test_did_you_mean_suggests_words_the_library_holds(world: World) -> None:
    """A misspelt word: the no-match suggests the library's word, and its button asks the
    corrected question; a word far from any gets no suggestion."""
    await world.add(None, MOLES)
    asked = await world.member.slash(world.channel, "ask", question="What do moels eat?")
    assert asked.response is not None
    assert "Did you mean: **What do moles eat?**" in asked.response.content
    retried = await world.member.click(asked.response, label="Ask: What do moles eat?")
    assert retried.response is not None and "earthworms" in retried.response.content
    far = await world.member.slash(world.channel, "ask", question="What do zebras eat?")
    assert far.response is not None and "Did you mean" not in far.response.content
    assert not far.response.components
    useless = "Do moels fear the zorblax of Quetzalcoatl?"  # fixed, it would still find nothing
    vain = await world.curator.slash(world.channel, "ask", question=useless)
    assert vain.response is not None and "No passage" in vain.response.content
    assert "Did you mean" not in vain.response.content


# --- votes and stats -----------------------------------------------------------------------


async def test_votes_show_in_stats_with_their_questions(world: World) -> None:
    """Two members vote not helpful (one changes a helpful vote); stats show the passage
    with its count and its question, the question that found nothing, and the answering
    article."""
    await world.add("Moles", MOLES)
    await world.curator.slash(world.channel, "config questions", keep=True)
    asked = await world.member.slash(world.channel, "ask", question="What do moles eat?")
    assert asked.response is not None
    thanks = await world.member.click(asked.response, label="Helpful")
    assert thanks.ephemeral and thanks.response is not None
    assert "marked this answer helpful" in thanks.response.content
    await world.member.click(asked.response, label="Not helpful")
    await world.curator.click(asked.response, label="Not helpful")
    await world.member.slash(world.channel, "ask", question="Where do penguins nest?")
    stats = await world.curator.slash(world.channel, "article stats")
    assert stats.response is not None and stats.ephemeral
    content = stats.response.content
    assert "1× Where do penguins nest?" in content
    assert "`#1` Moles, the passage “" in content
    assert "Moles dig tunnels with their broad front paws" in content
    assert "…”: 2 not helpful, 0 helpful; asked: “What do moles eat?”" in content
    assert "`#1` Moles: 1 answer" in content


# --- after a restart -----------------------------------------------------------------------


async def restart(world: World, settings: Settings, library: Library) -> None:
    """The bot process is replaced: a new bot on a newly opened library, nothing remembered."""
    await world.env.restart_bot(Citebot(library, settings))


async def test_buttons_keep_working_after_a_restart(world: World, settings: Settings) -> None:
    """After a restart, Next pages (the question read back from the message), Whole passage
    shows the passage, and a vote counts; once the article is removed, its button says so."""
    await world.add(None, MOLES)
    await world.add(None, OTTERS)
    asked = await world.member.slash(world.channel, "ask", question="What digs?")
    assert asked.response is not None and "Result 1 of 2" in asked.response.content
    async with Library.open(settings.db) as reopened:
        await restart(world, settings, reopened)
        await world.member.click(asked.response, label="Next")
        message = asked.response.message
        paged = world.channel.history()[-1]
        assert paged.id == message.id and "Result 2 of 2" in paged.content
        shown = await world.curator.click(paged, label="Whole passage")
        assert shown.ephemeral and shown.response is not None
        voted = await world.curator.click(paged, label="Not helpful")
        assert voted.response is not None and "not helpful" in voted.response.content
        assert (await reopened.community.usage(world.collection)).unhelpful
        for article in await reopened.articles(world.collection):
            await reopened.remove(world.collection, article.id)
        gone = await world.curator.click(paged, label="Whole passage")
        assert gone.response is not None and gone.response.content == REMOVED
        turned = await world.member.click(paged, label="Previous")
        assert turned.response is not None and turned.response.content == REMOVED


async def test_a_button_whose_passage_changed_says_the_article_was_updated(
    world: World, site: Site
) -> None:
    """The article's page changed and was refreshed: its old passage's button says so (the
    article is still there), rather than that it was removed."""
    url = site.put("/light", page("Northern light", LIGHTHOUSE))
    await world.library.add_url(world.collection, url)
    asked = await world.member.slash(world.channel, "ask", question="Who was the first keeper?")
    assert asked.response is not None and "Thomas Reid" in asked.response.content
    opening = "A new opening paragraph tells of the storms that batter the northern coast."
    site.put("/light", page("Northern light", [opening, *LIGHTHOUSE]))
    [article] = await world.library.articles(world.collection)
    assert (await world.library.refresh(world.collection, article.id)).status == "updated"
    pressed = await world.member.click(asked.response, label="Whole passage")
    assert pressed.response is not None and pressed.response.content == UPDATED

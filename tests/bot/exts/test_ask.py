"""`/ask` and questions in mentions (bot/exts/ask.py), against simcord's simulated Discord."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import simcord

from bot.app import ASK_PER, ASK_RATE
from bot.errors import OnCooldown
from index import Library
from index.ingest import load_file
from tests.helpers.world import World, make_world

XI_QUESTION = "What did Xi Jinping say about the relationship between China and Russia?"
AMBASSADOR = "Who is Russia's ambassador to China?"
COOPERATION = "How are China and Russia cooperating?"  # a broad question: several results
URL = "https://example.com/china-russia"


async def add_sample(world: World, shared: Path) -> int:
    """The sample article as every adding path reads it: cleaned of its page furniture."""
    document = load_file(shared / "samples/china-russia-article.txt")
    return await world.add(document.title, document.text, url=URL)


def bot_mention(env: simcord.Env) -> str:
    assert env.bot.user is not None
    return env.bot.user.mention


def no_mentions_on_every_send(env: simcord.Env) -> None:
    """Every request that posts or edits a message carries allowed_mentions that ping no one."""
    sends = [
        r
        for r in env.http_requests
        if r.method in ("POST", "PATCH")
        and isinstance(r.json, dict)
        and ("content" in r.json or "data" in r.json)
        and "/commands" not in r.path
    ]
    assert sends
    for request in sends:
        body = request.json.get("data", request.json)
        if "content" not in body:
            continue
        assert body.get("allowed_mentions") == {"parse": []} or body.get("allowed_mentions") == {
            "parse": [],
            "replied_user": False,
        }, request


# --- /ask ----------------------------------------------------------------------------------


async def test_ask_answers_with_the_quote_in_bold_and_the_source(
    world: World, shared: Path
) -> None:
    """/ask answers in the channel: the quote as a block quote, matched terms bold, its source."""
    await add_sample(world, shared)
    result = await world.member.slash(world.channel, "ask", question=XI_QUESTION)
    assert result.response is not None and not result.ephemeral
    content = result.response.content
    assert content.startswith("-# Q: What did Xi Jinping say")
    assert "\n> The **relationship** between **China** and **Russia** cannot be broken" in content
    assert f"(<{URL}#:~:text=" in content  # the title links to the quote in the page


async def test_ask_private_answers_only_the_asker(world: World, shared: Path) -> None:
    """private: True makes the answer ephemeral."""
    await add_sample(world, shared)
    result = await world.member.slash(world.channel, "ask", question=XI_QUESTION, private=True)
    assert result.ephemeral
    assert result.response is not None and "cannot be broken" in result.response.content


async def test_next_button_shows_the_next_result(world: World, shared: Path) -> None:
    """Next pages to result 2 of 3, and Previous becomes available."""
    await add_sample(world, shared)
    asked = await world.member.slash(world.channel, "ask", question=COOPERATION, results=3)
    assert asked.response is not None
    assert "Result 1 of 3" in asked.response.content
    await world.member.click(asked.response, label="Next")
    message = world.channel.last_message
    assert message is not None and "Result 2 of 3" in message.content
    buttons = {b.label: b.disabled for row in message.components for b in row.children}
    assert buttons["Previous"] is False and buttons["Next"] is False


async def test_results_option_limits_the_results(world: World, shared: Path) -> None:
    """results: 1 shows one result and no paging buttons."""
    await add_sample(world, shared)
    asked = await world.member.slash(world.channel, "ask", question=XI_QUESTION, results=1)
    assert asked.response is not None
    assert "Result 1 of" not in asked.response.content
    labels = [b.label for row in asked.response.message.components for b in row.children]
    assert labels == ["Whole passage", "Helpful", "Not helpful", "Follow up"]


async def test_only_the_asker_can_page(world: World, shared: Path) -> None:
    """Another member pressing Next is told privately that only the asker can page."""
    await add_sample(world, shared)
    asked = await world.member.slash(world.channel, "ask", question=COOPERATION)
    assert asked.response is not None
    clicked = await world.curator.click(asked.response, label="Next")
    assert clicked.ephemeral and clicked.response is not None
    assert "can page through these results" in clicked.response.content
    assert "Result 1 of 3" in asked.response.message.content


async def test_whole_passage_button_shows_the_passage_privately(world: World, shared: Path) -> None:
    """Whole passage sends the result's full passage to whoever pressed it, privately."""
    await add_sample(world, shared)
    asked = await world.member.slash(world.channel, "ask", question=AMBASSADOR)
    assert asked.response is not None
    shown = await world.curator.click(asked.response, label="Whole passage")
    assert shown.ephemeral and shown.response is not None
    assert "Denisov" in shown.response.content
    assert len(shown.response.content) > len(asked.response.content) // 2


async def test_no_match_says_so_with_a_hint(world: World, shared: Path) -> None:
    """A question the library cannot answer gets a plain no-match naming the unknown words."""
    await add_sample(world, shared)
    result = await world.member.slash(world.channel, "ask", question="Who won the zorblax cup?")
    assert result.response is not None
    content = result.response.content
    assert "No passage in this library matches" in content
    assert "zorblax" in content
    assert not result.response.components


async def test_ask_in_an_empty_library_says_it_is_empty(world: World) -> None:
    """With no articles, the answer says an admin can add some."""
    result = await world.member.slash(world.channel, "ask", question=XI_QUESTION)
    assert result.response is not None
    assert "no articles yet" in result.response.content


async def test_servers_never_see_each_others_articles(
    simcord_env: simcord.Env, library: Library, shared: Path
) -> None:
    """An article added in one server is never used to answer in another."""
    first = make_world(simcord_env, library, "First")
    second = make_world(simcord_env, library, "Second")
    await add_sample(first, shared)
    there = await second.member.slash(second.channel, "ask", question=AMBASSADOR)
    here = await first.member.slash(first.channel, "ask", question=AMBASSADOR)
    assert there.response is not None and "no articles yet" in there.response.content
    assert here.response is not None and "Denisov" in here.response.content


async def test_an_article_another_process_adds_is_answered(
    world: World, shared: Path, tmp_path: Path
) -> None:
    """`citebot add` in another process, to this server's collection while the bot runs:
    the next /ask quotes it, and the next /article add with new words succeeds."""
    await add_sample(world, shared)
    await world.member.slash(world.channel, "ask", question=AMBASSADOR)  # loaded in memory
    note = tmp_path / "cloves.txt"
    note.write_text("Zanzibar quays unload cloves at dawn each day.")
    citebot = [str(Path(sys.executable).parent / "citebot"), "--db", str(world.library.location)]
    done = await asyncio.to_thread(
        subprocess.run,
        [*citebot, "--collection", world.collection, "add", str(note)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = await world.member.slash(world.channel, "ask", question="When are cloves unloaded?")
    assert answer.response is not None and "at dawn" in answer.response.content
    added = await world.curator.slash(
        world.channel, "article add", text="Quokkas on Rottnest island smile at ferries."
    )
    assert added.response is not None and "Added `#3`" in added.response.content


async def test_article_text_cannot_ping_or_format(world: World) -> None:
    """@everyone, user mentions and Markdown in an article are shown inert, never pinging."""
    await world.add(
        "Mischief",
        "Otters gather at dawn and @everyone in the colony <@123456789012345678> hears "
        "the **loud** call of the eldest otter.",
    )
    result = await world.member.slash(world.channel, "ask", question="When do otters gather?")
    assert result.response is not None
    content = result.response.content
    assert "@everyone" not in content and "@\u200beveryone" in content
    assert "<@123456789012345678>" not in content
    assert "\\*\\*loud\\*\\*" in content
    no_mentions_on_every_send(world.env)


async def test_ask_has_a_per_user_cooldown(world: World, shared: Path) -> None:
    """Past the rate, /ask refuses privately with the wait; after the window it answers again."""
    await add_sample(world, shared)
    for _ in range(ASK_RATE):
        ok = await world.member.slash(world.channel, "ask", question=AMBASSADOR)
        assert ok.response is not None and "Denisov" in ok.response.content
    refused = await world.member.slash(world.channel, "ask", question=AMBASSADOR)
    assert refused.ephemeral and refused.response is not None
    assert f"try again in {ASK_PER:.0f} s" in refused.response.content
    simcord.assert_error(world.env, OnCooldown)
    other = await world.curator.slash(world.channel, "ask", question=AMBASSADOR)
    assert other.response is not None and "Denisov" in other.response.content
    await world.env.advance_time(ASK_PER)
    again = await world.member.slash(world.channel, "ask", question=AMBASSADOR)
    assert again.response is not None and "Denisov" in again.response.content


# --- mentions ------------------------------------------------------------------------------


async def test_mention_is_answered_as_a_reply(world: World, shared: Path) -> None:
    """A message mentioning the bot with a question gets the answer as a reply to it."""
    await add_sample(world, shared)
    asked = await world.member.send(world.channel, f"{bot_mention(world.env)} {AMBASSADOR}")
    reply = world.channel.last_message
    assert reply is not None and reply.author.id == world.env.bot.user.id
    assert reply.reference is not None and reply.reference.message_id == asked.id
    assert "Denisov" in reply.content
    assert not world.env.bot.intents.message_content  # no privileged intent needed


async def test_mention_reply_pings_no_one(world: World, shared: Path) -> None:
    """The reply to a mention does not ping its author (nor anyone)."""
    await add_sample(world, shared)
    await world.member.send(world.channel, f"{bot_mention(world.env)} {AMBASSADOR}")
    no_mentions_on_every_send(world.env)
    reply = world.channel.last_message
    assert reply is not None and not reply.mentions


async def test_message_without_mention_is_ignored(world: World, shared: Path) -> None:
    """A question in the channel that does not mention the bot gets no answer."""
    await add_sample(world, shared)
    sent = await world.member.send(world.channel, AMBASSADOR)
    assert world.channel.last_message is not None
    assert world.channel.last_message.id == sent.id


async def test_mention_without_question_explains_how_to_ask(world: World) -> None:
    """A bare mention is answered with how to ask."""
    await world.member.send(world.channel, bot_mention(world.env))
    reply = world.channel.last_message
    assert reply is not None and "mention me with your question" in reply.content


async def test_direct_message_is_refused_politely(simcord_env: simcord.Env) -> None:
    """In DMs the bot explains that it works in servers."""
    user = simcord_env.create_user("dmer")
    await user.send_dm("Who is Russia's ambassador to China?")
    reply = user.dm_channel.last_message
    assert reply is not None and "servers only" in reply.content

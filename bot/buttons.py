"""The buttons under an answer, which keep working after the bot restarts.

Each is a discord.py `DynamicItem`: its state is in its `custom_id` (at most 100 characters),
so any process can handle a press, whenever it comes. Paging carries the asker, the result to
show, how many there are, that result's article and the `/ask` topic; "Whole passage" and the
votes carry the passage (its article, where it starts, and a fingerprint of its text);
"Follow up" needs nothing (the question is in the message); "Ask: ..." carries the question it
asks. A button whose article was removed since says so, and one whose passage changed (its
article was updated) says that. Errors go through the one error path (`errors.report_error`).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Self

import discord

from bot import answers, render
from bot.answers import Asked
from bot.checks import citebot_of, collection_of
from bot.errors import NO_MENTIONS, OnCooldown, UserError, report_error
from bot.views import BaseModal
from index import Answer, Result

log = logging.getLogger(__name__)

CUSTOM_ID_MAX = 100
DIGEST = 10  # hex digits of a passage's fingerprint in a custom_id
REMOVED = "That article was removed from this server's library."
UPDATED = "That passage is no longer in its article (the article was updated): ask again."
CHANGED = "The library has changed since this answer: ask again."
NOT_AN_ANSWER = "This message no longer shows its question: ask again."
Button = discord.ui.Button[discord.ui.View]


async def _guarded(interaction: discord.Interaction, work: Callable[[], Awaitable[None]]) -> None:
    try:
        await work()
    except Exception as exc:
        await report_error(interaction, exc)


async def _private(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(
        render.fit(text), ephemeral=True, allowed_mentions=NO_MENTIONS
    )


def check_cooldown(interaction: discord.Interaction) -> None:
    retry_after = citebot_of(interaction).ask_cooldown.hit(interaction.user.id)
    if retry_after:
        raise OnCooldown(retry_after)


def digest(passage: str) -> str:
    """A short fingerprint of a passage's text, carried by the buttons that name it, so that
    a passage changed since (its article was updated) is told from the one they showed."""
    return hashlib.sha256(passage.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST]


async def _passage_or_removed(
    interaction: discord.Interaction, article: int, start: int, fingerprint: str
) -> Result | None:
    """The passage a button names; None (after saying the article was removed, or updated)
    when it is no longer there as it was."""
    community = citebot_of(interaction).library.community
    collection = collection_of(interaction)
    found = await community.passage(collection, article, start)
    if found is None or digest(found.passage) != fingerprint:
        found = None
        gone = not await community.has_article(collection, article)
        await _private(interaction, REMOVED if gone else UPDATED)
    return found


class PageButton(
    discord.ui.DynamicItem[Button],
    template=r"cb:pg:(?P<way>[pn]):(?P<owner>\d+):(?P<index>\d+):(?P<count>\d+):"
    r"(?P<article>\d+):(?P<topic>[^:]*)",
):
    """Previous or Next: shows another result of the same answer (to the asker only)."""

    def __init__(
        self, way: str, owner: int, index: int, count: int, article: int, topic: str
    ) -> None:
        label, emoji = ("Previous", "\N{BLACK LEFT-POINTING TRIANGLE}") if way == "p" else (
            "Next", "\N{BLACK RIGHT-POINTING TRIANGLE}")  # fmt: skip
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji=emoji,
                row=0,
                custom_id=f"cb:pg:{way}:{owner}:{index}:{count}:{article}:{topic}",
            )
        )
        self.owner, self.index, self.count = owner, index, count
        self.article, self.topic = article, topic

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["way"], int(match["owner"]), int(match["index"]), int(match["count"]),
                   int(match["article"]), match["topic"])  # fmt: skip

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, lambda: self._turn(interaction))

    async def _turn(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.owner:
            await _private(
                interaction, f"Only <@{self.owner}> can page through these results; ask your own."
            )
            return
        asked_answer = await _recall(interaction, self.topic, self.count)
        if asked_answer is None:
            await _private(interaction, NOT_AN_ANSWER)
            return
        asked, answer = asked_answer
        results = answer.results
        shown = results[self.index] if self.index < len(results) else None
        if shown is None or shown.article.id != self.article:
            await _private(interaction, CHANGED if shown is not None else REMOVED)
            return
        named = (shown.article.id, shown.passage_start, digest(shown.passage))
        if await _passage_or_removed(interaction, *named) is None:
            return
        view = answer_view(asked, answer, self.owner, self.index)
        await interaction.response.edit_message(
            content=answers.content(asked, answer, self.index),
            view=view,
            allowed_mentions=NO_MENTIONS,
        )


async def _recall(
    interaction: discord.Interaction, topic: str, count: int
) -> tuple[Asked, Answer] | None:
    """The answer a message shows: remembered by this process, else asked again from the
    question the message shows (None when it shows none)."""
    message = interaction.message
    assert message is not None and interaction.guild_id is not None  # a button of a message
    bot = citebot_of(interaction)
    remembered = bot.answers.get(message.id)
    if remembered is not None:
        return remembered
    found = answers.asked_in(message.content)
    if found is None:
        return None
    question, earlier = found
    asked = Asked(question, earlier, await channel_topics(interaction, topic), topic)
    answer = await answers.ask(bot.library, interaction.guild_id, asked, count)
    bot.answers.put(message.id, asked, answer)
    return asked, answer


async def channel_topics(interaction: discord.Interaction, topic: str = "") -> tuple[str, ...]:
    """The topics a question here is asked within: the chosen one, else the channel's."""
    if topic:
        return (topic,)
    channel = interaction.channel
    parent = getattr(channel, "parent_id", None)
    settings = await citebot_of(interaction).library.community.settings(collection_of(interaction))
    return settings.topics_in(interaction.channel_id, parent)


class PassageButton(
    discord.ui.DynamicItem[Button],
    template=r"cb:ps:(?P<article>\d+):(?P<start>\d+):(?P<digest>[0-9a-f]+)",
):
    """Whole passage: the passage the answer quotes, privately, to whoever pressed."""

    def __init__(self, article: int, start: int, fingerprint: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Whole passage",
                style=discord.ButtonStyle.primary,
                row=0,
                custom_id=f"cb:ps:{article}:{start}:{fingerprint}",
            )
        )
        self.article, self.start, self.digest = article, start, fingerprint

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["article"]), int(match["start"]), match["digest"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async def show() -> None:
            result = await _passage_or_removed(interaction, self.article, self.start, self.digest)
            if result is not None:
                await _private(interaction, render.render_passage(result))

        await _guarded(interaction, show)


class VoteButton(
    discord.ui.DynamicItem[Button],
    template=r"cb:vt:(?P<helpful>[01]):(?P<article>\d+):(?P<start>\d+):(?P<digest>[0-9a-f]+)",
):
    """Helpful / Not helpful: one vote per member and answer, which a second press changes."""

    def __init__(self, helpful: bool, article: int, start: int, fingerprint: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Helpful" if helpful else "Not helpful",
                emoji="\N{THUMBS UP SIGN}" if helpful else "\N{THUMBS DOWN SIGN}",
                row=1,
                custom_id=f"cb:vt:{int(helpful)}:{article}:{start}:{fingerprint}",
            )
        )
        self.helpful, self.article, self.start, self.digest = helpful, article, start, fingerprint

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(
            match["helpful"] == "1", int(match["article"]), int(match["start"]), match["digest"]
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        await _guarded(interaction, lambda: self._vote(interaction))

    async def _vote(self, interaction: discord.Interaction) -> None:
        if await _passage_or_removed(interaction, self.article, self.start, self.digest) is None:
            return
        assert interaction.message is not None
        await citebot_of(interaction).library.community.vote(
            collection_of(interaction),
            interaction.message.id,
            interaction.user.id,
            self.helpful,
            self.article,
            self.start,
        )
        said = "helpful" if self.helpful else "not helpful"
        await _private(
            interaction,
            f"Thanks: you marked this answer {said}. Press the other button to change your vote.",
        )


class FollowUpButton(discord.ui.DynamicItem[Button], template=r"cb:fu"):
    """Follow up: a form for a question that continues this one, answered here."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="Follow up", row=1, custom_id="cb:fu"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        async def open_form() -> None:
            assert interaction.message is not None
            earlier = answers.follow_up_of(interaction.message.content)
            if earlier is None:
                await _private(interaction, NOT_AN_ANSWER)
                return
            await interaction.response.send_modal(FollowUpModal(earlier))

        await _guarded(interaction, open_form)


class FollowUpModal(BaseModal, title="Follow up"):
    """The follow-up question; the answer is posted in the same channel or thread."""

    question: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Your follow-up question",
        custom_id="question",
        placeholder="And when was that?",
        max_length=500,
    )

    def __init__(self, earlier: str) -> None:
        super().__init__()
        self.earlier = earlier

    async def on_submit(self, interaction: discord.Interaction) -> None:
        check_cooldown(interaction)
        topics = await channel_topics(interaction)
        asked = Asked(self.question.value, self.earlier, topics)
        await respond(interaction, asked)


class RetryButton(discord.ui.DynamicItem[Button], template=r"cb:dym:(?P<question>.+)"):
    """Ask: <the question with the suggested words>, for "did you mean"."""

    PREFIX = "cb:dym:"

    def __init__(self, question: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=render.shorten(f"Ask: {question}", 80),
                style=discord.ButtonStyle.primary,
                custom_id=self.PREFIX + question,
            )
        )
        self.question = question

    @classmethod
    def fits(cls, question: str) -> bool:
        return len(cls.PREFIX + question) <= CUSTOM_ID_MAX

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(match["question"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async def retry() -> None:
            check_cooldown(interaction)
            asked = Asked(self.question, topics=await channel_topics(interaction))
            await respond(interaction, asked)

        await _guarded(interaction, retry)


DYNAMIC_ITEMS = (PageButton, PassageButton, VoteButton, FollowUpButton, RetryButton)


def answer_view(
    asked: Asked, answer: Answer, owner: int, index: int = 0, retry: str | None = None
) -> discord.ui.View | None:
    """The buttons under an answer showing result `index` (None when there are none): paging,
    the whole passage, the votes and "Follow up"; under a no-match, "Ask: `retry`"."""
    view = discord.ui.View(timeout=None)
    results = answer.results
    if not results:
        if retry is not None and RetryButton.fits(retry):
            view.add_item(RetryButton(retry))
        return view if view.children else None
    count = len(results)
    if count > 1:
        for way, target in (("p", max(index - 1, 0)), ("n", min(index + 1, count - 1))):
            button = PageButton(way, owner, target, count, results[target].article.id, asked.topic)
            button.item.disabled = target == index
            view.add_item(button)
    shown = results[index]
    named = (shown.article.id, shown.passage_start, digest(shown.passage))
    view.add_item(PassageButton(*named))
    for helpful in (True, False):
        view.add_item(VoteButton(helpful, *named))
    view.add_item(FollowUpButton())
    return view


async def respond(
    interaction: discord.Interaction, asked: Asked, k: int = 3, private: bool | None = None
) -> None:
    """Answer a question as this interaction's response, in its channel (privately if
    `private`; by default where the message pressed was private); the answer is remembered,
    and logged where the server keeps questions."""
    if interaction.guild_id is None:
        raise UserError("This works in servers only.")
    bot = citebot_of(interaction)
    if private is None:
        private = bool(interaction.message and interaction.message.flags.ephemeral)
    await interaction.response.defer(ephemeral=private, thinking=True)
    answer = await answers.ask(bot.library, interaction.guild_id, asked, k)
    retry = await answers.did_you_mean(bot.library, interaction.guild_id, asked, answer)
    view = answer_view(asked, answer, interaction.user.id, retry=retry)
    sent = await interaction.followup.send(
        answers.content(asked, answer, retry=retry),
        ephemeral=private,
        allowed_mentions=NO_MENTIONS,
        wait=True,
        view=view or discord.utils.MISSING,
    )
    bot.answers.put(sent.id, asked, answer)
    await answers.log_question(bot.library, interaction.guild_id, asked, answer, sent.id)

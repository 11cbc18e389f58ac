"""Curating a server's library: `/article add`, `list`, `show`, `topics`, `remove` and `stats`.

Adding and removing need the Manage Server permission or the configured admin role: the group's
default permissions hide it from other members, and `curators_only` enforces it in the bot too
(a server can change who sees a command). Replies are private to whoever curates. Adding answers
at once, then edits that message with each step and the outcome. Articles carry topics (given
when adding, changed with `topics`), shown by `list` and `show`. `stats` shows curators what
the question log and the votes say.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from functools import partial

import discord
from discord import app_commands
from discord.ext import commands

from bot import render, reports
from bot.app import Citebot
from bot.checks import article_choices, collection_of, curated_group, curators_only
from bot.errors import NO_MENTIONS, UserError, describe
from bot.views import ConfirmView, PasteModal, send_pages
from index import AddResult, Document, InputError, Progress, clean_text, too_large, topic_names

log = logging.getLogger(__name__)

Work = Callable[[Progress], Awaitable[AddResult]]  # an add, told of each step

TEXT_MAX = 6000  # Discord's limit for a string option
SHOWN_FILE_MAX = 8 * 1024 * 1024  # the full text is attached below Discord's upload limit


def pasted(title: str | None, text: str) -> Document:
    """A document from pasted text: the given title, else one found in the text, else none."""
    found, body = clean_text(text)
    title = " ".join((title or "").split()) or found
    return Document(title=title, text=body, source="pasted in Discord")


class Articles(commands.Cog):
    article = curated_group("article", "Add, list, show and remove this server's articles.")

    def __init__(self, bot: Citebot) -> None:
        self.bot = bot

    # --- add -------------------------------------------------------------------------------

    @article.command(name="add", description="Add an article from a link, a file or pasted text.")
    @app_commands.describe(
        url="A link to a web page or PDF.",
        file="A .txt, .md, .html or .pdf file.",
        text="The article's text (the first line can be its title).",
        topic="Its topics, separated by commas (questions can then search a topic only).",
    )
    @curators_only()
    async def add(
        self,
        interaction: discord.Interaction,
        url: str | None = None,
        file: discord.Attachment | None = None,
        text: app_commands.Range[str, 1, TEXT_MAX] | None = None,
        topic: app_commands.Range[str, 1, 400] | None = None,
    ) -> None:
        given = [option for option in (url, file, text) if option is not None]
        if len(given) > 1:
            raise UserError("Give one of url, file or text, not several.")
        if topic is not None and file is None and url is None and text is None:
            raise UserError("Give the article (url, file or text) with its topic.")
        collection = collection_of(interaction)
        topics = topic_names(topic or "")
        added_by = f"discord:{interaction.user.id}"
        library = self.bot.library
        work: Work
        if url is not None:
            work = partial(library.add_url, collection, url, added_by)
        elif file is not None:
            work = partial(self._add_file, file, collection, added_by)
        elif text is not None:
            work = partial(library.add, collection, pasted(None, text), added_by)
        else:
            await interaction.response.send_modal(PasteModal(self._submit_paste))
            return
        await self._add(interaction, self._with_topics(work, collection, topics))

    def _with_topics(self, work: Work, collection: str, topics: list[str]) -> Work:
        """`work`, then the topics given to the article it added (a known one keeps its own)."""

        async def adding(progress: Progress) -> AddResult:
            result = await work(progress)
            if topics and result.status == "added":
                community = self.bot.library.community
                await community.set_topics(collection, result.article.id, topics)
            return result

        return adding

    async def _submit_paste(self, interaction: discord.Interaction, title: str, text: str) -> None:
        collection = collection_of(interaction)
        added_by = f"discord:{interaction.user.id}"
        await self._add(
            interaction,
            lambda progress: self.bot.library.add(
                collection, pasted(title, text), added_by, progress
            ),
        )

    async def _add_file(
        self, file: discord.Attachment, collection: str, added_by: str, progress: Progress
    ) -> AddResult:
        limit = self.bot.library.settings.fetch.max_bytes
        if file.size > limit:
            raise InputError(too_large(file.filename, limit, file.size))
        await progress("downloading")
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            raise InputError(
                f"could not download {file.filename} from Discord ({exc.status})"
            ) from exc
        return await self.bot.library.add_bytes(
            collection, data, file.filename, file.content_type, added_by, progress
        )

    async def _add(self, interaction: discord.Interaction, work: Work) -> None:
        """Answer at once, then edit that answer with each step and the outcome."""
        await interaction.response.send_message(
            render.adding_message(), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        shown: list[str] = []

        async def progress(step: str) -> None:
            if shown and shown[-1] == step:
                return
            shown.append(step)
            try:
                await interaction.edit_original_response(
                    content=render.adding_message(step), allowed_mentions=NO_MENTIONS
                )
            except discord.HTTPException:  # progress is a courtesy: never fail the add for it
                log.debug("could not show progress %r", step, exc_info=True)

        try:
            result = await work(progress)
        except Exception as exc:  # said in the message already sent; a bug is also logged
            content = render.failed_message("added", describe(interaction, exc))
        else:
            log.info(
                "%s %s article %s in guild %s",
                interaction.user.id,
                result.status,
                result.article.id,
                interaction.guild_id,
            )
            content = render.added_message(result)
        await interaction.edit_original_response(content=content, allowed_mentions=NO_MENTIONS)

    # --- list and show ---------------------------------------------------------------------

    @article.command(name="list", description="List this server's articles.")
    async def list_(self, interaction: discord.Interaction) -> None:
        articles = await self.bot.library.articles(collection_of(interaction))
        if not articles:
            await interaction.response.send_message(
                "This server's library is empty: add articles with `/article add`.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        topics = await self.bot.library.community.article_topics(collection_of(interaction))
        await send_pages(interaction, reports.article_pages(articles, topics))

    @article.command(name="show", description="Show an article's details and its text.")
    @app_commands.describe(article="The article (type to search titles).")
    @app_commands.autocomplete(article=article_choices)
    async def show(self, interaction: discord.Interaction, article: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        info, text = await self.bot.library.get(collection_of(interaction), article)
        content = render.article_details(info, text)
        topics = (await self.bot.library.community.article_topics(info.collection)).get(info.id)
        if topics:
            content = render.fit(f"{content}\n-# Topics: {reports.topic_list(topics)}")
        data = text.encode("utf-8")
        if len(data) > SHOWN_FILE_MAX:
            await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        attachment = discord.File(io.BytesIO(data), filename=f"article-{info.id}.txt")
        await interaction.followup.send(
            content, file=attachment, ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    # --- topics and stats ------------------------------------------------------------------

    @article.command(name="topics", description="Change an article's topics.")
    @app_commands.describe(
        article="The article (type to search titles).",
        topics="Its topics, separated by commas; empty for none.",
    )
    @app_commands.autocomplete(article=article_choices)
    @curators_only()
    async def topics(
        self,
        interaction: discord.Interaction,
        article: int,
        topics: app_commands.Range[str, 0, 400] = "",
    ) -> None:
        names = topic_names(topics)
        community = self.bot.library.community
        info = await community.set_topics(collection_of(interaction), article, names)
        said = f"now {reports.topic_list(names)}" if names else "none now"
        await interaction.response.send_message(
            render.fit(f"Topics of {render.article_title(info)}: {said}."),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @article.command(name="stats", description="What was asked and found, and what did not help.")
    @curators_only()
    async def stats(self, interaction: discord.Interaction) -> None:
        collection = collection_of(interaction)
        community = self.bot.library.community
        usage = await community.usage(collection)
        keeps = (await community.settings(collection)).keep_questions
        await send_pages(interaction, reports.stats_pages(usage, keeps))

    # --- remove ----------------------------------------------------------------------------

    @article.command(name="remove", description="Remove an article from this server's library.")
    @app_commands.describe(article="The article (type to search titles).")
    @app_commands.autocomplete(article=article_choices)
    @curators_only()
    async def remove(self, interaction: discord.Interaction, article: int) -> None:
        collection = collection_of(interaction)
        info, _text = await self.bot.library.get(collection, article)

        async def confirmed() -> str:
            try:
                await self.bot.library.remove(collection, info.id)
            except Exception as exc:  # said in the confirmation message; a bug is also logged
                return render.failed_message("removed", describe(interaction, exc))
            log.info("%s removed article %s in %s", interaction.user.id, info.id, collection)
            return render.removed_message(info)

        view = ConfirmView(interaction.user.id, confirmed, confirm_label="Remove")
        await interaction.response.send_message(
            render.remove_question(info), view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        view.message = await interaction.original_response()


async def setup(bot: Citebot) -> None:
    await bot.add_cog(Articles(bot))

"""What the cogs share: a server's collection, who may curate, and autocomplete choices.

Each Discord server (guild) has its own collection in the library, named by `collection_name`,
so nothing added in one server can appear in another's answers. Cogs import these from here,
never from each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import discord
from discord import app_commands

from bot import render
from bot.app import Citebot
from bot.errors import GuildOnly, NotCurator
from index import Library, guild_collection

T = TypeVar("T")

MAX_CHOICES = 25  # Discord's limit for autocomplete


def collection_name(guild_id: int) -> str:
    """The library collection holding one server's articles."""
    return guild_collection(guild_id)


def collection_of(interaction: discord.Interaction) -> str:
    """The collection of the server an interaction comes from (`GuildOnly` outside servers)."""
    if interaction.guild_id is None:
        raise GuildOnly()
    return collection_name(interaction.guild_id)


def citebot_of(interaction: discord.Interaction) -> Citebot:
    bot = interaction.client
    assert isinstance(bot, Citebot)
    return bot


def is_curator(interaction: discord.Interaction, admin_role: str | None) -> bool:
    """Whether the user may add and remove: Manage Server, or the admin role (name or id)."""
    if interaction.permissions.manage_guild:
        return True
    user = interaction.user
    if not admin_role or not isinstance(user, discord.Member):
        return False
    wanted = admin_role.casefold()
    return any(str(r.id) == admin_role or r.name.casefold() == wanted for r in user.roles)


def curators_only() -> Callable[[T], T]:
    """A check for commands that change the library: `is_curator`, else `NotCurator`."""

    async def predicate(interaction: discord.Interaction) -> bool:
        admin_role = citebot_of(interaction).settings.admin_role
        if not is_curator(interaction, admin_role):
            raise NotCurator(admin_role)
        return True

    return app_commands.check(predicate)


def curated_group(name: str, description: str) -> app_commands.Group:
    """A command group for curators: servers only, shown by default to Manage Server only
    (a server can change that, so its commands that change the library use `curators_only`)."""
    return app_commands.Group(
        name=name,
        description=description,
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )


def numbered_choices(
    items: Iterable[tuple[int, str | None]], current: str
) -> list[app_commands.Choice[int]]:
    """Autocomplete over numbered things (articles, feeds): up to 25 `(number, name)` whose name
    contains what is typed, or whose number starts with it (a leading "#" is ignored)."""
    needle = current.strip().lstrip("#").casefold()
    return [
        app_commands.Choice(name=render.choice_name(number, name), value=number)
        for number, name in items
        if needle in render.title_text(name).casefold() or str(number).startswith(needle)
    ][:MAX_CHOICES]


async def article_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """Up to 25 of this server's articles, newest first, whose title or number matches."""
    articles = await _in_server(interaction, Library.articles)
    return numbered_choices(((a.id, a.title) for a in reversed(articles)), current)


async def feed_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """Up to 25 of this server's feeds whose title (or link) or number matches."""
    feeds = await _in_server(interaction, Library.feeds)
    return numbered_choices(((f.id, f.title or f.url) for f in feeds), current)


async def topic_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Up to 25 of this server's topics containing what is typed, with their article counts."""
    if interaction.guild_id is None:
        return []
    library = citebot_of(interaction).library
    topics = await library.community.topics(collection_name(interaction.guild_id))
    needle = " ".join(current.split()).casefold()
    return [
        app_commands.Choice(name=render.shorten(f"{t} ({n})", render.CHOICE_LIMIT), value=t)
        for t, n in topics
        if needle in t
    ][:MAX_CHOICES]


async def _in_server(
    interaction: discord.Interaction, read: Callable[[Library, str], Awaitable[list[T]]]
) -> list[T]:
    """What `read` finds in the collection of the interaction's server; nothing outside one."""
    if interaction.guild_id is None:
        return []
    return await read(citebot_of(interaction).library, collection_name(interaction.guild_id))

"""A simulated server for the bot's tests (simcord): a channel, a curator and a member."""

from __future__ import annotations

from dataclasses import dataclass

import discord
import simcord

from bot.checks import collection_name
from index import Document, Library

ADMIN_ROLE = "Librarians"


@dataclass
class World:
    """A server with one channel, a curator (Manage Server), a member, and its library."""

    env: simcord.Env
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    curator: simcord.MemberActor
    member: simcord.MemberActor
    library: Library

    @property
    def collection(self) -> str:
        return collection_name(self.guild.id)

    async def add(self, title: str | None, text: str, url: str | None = None) -> int:
        """Add an article straight to this server's library; returns its id."""
        result = await self.library.add(self.collection, Document(title, text, url=url))
        return result.article.id


def make_world(env: simcord.Env, library: Library, name: str = "Server") -> World:
    guild = env.create_guild(name)
    channel = guild.create_text_channel("general")
    managers = guild.create_role("Managers", permissions=discord.Permissions(manage_guild=True))
    curator = guild.add_member(env.create_user(f"{name.lower()}-curator"), roles=[managers])
    member = guild.add_member(env.create_user(f"{name.lower()}-member"))
    return World(env, guild, channel, curator, member, library)

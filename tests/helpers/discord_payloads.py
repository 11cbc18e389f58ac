"""The fake Discord's people and places, and the JSON shapes Discord sends about them.

Users, members, servers (each with one #general channel) and DM channels; a server's id decides
its shard, as on Discord: `(guild_id >> 22) % shard_count`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

VIEW_AND_SEND = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 31)  # view, send, history, app commands
MANAGE_GUILD = 1 << 5
DM_CHANNEL = 1  # a channel's type


@dataclass
class User:
    id: int
    name: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": None,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class Member:
    user: User
    permissions: int

    def payload(self) -> dict[str, Any]:
        return {
            "user": self.user.payload(),
            "roles": [],
            "nick": None,
            "joined_at": now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "permissions": str(self.permissions),
        }


@dataclass(frozen=True)
class Guild:
    """A server with one text channel, #general."""

    id: int
    channel_id: int
    name: str

    def shard(self, count: int) -> int:
        """The shard that receives this server's events, of `count` (Discord's rule)."""
        return (self.id >> 22) % count

    def channel(self) -> dict[str, Any]:
        return {
            "id": str(self.channel_id),
            "type": 0,
            "guild_id": str(self.id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    def payload(self, bot: User, owner: User) -> dict[str, Any]:
        """GUILD_CREATE's data."""
        me = Member(bot, VIEW_AND_SEND).payload()
        del me["permissions"]
        everyone = {
            "id": str(self.id),
            "name": "@everyone",
            "permissions": str(VIEW_AND_SEND),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "owner_id": str(owner.id),
            "roles": [everyone],
            "channels": [self.channel()],
            "members": [me],
            "member_count": 4,
            "large": False,
            "unavailable": False,
            "joined_at": now(),
            "features": [],
            "emojis": [],
            "stickers": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_flags": 0,
        }


def dm_channel(channel_id: int, user: User) -> dict[str, Any]:
    return {"id": str(channel_id), "type": DM_CHANNEL, "recipients": [user.payload()]}


def command_data(
    command_id: int, command: str, options: dict[str, Any], subcommand: str | None
) -> dict[str, Any]:
    """An application command interaction's `data`."""
    leaf = [{"name": k, "type": _option_type(v), "value": v} for k, v in options.items()]
    return {
        "id": str(command_id),
        "name": command,
        "type": 1,
        "options": [{"name": subcommand, "type": 1, "options": leaf}] if subcommand else leaf,
    }


def message_payload(
    message_id: int, channel_id: int, author: User, body: dict[str, Any]
) -> dict[str, Any]:
    """A message as Discord returns it (what the bot sent, or what a user posts)."""
    return {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author.payload(),
        "content": body.get("content", ""),
        "timestamp": now(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": body.get("mentions", []),
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": body.get("components", []),
        "pinned": False,
        "type": 19 if body.get("message_reference") else 0,
        "flags": body.get("flags", 0),
    } | ({"message_reference": body["message_reference"]} if "message_reference" in body else {})


def now() -> str:
    return datetime.now(UTC).isoformat()


def _option_type(value: object) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    return 3

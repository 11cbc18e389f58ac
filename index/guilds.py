"""A Discord server's collection, and which process of a sharded bot owns it.

Each server has its own collection, named `guild:<id>`. The store keeps that id as a number
beside the collection, so "the feeds of the servers on shards 0-3" is one query. A server
belongs to shard `(guild_id >> 22) % shard_count`: Discord's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

_PREFIX = "guild:"


def guild_collection(guild_id: int) -> str:
    """The collection holding one server's articles."""
    return f"{_PREFIX}{guild_id}"


def guild_of(collection: str) -> int | None:
    """The server id a collection carries (None for other collections, e.g. the CLI's)."""
    digits = collection.removeprefix(_PREFIX)
    if digits == collection or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)


@dataclass(frozen=True)
class Shards:
    """The shards one bot process runs, of `count` in all."""

    count: int
    ids: frozenset[int]

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("the shard count must be at least 1")
        if not self.ids or not all(0 <= i < self.count for i in self.ids):
            raise ValueError(f"shard ids must be between 0 and {self.count - 1}")

    def owns(self, guild_id: int) -> bool:
        return (guild_id >> 22) % self.count in self.ids

"""A server's collection carries its id; a shard range owns the servers Discord gives it."""

import pytest

from index.guilds import Shards, guild_collection, guild_of


def test_a_servers_collection_carries_its_id() -> None:
    assert guild_of(guild_collection(81384788765712384)) == 81384788765712384


@pytest.mark.parametrize("name", ["console", "guild:", "guild:12a", "guild:-5", "guild:١٢"])
def test_other_collections_carry_no_server(name: str) -> None:
    assert guild_of(name) is None


def test_a_server_belongs_to_the_shard_of_discords_rule() -> None:
    """(guild_id >> 22) % count: Discord's documented example, 81384788765712384, is on shard 0
    of 2; the next block of ids is on shard 1."""
    guild = 81384788765712384
    assert (guild >> 22) % 2 == 0
    assert Shards(2, frozenset({0})).owns(guild)
    assert not Shards(2, frozenset({1})).owns(guild)
    assert Shards(2, frozenset({1})).owns(guild + (1 << 22))
    assert Shards(1, frozenset({0})).owns(guild)


@pytest.mark.parametrize(("count", "ids"), [(0, {0}), (2, set()), (2, {2}), (4, {-1})])
def test_impossible_shards_are_refused(count: int, ids: set[int]) -> None:
    with pytest.raises(ValueError, match="shard"):
        Shards(count, frozenset(ids))

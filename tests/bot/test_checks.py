"""What the cogs share (bot/checks.py): collections, curators, autocomplete choices."""

from __future__ import annotations

from bot.checks import MAX_CHOICES, collection_name, numbered_choices
from tests.helpers.world import ADMIN_ROLE, World

OTTERS = "Sea otters hold hands while they sleep so that they do not drift apart."


def names(choices: list) -> list[str]:
    return [c.name for c in choices]


def test_each_server_has_its_own_collection() -> None:
    """Collections are named after the guild id."""
    assert collection_name(42) == "guild:42" != collection_name(43)


def test_choices_match_words_of_the_name_ignoring_case() -> None:
    """Typing part of a name, in any case, offers the things whose name contains it."""
    choices = numbered_choices([(1, "Lighthouse keepers"), (2, "Otters")], "LIGHT")
    assert [(c.name, c.value) for c in choices] == [("#1 Lighthouse keepers", 1)]


def test_choices_match_the_start_of_a_number_with_or_without_hash() -> None:
    """Typing "#1" or "1" offers the things whose number starts with it."""
    items = [(1, "One"), (12, "Twelve"), (2, "Two")]
    assert names(numbered_choices(items, "#1")) == names(numbered_choices(items, "1"))
    assert names(numbered_choices(items, "1")) == ["#1 One", "#12 Twelve"]


def test_choices_name_an_untitled_thing_untitled() -> None:
    """Something without a name is offered as "Untitled", and can be found so."""
    assert names(numbered_choices([(3, None)], "untit")) == ["#3 Untitled"]


def test_choices_are_at_most_twenty_five() -> None:
    """Discord takes at most 25 choices: typing nothing offers the first 25."""
    choices = numbered_choices([(n, f"Article {n}") for n in range(1, 40)], "")
    assert len(choices) == MAX_CHOICES == 25 and choices[0].value == 1


async def test_a_member_with_the_admin_role_passes_curators_only(world: World) -> None:
    """The admin role (by name, any case) lets a member without Manage Server curate."""
    command = next(c for c in await world.env.bot.tree.fetch_commands() if c.name == "article")
    world.guild.set_command_permissions(command, {world.guild.default_role: True})
    role = world.guild.create_role(ADMIN_ROLE.upper())
    librarian = world.guild.add_member(world.env.create_user("librarian"), roles=[role])
    result = await librarian.slash(world.channel, "article add", text=OTTERS)
    assert result.response is not None and "Added `#1`" in result.response.content

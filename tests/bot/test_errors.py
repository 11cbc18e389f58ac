"""The one error path (bot/errors.py): user errors shown as they are, bugs logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import simcord
from discord import app_commands

from bot import render
from bot.errors import UNEXPECTED, NotCurator, OnCooldown, user_message
from index import NotFoundError
from tests.helpers.world import World


def _invoke_error(cause: Exception) -> app_commands.CommandInvokeError:
    command: Any = app_commands.Command(name="x", description="x", callback=_noop)
    return app_commands.CommandInvokeError(command, cause)


async def _noop(interaction: Any) -> None:
    """A command callback for building errors."""


def test_library_errors_are_shown_as_they_are() -> None:
    """A CitebotError inside a command is shown with its own message."""
    assert user_message(_invoke_error(NotFoundError("no article 7 here"))) == "no article 7 here"


def test_our_user_errors_are_shown_as_they_are() -> None:
    """NotCurator and OnCooldown carry their own sentences."""
    assert "Manage Server" in str(user_message(NotCurator()))
    assert user_message(OnCooldown(2.2)) == "You are asking quickly: try again in 3 s."


def test_bugs_have_no_user_message() -> None:
    """Anything else is a bug: no message of its own (the caller shows a polite one)."""
    assert user_message(_invoke_error(KeyError("oops"))) is None


async def test_unexpected_error_after_deferring_is_answered_and_logged(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in /ask after deferring still answers the user, and logs the traceback."""

    async def broken(*args: object, **options: object) -> None:
        raise RuntimeError("index on fire")

    monkeypatch.setattr(world.library, "ask", broken)
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        result = await world.member.slash(world.channel, "ask", question="anything?")
    answered = result.followups[0] if result.followups else result.response
    assert answered is not None and answered.content == UNEXPECTED
    [record] = caplog.records
    assert "unexpected error in /ask" in record.getMessage()
    assert record.exc_info is not None and "index on fire" in str(record.exc_info[1])
    simcord.assert_error(world.env, contains="index on fire")


async def test_unexpected_error_before_responding_is_answered_privately(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug before any response gets a private response."""

    async def broken(*args: object) -> None:
        raise RuntimeError("store on fire")

    monkeypatch.setattr(world.library, "articles", broken)
    result = await world.curator.slash(world.channel, "article list")
    assert result.ephemeral and result.response is not None
    assert result.response.content == UNEXPECTED
    simcord.assert_error(world.env, contains="store on fire")


async def test_unexpected_error_in_a_button_is_answered(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug behind an answer's (persistent) button goes through the same path: a private,
    polite answer, and the traceback logged."""
    await world.add("Otters", "Sea otters hold hands while they sleep in the kelp.")
    asked = await world.member.slash(world.channel, "ask", question="Why do otters hold hands?")
    assert asked.response is not None

    def broken(*args: object) -> str:
        raise RuntimeError("render on fire")

    monkeypatch.setattr(render, "render_passage", broken)
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        clicked = await world.member.click(asked.response, label="Whole passage")
    assert clicked.ephemeral and clicked.response is not None
    assert clicked.response.content == UNEXPECTED
    [record] = [r for r in caplog.records if r.name == "bot.errors"]
    assert record.exc_info is not None and "render on fire" in str(record.exc_info[1])


async def test_unexpected_error_while_adding_ends_the_progress_message(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug while adding replaces the progress message with the polite error, and is logged."""

    async def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(world.library, "add", broken)
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        result = await world.curator.slash(world.channel, "article add", text="Otters sleep.")
    assert result.response is not None
    assert result.response.content == f"\N{CROSS MARK} Not added: {UNEXPECTED}"
    assert "disk on fire" in caplog.text

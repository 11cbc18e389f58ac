"""Buttons and modals shared by the cogs: one paginator (a private list), one confirmation,
the form for pasting an article. (An answer's buttons outlive the process: `bot.buttons`.)

Every view reports its errors through `errors.report_error` (the one error path), buttons that
act for one person refuse others politely, and a view that times out removes its buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.errors import NO_MENTIONS, report_error

log = logging.getLogger(__name__)

LIST_TIMEOUT = 300.0
CONFIRM_TIMEOUT = 60.0
MODAL_TEXT_MAX = 4000  # Discord's limit for a text input

Editable = discord.Message | discord.InteractionMessage | discord.WebhookMessage


class BaseView(discord.ui.View):
    """A view whose errors go through the one error path and whose buttons go on timeout."""

    def __init__(self, owner_id: int, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.message: Editable | None = None

    async def refuse_others(self, interaction: discord.Interaction, what: str) -> bool:
        """True (after telling them so) when someone other than the owner pressed a button."""
        if interaction.user.id == self.owner_id:
            return False
        await interaction.response.send_message(
            f"Only <@{self.owner_id}> can {what}.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return True

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(view=None, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.debug("could not remove the buttons of an expired view", exc_info=True)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)


class BaseModal(discord.ui.Modal):
    async def on_error(  # type: ignore[override]  # Modal narrows View's signature itself
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await report_error(interaction, error)


class Paginator(BaseView):
    """Previous and Next through prepared pages (each within Discord's limits); only the owner
    turns them, and with a single page there are no buttons."""

    refusal = "turn these pages"  # "Only <@owner> can ..."

    def __init__(
        self, pages: Sequence[str], owner_id: int, *, timeout: float = LIST_TIMEOUT
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.pages = list(pages)
        self.index = 0
        if len(self.pages) < 2:
            self.remove_item(self.previous)
            self.remove_item(self.next)
        self._update()

    def content(self) -> str:
        return self.pages[self.index]

    def _update(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def _go(self, interaction: discord.Interaction, step: int) -> None:
        if await self.refuse_others(interaction, self.refusal):
            return
        self.index = max(0, min(self.index + step, len(self.pages) - 1))
        self._update()
        await interaction.response.edit_message(
            content=self.content(), view=self, allowed_mentions=NO_MENTIONS
        )

    @discord.ui.button(label="Previous", emoji="\N{BLACK LEFT-POINTING TRIANGLE}", row=0)
    async def previous(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await self._go(interaction, -1)

    @discord.ui.button(label="Next", emoji="\N{BLACK RIGHT-POINTING TRIANGLE}", row=0)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await self._go(interaction, +1)


async def send_pages(interaction: discord.Interaction, pages: Sequence[str]) -> None:
    """Pages as a private reply: a single one alone, several with Previous and Next."""
    if len(pages) == 1:
        await interaction.response.send_message(
            pages[0], ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return
    view = Paginator(pages, interaction.user.id)
    await interaction.response.send_message(
        view.content(), view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
    )
    view.message = await interaction.original_response()


class ConfirmView(BaseView):
    """A yes/no question for its owner; `action` runs on yes and returns the final message."""

    def __init__(
        self,
        owner_id: int,
        action: Callable[[], Awaitable[str]],
        *,
        confirm_label: str,
        timeout: float = CONFIRM_TIMEOUT,
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.action = action
        self.confirm.label = confirm_label
        self.done = False

    async def _answers(self, interaction: discord.Interaction) -> bool:
        """True when this click is the answer (the owner's first); the view then stops."""
        if await self.refuse_others(interaction, "answer this"):
            return False
        if self.done:  # a double click: both were sent before the buttons went away
            await interaction.response.defer()
            return False
        self.done = True
        self.stop()
        return True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        if not await self._answers(interaction):
            return
        await interaction.response.defer()  # the action may take longer than Discord waits
        content = await self.action()
        await interaction.edit_original_response(
            content=content, view=None, allowed_mentions=NO_MENTIONS
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        if await self._answers(interaction):
            await interaction.response.edit_message(
                content="Cancelled: nothing was changed.", view=None, allowed_mentions=NO_MENTIONS
            )

    async def on_timeout(self) -> None:
        if self.message is None or self.done:
            return
        try:
            await self.message.edit(
                content="Cancelled (no answer in time): nothing was changed.",
                view=None,
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException:
            log.debug("could not close an expired confirmation", exc_info=True)


class PasteModal(BaseModal, title="Add an article"):
    """A title and a long text, for `/article add` with no option; `submit` gets both."""

    article_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Title",
        custom_id="title",
        placeholder="Optional: otherwise the first line, if it looks like a title",
        required=False,
        max_length=200,
    )
    text: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Text",
        custom_id="text",
        style=discord.TextStyle.paragraph,
        placeholder="Paste the article here.",
        max_length=MODAL_TEXT_MAX,
    )

    def __init__(self, submit: Callable[[discord.Interaction, str, str], Awaitable[None]]) -> None:
        super().__init__()
        self.submit = submit

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.submit(interaction, self.article_title.value, self.text.value)

"""The one error path for interactions, and the command tree that routes errors into it.

Slash commands (through `CitebotTree.on_error`), buttons (`views.BaseView.on_error`) and modals
(`views.BaseModal.on_error`) all end in `report_error`, which handles an error in this order:

1. Wrappers are unwrapped: `CommandInvokeError` and `TransformerError` stand for their cause.
2. A `UserError` (ours: not allowed, not in a server, on cooldown) or a `CitebotError` (from
   `index`: bad input, unknown article, storage, closing for a restart) is shown as it is: its
   message is one sentence written for the user.
3. discord.py's own user errors (a failed check, a missing permission, an option that does not
   convert) get a short fixed explanation.
4. Anything else is a bug: it is logged with its traceback and the user is told, politely,
   that something went wrong on our side.

(`describe` makes that choice; code that reports an outcome in a message it already sent,
like `/article add` editing its progress message, uses it directly.)

The reply is always private (ephemeral): a response when none was sent yet, else a follow-up.
An interaction is never left unanswered, and a failure to send the reply is logged, not raised.
"""

from __future__ import annotations

import logging
import math

import discord
from discord import app_commands

from bot.render import escape, fit
from index import CitebotError

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
UNEXPECTED = "Something went wrong on my side; it has been logged. Please try again later."


class UserError(app_commands.AppCommandError):
    """An error whose message is one sentence for the user, shown as it is."""


class NotCurator(UserError, app_commands.CheckFailure):
    def __init__(self, admin_role: str | None = None) -> None:
        who = "the Manage Server permission"
        if admin_role:
            who += f" or the {escape(admin_role)} role"
        super().__init__(f"Only members with {who} can curate this server's library.")


class GuildOnly(UserError, app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            "Each server has its own library, so this works in servers only: "
            "use it in a server where I am."
        )


class OnCooldown(UserError):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        seconds = max(1, math.ceil(retry_after))
        super().__init__(f"You are asking quickly: try again in {seconds} s.")


def user_message(error: BaseException) -> str | None:
    """The message to show for a user error, or None when the error is a bug."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        cause = getattr(error, "original", None) or error.__cause__
        if cause is None:
            return "That value is not valid for this option."
        error = cause
    if isinstance(error, UserError | CitebotError):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions | app_commands.MissingRole):
        return "You do not have the permission to use this command."
    if isinstance(error, app_commands.BotMissingPermissions):
        perms = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"I need these permissions here: {perms}."
    if isinstance(error, app_commands.NoPrivateMessage):
        return str(GuildOnly())
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    return None


def describe(interaction: discord.Interaction, error: BaseException) -> str:
    """The message for the user; a bug is logged with its traceback and gets a polite one."""
    message = user_message(error)
    if message is None:
        command = interaction.command.qualified_name if interaction.command else None
        log.error(
            "unexpected error in %s (user %s, guild %s)",
            f"/{command}" if command else f"{interaction.type.name} interaction",
            interaction.user.id,
            interaction.guild_id,
            exc_info=error,
        )
        return UNEXPECTED
    log.debug("user error for %s: %s", interaction.user.id, message)
    return fit(message)


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user what went wrong (privately), logging the error if it is a bug."""
    message = describe(interaction, error)
    if interaction.type is discord.InteractionType.autocomplete:
        return  # an autocomplete cannot carry a message; Discord shows "loading failed"
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(
                message, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
    except Exception:  # the error handler itself must never raise
        log.warning("could not report an error to user %s", interaction.user.id, exc_info=True)


class CitebotTree(app_commands.CommandTree[discord.Client]):
    """The command tree: refuses commands in DMs (unless marked `extras={"in_dms": True}`)
    and reports every error through `report_error`."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        command = interaction.command
        in_dms = command is not None and command.extras.get("in_dms", False)
        if interaction.guild_id is None and not in_dms:
            raise GuildOnly()
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)

"""What every cog shares: the Actor behind an interaction, `run` (defer, work, answer), private replies and
the tree's error handler.

Every handler goes through `run`: it defers first when the database is involved (Discord wants an
acknowledgement within 3 seconds), sends the reply ephemerally (or edits the clicked message), shows
a QuizError as its own sentence, and turns anything unexpected into a short apology plus a log line
carrying the interaction id.
"""
from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord import Interaction, app_commands
from discord.ext import commands
from discord.ui import View
from discord.utils import MISSING

from adapters.discord import render
from bot.errors import NotAllowed, QuizError, StaleControl
from bot.views import Actor

if TYPE_CHECKING:
    from adapters.discord.bot import QuizClientMixin
    from adapters.discord.sender import DiscordSender
    from bot.engine import Engine

log = logging.getLogger(__name__)


@dataclass
class Reply:
    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: View | None = None


Work = Callable[[], Reply | Awaitable[Reply]]


class QuizCog(commands.Cog):
    """A cog of the quiz bot: reaches the engine, the sender and the clock through the bot it is added to."""

    def __init__(self, bot: QuizClientMixin) -> None:
        self.bot = bot

    @property
    def engine(self) -> Engine:
        return self.bot.engine

    @property
    def sender(self) -> DiscordSender:
        return self.bot.sender

    def now(self) -> datetime:
        return self.bot.clock()


def actor(interaction: Interaction) -> Actor:
    if interaction.guild_id is None:
        raise NotAllowed("The quiz lives in servers: use it in a server channel.")
    user = interaction.user
    guild = interaction.guild
    return Actor(platform="discord", community_id=str(interaction.guild_id), user_id=str(user.id),
                 display_name=(user.display_name or user.name or str(user.id))[:100],
                 is_admin=interaction.permissions.manage_guild,
                 community_name=(getattr(guild, "name", None) or "")[:200])


async def run(interaction: Interaction, work: Work, *, edit: bool = False, defer: bool = True) -> None:
    """Acknowledge, do the work, answer. `edit` replaces the clicked message instead of replying privately."""
    failed = False
    try:
        if defer and not interaction.response.is_done():
            if edit:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
        reply = work()
        if inspect.isawaitable(reply):
            reply = await reply
    except QuizError as err:
        reply, failed = Reply(content=render.notice(str(err))), True
    except Exception:
        log.exception("interaction %s failed (%s)", interaction.id, describe(interaction))
        reply, failed = Reply(content=render.apology(interaction.id)), True
    try:
        await send(interaction, reply, edit=edit and not failed)
    except Exception:
        log.exception("could not answer interaction %s (%s)", interaction.id, describe(interaction))


async def send(interaction: Interaction, reply: Reply, *, edit: bool) -> None:
    mentions = render.NO_PINGS
    if edit:
        if interaction.response.is_done():
            await interaction.edit_original_response(content=reply.content, embeds=reply.embeds, view=reply.view,
                                                     allowed_mentions=mentions)
        else:
            await interaction.response.edit_message(content=reply.content, embeds=reply.embeds, view=reply.view,
                                                    allowed_mentions=mentions)
        return
    view = reply.view if reply.view is not None else MISSING
    if interaction.response.is_done():
        content = reply.content if reply.content is not None else MISSING  # a webhook takes str or nothing
        await interaction.followup.send(content=content, embeds=reply.embeds, view=view, ephemeral=True,
                                        allowed_mentions=mentions)
    else:
        await interaction.response.send_message(content=reply.content, embeds=reply.embeds, view=view,
                                                ephemeral=True, allowed_mentions=mentions)


async def tell(interaction: Interaction, text: str) -> None:
    """A short private message, e.g. for errors from checks (an engine error goes through render.notice)."""
    await send(interaction, Reply(content=text), edit=False)


async def stale(interaction: Interaction) -> None:
    """A button or form this version of the bot does not handle."""
    log.info("interaction %s: no handler (%s)", interaction.id, describe(interaction))
    await tell(interaction, str(StaleControl()))


async def command_error(interaction: Interaction, error: app_commands.AppCommandError) -> None:
    """The tree's on_error: errors from checks and transformers, and anything a command let through."""
    if isinstance(error, app_commands.MissingPermissions):
        names = ", ".join(f"**{p.replace('_', ' ').replace('guild', 'server').title()}**"
                          for p in error.missing_permissions)
        text = f"You need the {names} permission to use this command."
    elif isinstance(error, app_commands.NoPrivateMessage):
        text = "This command works only in a server."
    elif isinstance(error, app_commands.TransformerError):
        text = ("I couldn't use that option value: if it is a channel, I may not be able to see it "
                "(give my role View Channel there).")
    elif isinstance(error, app_commands.CheckFailure):
        text = "You can't use this command here."
    else:
        original = getattr(error, "original", error)
        log.error("interaction %s failed (%s)", interaction.id, describe(interaction),
                  exc_info=(type(original), original, original.__traceback__))
        text = render.apology(interaction.id)
    try:
        await tell(interaction, text)
    except Exception:
        log.exception("could not answer interaction %s", interaction.id)


def custom_id(interaction: Interaction) -> str:
    """The custom_id of a component or modal submit ('' for other interactions)."""
    value = payload(interaction).get("custom_id", "")
    return value if isinstance(value, str) else ""


def payload(interaction: Interaction) -> Mapping[str, object]:
    return interaction.data or {}


def describe(interaction: Interaction) -> str:
    data = payload(interaction)
    what = data.get("custom_id") or data.get("name") or "?"
    user = getattr(interaction.user, "id", "?")  # discord.py leaves `user` MISSING when a payload lacks it
    return f"{interaction.type.name} {what} guild={interaction.guild_id} user={user}"

"""The slash commands and their handling, one discord.py Cog per area: study (/lesson, /quiz and the
personal questions' buttons and modals), progress (/streak, /leaderboard, /help, /group), posts (the
daily post's buttons and modal, modal routing, stale controls) and admin (/quizadmin, a GroupCog).

Why Cogs on a `commands.Bot` (see bot.py) rather than `app_commands.Group` subclasses on a plain
Client: five of the commands are top-level (/lesson, /quiz, /streak, /leaderboard, /help), which a
Group cannot hold, and discord.py's documented home for top-level app commands written as methods is a
Cog, loaded with `await bot.add_cog(...)`. The Bot's own parts stay idle: no message content intent and
a mention-only prefix (no prefix commands exist), no help command. The tree, its sync and the payload
are the same objects as before, so the recorded command hash (bot.state_key) does not change.

Buttons are DynamicItems in components.py; their callbacks dispatch an event (`quiz_post_choice`, ...)
that a cog's listener handles, so components need not import the cogs that render them.
"""
from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from adapters.discord.cogs.admin import AdminCog
from adapters.discord.cogs.base import QuizCog, command_error
from adapters.discord.cogs.posts import PostsCog
from adapters.discord.cogs.progress import ProgressCog
from adapters.discord.cogs.review import ReviewCog
from adapters.discord.cogs.study import StudyCog

if TYPE_CHECKING:
    from adapters.discord.bot import QuizClientMixin

# The order the commands are added in is the order Discord gets (and the hash covers) them.
# ReviewCog is last: the commands synced before it keep their order.
COGS: tuple[type[QuizCog], ...] = (StudyCog, ProgressCog, PostsCog, AdminCog, ReviewCog)


async def setup(bot: QuizClientMixin) -> None:
    """Add fresh cogs (each client gets its own commands) and the tree's error handler."""
    for cog in COGS:
        await bot.add_cog(cog(bot))
    bot.tree.error(command_error)


def command_payload(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None = None) -> list[dict]:
    """What a sync would send for this scope (global when guild is None)."""
    return [command.to_dict(tree) for command in tree.get_commands(guild=guild)]


def command_hash(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None = None) -> str:
    text = json.dumps(command_payload(tree, guild), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()

"""Progress and company: /streak, /leaderboard, /help and the /group commands for study groups.

The commands are declared in the order Discord has them (streak, leaderboard, help, group): the
synced set's hash depends on that order, and a changed hash means a fresh sync on the next start.
"""
# No `from __future__ import annotations`: discord.py reads these annotations to build the options.
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from discord import Interaction, app_commands
from discord.app_commands import Choice, Range

from adapters.discord import render
from adapters.discord.cogs.base import QuizCog, Reply, actor, run
from bot.views import Actor, GroupChange

log = logging.getLogger(__name__)

GUILD_ONLY = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
PERIODS = [Choice(name="this week", value="week"), Choice(name="this month", value="month"),
           Choice(name="all time", value="all")]


class ProgressCog(QuizCog, name="Progress"):
    @app_commands.command(name="streak", description="Your day streak, freezes and points.")
    @app_commands.guild_only()
    async def streak(self, interaction: Interaction) -> None:
        async def work() -> Reply:
            return Reply(embeds=[render.streak_embed(await self.engine.streak(actor(interaction), self.now()))])
        await run(interaction, work)

    @app_commands.command(name="leaderboard", description="Who leads this week, month or all time (your rank included).")
    @app_commands.describe(period="Which period (default: this week)", group="Only this study group")
    @app_commands.choices(period=PERIODS)
    @app_commands.guild_only()
    async def leaderboard(self, interaction: Interaction, period: Choice[str] | None = None,
                          group: Range[str, 1, 40] | None = None) -> None:
        async def work() -> Reply:
            board = await self.engine.leaderboard(actor(interaction), self.now(), period.value if period else None,
                                                  group or None)
            return Reply(embeds=[render.leaderboard_embed(board)])
        await run(interaction, work)

    @leaderboard.autocomplete("group")
    async def leaderboard_groups(self, interaction: Interaction, current: str) -> list[Choice[str]]:
        return await self.group_names(interaction, current)

    @app_commands.command(name="help", description="What the quiz bot can do.")
    @app_commands.guild_only()
    async def help(self, interaction: Interaction) -> None:
        await run(interaction, lambda: Reply(embeds=[render.help_embed(interaction.permissions.manage_guild)]),
                  defer=False)

    # /group ----------------------------------------------------------------------------
    groups = app_commands.Group(name="group", description="Study groups: create, join, leave, list.", guild_only=True,
                                allowed_contexts=GUILD_ONLY)

    @groups.command(name="create", description="Start a study group and join it.")
    @app_commands.describe(name="2-40 letters, digits, spaces, dots, dashes or underscores")
    async def group_create(self, interaction: Interaction, name: Range[str, 2, 40]) -> None:
        await self.change_group(interaction, lambda who, now: self.engine.group_create(who, name, now))

    @groups.command(name="join", description="Join a study group (you leave your current one).")
    @app_commands.describe(name="The group to join")
    async def group_join(self, interaction: Interaction, name: Range[str, 1, 40]) -> None:
        await self.change_group(interaction, lambda who, now: self.engine.group_join(who, name, now))

    @group_join.autocomplete("name")
    async def group_join_names(self, interaction: Interaction, current: str) -> list[Choice[str]]:
        return await self.group_names(interaction, current)

    @groups.command(name="leave", description="Leave your study group.")
    async def group_leave(self, interaction: Interaction) -> None:
        await self.change_group(interaction, self.engine.group_leave)

    @groups.command(name="list", description="The study groups here.")
    async def group_list(self, interaction: Interaction) -> None:
        async def work() -> Reply:
            return Reply(embeds=[render.groups_embed(await self.engine.groups(actor(interaction)))])
        await run(interaction, work)

    async def change_group(self, interaction: Interaction,
                           change: Callable[[Actor, datetime], Awaitable[GroupChange]]) -> None:
        async def work() -> Reply:
            return Reply(content=render.group_change_text(await change(actor(interaction), self.now())))
        await run(interaction, work)

    async def group_names(self, interaction: Interaction, current: str) -> list[Choice[str]]:
        # No defer is possible in an autocomplete: answer fast, never fail.
        try:
            names = await self.engine.group_choices(actor(interaction), current or "")
            return [Choice(name=n[:100], value=n[:100]) for n in names[:25]]
        except Exception:
            log.exception("interaction %s: group autocomplete failed", interaction.id)
            return []

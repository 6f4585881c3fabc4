"""The slash commands. Thin: each one hands its options to the interaction handlers (`client.quiz`).

Learner commands answer privately. Admin commands sit in one guild-only group, /quizadmin, whose
`default_permissions(manage_guild)` only hides it from others by default (server admins can change
that), so every admin command also checks Manage Server itself.
"""
# No `from __future__ import annotations`: discord.py reads these annotations to build the options.
import hashlib
import json

import discord
from discord import Interaction, app_commands
from discord.app_commands import Choice, Range

from adapters.discord.handlers import QuizInteractions

ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)
admin_only = app_commands.checks.has_permissions(manage_guild=True)

GUILD_ONLY = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
PERIODS = [Choice(name="this week", value="week"), Choice(name="this month", value="month"),
           Choice(name="all time", value="all")]


def q(interaction: Interaction) -> QuizInteractions:
    return interaction.client.quiz  # type: ignore[attr-defined]


def build_commands() -> list:
    """Fresh command objects for one tree (each client gets its own)."""

    @app_commands.command(name="lesson", description="Read a lesson part by part, then answer its questions.")
    @app_commands.describe(lesson="The lesson (leave empty to list them all with your progress)")
    @app_commands.guild_only()
    async def lesson(interaction: Interaction, lesson: Range[str, 1, 100] | None = None):
        await q(interaction).lesson(interaction, lesson)

    @lesson.autocomplete("lesson")
    async def lesson_names(interaction: Interaction, current: str):
        return await q(interaction).lesson_autocomplete(interaction, current)

    @app_commands.command(name="quiz", description="A practice question (only you see it).")
    @app_commands.guild_only()
    async def quiz(interaction: Interaction):
        await q(interaction).practice(interaction)

    @app_commands.command(name="streak", description="Your day streak, freezes and points.")
    @app_commands.guild_only()
    async def streak(interaction: Interaction):
        await q(interaction).streak(interaction)

    @app_commands.command(name="leaderboard", description="Who leads this week, month or all time (your rank included).")
    @app_commands.describe(period="Which period (default: this week)", group="Only this study group")
    @app_commands.choices(period=PERIODS)
    @app_commands.guild_only()
    async def leaderboard(interaction: Interaction, period: Choice[str] | None = None,
                          group: Range[str, 1, 40] | None = None):
        await q(interaction).leaderboard(interaction, period.value if period else None, group)

    @leaderboard.autocomplete("group")
    async def leaderboard_groups(interaction: Interaction, current: str):
        return await q(interaction).group_autocomplete(interaction, current)

    @app_commands.command(name="help", description="What the quiz bot can do.")
    @app_commands.guild_only()
    async def help_(interaction: Interaction):
        await q(interaction).help(interaction)

    groups = app_commands.Group(name="group", description="Study groups: create, join, leave, list.", guild_only=True,
                                allowed_contexts=GUILD_ONLY)

    @groups.command(name="create", description="Start a study group and join it.")
    @app_commands.describe(name="2-40 letters, digits, spaces, dots, dashes or underscores")
    async def group_create(interaction: Interaction, name: Range[str, 2, 40]):
        await q(interaction).group_create(interaction, name)

    @groups.command(name="join", description="Join a study group (you leave your current one).")
    @app_commands.describe(name="The group to join")
    async def group_join(interaction: Interaction, name: Range[str, 1, 40]):
        await q(interaction).group_join(interaction, name)

    @group_join.autocomplete("name")
    async def group_names(interaction: Interaction, current: str):
        return await q(interaction).group_autocomplete(interaction, current)

    @groups.command(name="leave", description="Leave your study group.")
    async def group_leave(interaction: Interaction):
        await q(interaction).group_leave(interaction)

    @groups.command(name="list", description="The study groups here.")
    async def group_list(interaction: Interaction):
        await q(interaction).group_list(interaction)

    # Admin ---------------------------------------------------------------------
    admin = app_commands.Group(name="quizadmin", description="Quiz admin: daily schedules and content.",
                               guild_only=True, allowed_contexts=GUILD_ONLY, default_permissions=ADMIN_PERMISSIONS)
    schedule = app_commands.Group(name="schedule", description="Daily question schedules.", parent=admin)
    content = app_commands.Group(name="content", description="Lesson content.", parent=admin)

    async def schedule_ids(interaction: Interaction, current: str):
        return await q(interaction).schedule_autocomplete(interaction, current)

    @schedule.command(name="add", description="Post a daily question in a channel.")
    @app_commands.describe(
        channel="Where to post", time="Local time, HH:MM (24 h)", weekdays="e.g. mon-fri (default), daily, mon,wed,fri",
        timezone="IANA zone such as Europe/Berlin (default: the server's)",
        lessons="Lesson ids or numbers, comma separated (default: all)", tags="Question tags, comma separated",
        shuffle="Shuffle the track's questions", open_minutes="How long answers count (default: until the next post)",
        ping_role="A role to ping with each post", results_in_thread="Post the results in a thread instead of editing the post")
    @admin_only
    async def schedule_add(interaction: Interaction, channel: discord.TextChannel, time: Range[str, 3, 5],
                           weekdays: Range[str, 1, 60] | None = None, timezone: Range[str, 1, 64] | None = None,
                           lessons: Range[str, 1, 500] | None = None, tags: Range[str, 1, 300] | None = None,
                           shuffle: bool = False, open_minutes: Range[int, 1, 10080] | None = None,
                           ping_role: discord.Role | None = None, results_in_thread: bool = False):
        await q(interaction).schedule_add(interaction, channel, time, weekdays, timezone, lessons, tags, shuffle,
                                          open_minutes, ping_role, results_in_thread)

    @schedule.command(name="list", description="The schedules in this server.")
    @admin_only
    async def schedule_list(interaction: Interaction):
        await q(interaction).schedule_list(interaction)

    @schedule.command(name="pause", description="Pause a schedule.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_pause(interaction: Interaction, schedule: int):
        await q(interaction).schedule_enable(interaction, schedule, False)

    @schedule.command(name="resume", description="Resume a paused schedule.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_resume(interaction: Interaction, schedule: int):
        await q(interaction).schedule_enable(interaction, schedule, True)

    @schedule.command(name="remove", description="Remove a schedule (past answers are kept).")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_remove(interaction: Interaction, schedule: int):
        await q(interaction).schedule_remove(interaction, schedule)

    @schedule.command(name="post-now", description="Post today's question now.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_post_now(interaction: Interaction, schedule: int):
        await q(interaction).schedule_post_now(interaction, schedule)

    @schedule.command(name="skip", description="Skip the next post.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_skip(interaction: Interaction, schedule: int):
        await q(interaction).schedule_skip(interaction, schedule)

    @content.command(name="list", description="The lessons, with their ids and question counts.")
    @admin_only
    async def content_list(interaction: Interaction):
        await q(interaction).content_list(interaction)

    @content.command(name="preview", description="Preview the next question a schedule will post.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def content_preview(interaction: Interaction, schedule: int):
        await q(interaction).content_preview(interaction, schedule)

    return [lesson, quiz, streak, leaderboard, help_, groups, admin]


def install(tree: app_commands.CommandTree) -> None:
    for command in build_commands():
        tree.add_command(command)

    async def on_error(interaction: Interaction, error: app_commands.AppCommandError) -> None:
        await q(interaction).command_error(interaction, error)
    tree.on_error = on_error


def command_payload(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None = None) -> list[dict]:
    """What a sync would send for this scope (global when guild is None)."""
    return [command.to_dict(tree) for command in tree.get_commands(guild=guild)]


def command_hash(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None = None) -> str:
    text = json.dumps(command_payload(tree, guild), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()

"""/quizadmin: daily schedules and content, one guild-only command group (a GroupCog).

`default_permissions(manage_guild)` only hides the group from others by default (server admins can
change that), so every admin command also checks Manage Server itself (`admin_only`).
"""
# No `from __future__ import annotations`: discord.py reads these annotations to build the options.
import logging

import discord
from discord import Interaction, app_commands
from discord.app_commands import Range
from discord.ext import commands

from adapters.discord import item_render, render
from adapters.discord.cogs.base import QuizCog, Reply, actor, run, tell
from bot.views import ScheduleSpec

log = logging.getLogger(__name__)

admin_only = app_commands.checks.has_permissions(manage_guild=True)
# What the bot needs in a schedule's channel (and in its results thread).
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "read_message_history")
THREAD_PERMISSIONS = ("create_public_threads", "send_messages_in_threads")


def split_list(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def missing_in_channel(interaction: Interaction, channel_id: int, thread: bool) -> list[str] | None:
    """Permissions the bot lacks in the channel; None when the channel is not visible to it at all."""
    guild = interaction.guild
    channel = guild.get_channel(channel_id) if guild else None
    me = guild.me if guild else None
    if channel is None or me is None:
        return None
    perms = channel.permissions_for(me)
    wanted = POST_PERMISSIONS + (THREAD_PERMISSIONS if thread else ())
    return [name for name in wanted if not getattr(perms, name)]


def ping_notes(interaction: Interaction, channel_id: int, ping_role: discord.Role | None) -> list[str]:
    """A warning when the role to ping can't be pinged by the bot in that channel."""
    guild = interaction.guild
    if ping_role is None or ping_role.mentionable or guild is None:
        return []
    channel = guild.get_channel(channel_id)
    if channel is not None and channel.permissions_for(guild.me).mention_everyone:
        return []
    return [f"Note: {ping_role.mention} is not mentionable, so the daily ping won't notify anyone. "
            "Make the role mentionable (Server Settings → Roles)."]


@app_commands.guild_only()
@app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
@app_commands.default_permissions(manage_guild=True)
class AdminCog(QuizCog, commands.GroupCog, name="Admin", group_name="quizadmin",
               group_description="Quiz admin: daily schedules and content."):
    schedule = app_commands.Group(name="schedule", description="Daily question schedules.")
    content = app_commands.Group(name="content", description="Lesson content.")

    async def schedule_ids(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        # No defer is possible in an autocomplete: answer fast, never fail.
        if not interaction.permissions.manage_guild:
            return []
        try:
            views = await self.engine.schedule_list(actor(interaction), self.now())
        except Exception:
            log.exception("interaction %s: schedule autocomplete failed", interaction.id)
            return []
        choices = []
        for v in views:
            label = f"#{v.id} · #{v.channel_name or v.channel_id} · {v.time}{'' if v.enabled else ' (paused)'}"
            if not current or current.lower() in label.lower():
                choices.append(app_commands.Choice(name=label[:100], value=v.id))
        return choices[:25]

    @schedule.command(name="add", description="Post a daily question in a channel.")
    @app_commands.describe(
        channel="Where to post", time="Local time, HH:MM (24 h)", weekdays="e.g. mon-fri (default), daily, mon,wed,fri",
        timezone="IANA zone such as Europe/Berlin (default: the server's)",
        lessons="Lesson ids or numbers, comma separated (default: all)", tags="Question tags, comma separated",
        shuffle="Shuffle the track's questions", open_minutes="How long answers count (default: until the next post)",
        ping_role="A role to ping with each post", results_in_thread="Post the results in a thread instead of editing the post")
    @admin_only
    async def schedule_add(self, interaction: Interaction, channel: discord.TextChannel, time: Range[str, 3, 5],
                           weekdays: Range[str, 1, 60] | None = None, timezone: Range[str, 1, 64] | None = None,
                           lessons: Range[str, 1, 500] | None = None, tags: Range[str, 1, 300] | None = None,
                           shuffle: bool = False, open_minutes: Range[int, 1, 10080] | None = None,
                           ping_role: discord.Role | None = None, results_in_thread: bool = False) -> None:
        missing = missing_in_channel(interaction, channel.id, results_in_thread)
        if missing is None:
            return await tell(interaction, f"I can't see <#{channel.id}>: give my role **View Channel** there.")
        if missing:
            return await tell(interaction, render.missing_permissions_text(channel.id, missing))
        notes = ping_notes(interaction, channel.id, ping_role)

        async def work() -> Reply:
            spec = ScheduleSpec(channel_id=str(channel.id), time=time, weekdays=weekdays or "mon-fri",
                                timezone=timezone or None, lessons=split_list(lessons), tags=split_list(tags),
                                shuffle=bool(shuffle), open_minutes=open_minutes,
                                ping_role=str(ping_role.id) if ping_role else None,
                                results_in_thread=bool(results_in_thread), channel_name=getattr(channel, "name", "") or "")
            view = await self.engine.schedule_create(actor(interaction), spec, self.now())
            return Reply(content="\n".join(["Schedule created.", *notes]),
                         embeds=[render.schedule_embed(view, f"Schedule #{view.id}")])
        await run(interaction, work)

    @schedule.command(name="list", description="The schedules in this server.")
    @admin_only
    async def schedule_list(self, interaction: Interaction) -> None:
        async def work() -> Reply:
            return Reply(embeds=[render.schedules_embed(await self.engine.schedule_list(actor(interaction), self.now()))])
        await run(interaction, work)

    @schedule.command(name="pause", description="Pause a schedule.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_pause(self, interaction: Interaction, schedule: int) -> None:
        await self.schedule_enable(interaction, schedule, False)

    @schedule.command(name="resume", description="Resume a paused schedule.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_resume(self, interaction: Interaction, schedule: int) -> None:
        await self.schedule_enable(interaction, schedule, True)

    async def schedule_enable(self, interaction: Interaction, schedule_id: int, enabled: bool) -> None:
        async def work() -> Reply:
            view = await self.engine.schedule_set_enabled(actor(interaction), schedule_id, enabled, self.now())
            return Reply(content="Schedule resumed." if enabled else "Schedule paused.",
                         embeds=[render.schedule_embed(view, f"Schedule #{view.id}")])
        await run(interaction, work)

    @schedule.command(name="remove", description="Remove a schedule (past answers are kept).")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_remove(self, interaction: Interaction, schedule: int) -> None:
        async def work() -> Reply:
            view = await self.engine.schedule_remove(actor(interaction), schedule)
            return Reply(content=f"Removed schedule #{view.id} (<#{view.channel_id}>). Past answers are kept.")
        await run(interaction, work)

    @schedule.command(name="post-now", description="Post today's question now.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_post_now(self, interaction: Interaction, schedule: int) -> None:
        async def work() -> Reply:
            outcome = await self.engine.schedule_post_now(actor(interaction), schedule, self.now())
            return Reply(content=render.outcome_text(outcome))
        await run(interaction, work)

    @schedule.command(name="skip", description="Skip the next post.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def schedule_skip(self, interaction: Interaction, schedule: int) -> None:
        async def work() -> Reply:
            view = await self.engine.schedule_skip_next(actor(interaction), schedule, self.now())
            return Reply(content="The next post will be skipped.", embeds=[render.schedule_embed(view, f"Schedule #{view.id}")])
        await run(interaction, work)

    @schedule.command(name="recap", description="Move the weekly recap to another day, or turn it off.")
    @app_commands.describe(schedule="The schedule", day="The recap's weekday (mon..sun), or off")
    @app_commands.autocomplete(schedule=schedule_ids)
    @app_commands.choices(day=[app_commands.Choice(name=d, value=d)
                               for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "off")])
    @admin_only
    async def schedule_recap(self, interaction: Interaction, schedule: int, day: str) -> None:
        async def work() -> Reply:
            view = await self.engine.schedule_set_recap(actor(interaction), schedule, day, self.now())
            said = f"The weekly recap goes out on {view.recap_weekday}." if view.recap_weekday else "The weekly recap is off."
            return Reply(content=said, embeds=[render.schedule_embed(view, f"Schedule #{view.id}")])
        await run(interaction, work)

    @content.command(name="list", description="The lessons, with their ids and question counts.")
    @admin_only
    async def content_list(self, interaction: Interaction) -> None:
        async def work() -> Reply:
            return Reply(embeds=[render.lessons_embed(await self.engine.lessons(actor(interaction)), with_ids=True)])
        await run(interaction, work)

    @content.command(name="preview", description="Preview the next question a schedule will post.")
    @app_commands.describe(schedule="The schedule")
    @app_commands.autocomplete(schedule=schedule_ids)
    @admin_only
    async def content_preview(self, interaction: Interaction, schedule: int) -> None:
        async def work() -> Reply:
            card, view = await self.engine.schedule_preview(actor(interaction), schedule, self.now())
            heading = f"Next post of schedule #{view.id} ({'#' + view.channel_name if view.channel_name else view.channel_id})"
            return Reply(embeds=[render.question_embed(card, heading=heading)])
        await run(interaction, work)

    async def question_ids(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        """Retire offers the questions that were answered (flagged first); unretire the retired ones."""
        if not interaction.permissions.manage_guild:
            return []
        try:
            if (interaction.command and interaction.command.name) == "unretire":
                ids = await self.engine.retired_questions(actor(interaction))
            else:
                ids = [item.question_id for item in (await self.engine.item_analysis(actor(interaction), self.now())).items
                       if not item.retired]
        except Exception:
            log.exception("interaction %s: question autocomplete failed", interaction.id)
            return []
        return [app_commands.Choice(name=qid[:100], value=qid) for qid in ids if current.lower() in qid.lower()][:25]

    @content.command(name="stats", description="How each question behaves: facility, discrimination, flags.")
    @app_commands.describe(page="Which page (5 questions each, flagged ones first)")
    @admin_only
    async def content_stats(self, interaction: Interaction, page: Range[int, 1, 1000] = 1) -> None:
        async def work() -> Reply:
            report = await self.engine.item_analysis(actor(interaction), self.now())
            return Reply(embeds=[item_render.stats_embed(report, page)])
        await run(interaction, work)

    @content.command(name="retire", description="Take a question out of this server's schedules.")
    @app_commands.describe(question="The question id")
    @app_commands.autocomplete(question=question_ids)
    @admin_only
    async def content_retire(self, interaction: Interaction, question: Range[str, 1, 64]) -> None:
        await self.set_retired(interaction, question, True)

    @content.command(name="unretire", description="Bring a retired question back into this server's schedules.")
    @app_commands.describe(question="The question id")
    @app_commands.autocomplete(question=question_ids)
    @admin_only
    async def content_unretire(self, interaction: Interaction, question: Range[str, 1, 64]) -> None:
        await self.set_retired(interaction, question, False)

    async def set_retired(self, interaction: Interaction, question: str, retired: bool) -> None:
        async def work() -> Reply:
            done = await self.engine.question_set_retired(actor(interaction), question, retired, self.now())
            state = ("retired: no schedule here posts it again (answers where it was posted still count)"
                     if done.retired else "back in this server's schedules")
            return Reply(content=f"`{done.question_id}` is {state}.{'' if done.changed else ' (It already was.)'}")
        await run(interaction, work)

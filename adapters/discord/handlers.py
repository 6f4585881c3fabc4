"""What happens on each slash command, click and modal: build the Actor, call the engine, render the view.

Every handler goes through `run`: it defers first when the database is involved (Discord wants an
acknowledgement within 3 seconds), sends the reply ephemerally (or edits the clicked message), shows
a QuizError as its own sentence, and turns anything unexpected into a short apology plus a log line
carrying the interaction id.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord import Interaction, app_commands
from discord.ui import View
from discord.utils import MISSING

from adapters.discord import components, render
from bot.errors import NotAllowed, QuizError, StaleControl
from bot.views import Actor, ScheduleSpec

if TYPE_CHECKING:
    from adapters.discord.sender import DiscordSender
    from bot.engine import Engine

log = logging.getLogger(__name__)

# What the bot needs in a schedule's channel (and in its results thread).
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "read_message_history")
THREAD_PERMISSIONS = ("create_public_threads", "send_messages_in_threads")
MODAL_LOOKUP_SECONDS = 2.0


@dataclass
class Reply:
    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: View | None = None


Work = Callable[[], Reply | Awaitable[Reply]]


def split_list(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


class QuizInteractions:
    def __init__(self, engine: Engine, sender: DiscordSender, clock: Callable[[], datetime]):
        self.engine, self.sender, self.clock = engine, sender, clock
        self.modal_lookup_seconds = MODAL_LOOKUP_SECONDS  # Discord allows 3 s before the modal must open

    # Plumbing ----------------------------------------------------------------------
    def actor(self, interaction: Interaction) -> Actor:
        if interaction.guild_id is None:
            raise NotAllowed("The quiz lives in servers: use it in a server channel.")
        user = interaction.user
        guild = interaction.guild
        return Actor(platform="discord", community_id=str(interaction.guild_id), user_id=str(user.id),
                     display_name=(user.display_name or user.name or str(user.id))[:100],
                     is_admin=interaction.permissions.manage_guild,
                     community_name=(getattr(guild, "name", None) or "")[:200])

    async def run(self, interaction: Interaction, work: Work, *, edit: bool = False, defer: bool = True) -> None:
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
            log.exception("interaction %s failed (%s)", interaction.id, _describe(interaction))
            reply, failed = Reply(content=render.apology(interaction.id)), True
        try:
            await self._send(interaction, reply, edit=edit and not failed)
        except Exception:
            log.exception("could not answer interaction %s (%s)", interaction.id, _describe(interaction))

    @staticmethod
    async def _send(interaction: Interaction, reply: Reply, *, edit: bool) -> None:
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
            await interaction.followup.send(content=reply.content, embeds=reply.embeds, view=view, ephemeral=True,
                                            allowed_mentions=mentions)
        else:
            await interaction.response.send_message(content=reply.content, embeds=reply.embeds, view=view,
                                                    ephemeral=True, allowed_mentions=mentions)

    async def tell(self, interaction: Interaction, text: str) -> None:
        """A short private message, e.g. for errors from checks (an engine error goes through render.notice)."""
        await self._send(interaction, Reply(content=text), edit=False)

    def now(self) -> datetime:
        return self.clock()

    async def stale(self, interaction: Interaction) -> None:
        """A button or form this version of the bot does not handle."""
        log.info("interaction %s: no handler (%s)", interaction.id, _describe(interaction))
        await self.tell(interaction, str(StaleControl()))

    # Learner commands --------------------------------------------------------------
    async def help(self, interaction: Interaction) -> None:
        await self.run(interaction, lambda: Reply(embeds=[render.help_embed(interaction.permissions.manage_guild)]),
                       defer=False)

    async def lesson(self, interaction: Interaction, lesson: str | None) -> None:
        if not lesson or not lesson.strip():
            async def listing() -> Reply:
                return Reply(embeds=[render.lessons_embed(await self.engine.lessons(self.actor(interaction)))])
            return await self.run(interaction, listing)

        def first_part() -> Reply:
            card = self.engine.snippet(lesson.strip(), 0)  # no database: answer at once
            return Reply(embeds=[render.snippet_embed(card)], view=components.single(self._after_snippet(card)))
        await self.run(interaction, first_part, defer=False)

    @staticmethod
    def _after_snippet(card) -> components.LessonStepButton:
        return components.LessonStepButton(card.lesson_id, card.index + 1, "Questions ▶" if card.is_last else "Next ▶")

    async def lesson_step(self, interaction: Interaction, lesson_id: str, step: int | str) -> None:
        if step == "done":
            done = discord.Embed(title="Lesson complete! 🎉", colour=render.GOOD,
                                 description="/streak shows your streak, /lesson the next lesson, /quiz a practice question.")
            return await self.run(interaction, lambda: Reply(embeds=[done]), edit=True, defer=False)
        try:
            total = self.engine.snippet(lesson_id, 0).total
        except QuizError as err:  # e.g. the lesson was removed from the course since this message was sent
            return await self.tell(interaction, render.notice(str(err)))
        if step < total:
            def part() -> Reply:
                card = self.engine.snippet(lesson_id, step)
                return Reply(embeds=[render.snippet_embed(card)], view=components.single(self._after_snippet(card)))
            return await self.run(interaction, part, edit=True, defer=False)

        async def question() -> Reply:
            card = await self.engine.lesson_question(self.actor(interaction), lesson_id, step - total, self.now())
            next_step = step + 1 if card.position < card.of else "done"
            return Reply(embeds=[render.question_embed(card)],
                         view=components.question_view(card, components.lesson_continuation(
                             lesson_id, next_step, answered=False)))
        await self.run(interaction, question, edit=True)

    async def practice(self, interaction: Interaction) -> None:
        await self.run(interaction, lambda: self._practice_reply(interaction))

    async def practice_again(self, interaction: Interaction) -> None:
        await self.run(interaction, lambda: self._practice_reply(interaction), edit=True)

    async def _practice_reply(self, interaction: Interaction) -> Reply:
        card = await self.engine.practice(self.actor(interaction), self.now())
        return Reply(embeds=[render.question_embed(card)],
                     view=components.question_view(card, components.PracticeButton(label="Skip")))

    async def streak(self, interaction: Interaction) -> None:
        async def work() -> Reply:
            return Reply(embeds=[render.streak_embed(await self.engine.streak(self.actor(interaction), self.now()))])
        await self.run(interaction, work)

    async def leaderboard(self, interaction: Interaction, period: str | None, group: str | None) -> None:
        async def work() -> Reply:
            board = await self.engine.leaderboard(self.actor(interaction), self.now(), period, group or None)
            return Reply(embeds=[render.leaderboard_embed(board)])
        await self.run(interaction, work)

    async def group_create(self, interaction: Interaction, name: str) -> None:
        async def work() -> Reply:
            change = await self.engine.group_create(self.actor(interaction), name, self.now())
            return Reply(content=render.group_change_text(change))
        await self.run(interaction, work)

    async def group_join(self, interaction: Interaction, name: str) -> None:
        async def work() -> Reply:
            change = await self.engine.group_join(self.actor(interaction), name, self.now())
            return Reply(content=render.group_change_text(change))
        await self.run(interaction, work)

    async def group_leave(self, interaction: Interaction) -> None:
        async def work() -> Reply:
            return Reply(content=render.group_change_text(await self.engine.group_leave(self.actor(interaction), self.now())))
        await self.run(interaction, work)

    async def group_list(self, interaction: Interaction) -> None:
        async def work() -> Reply:
            return Reply(embeds=[render.groups_embed(await self.engine.groups(self.actor(interaction)))])
        await self.run(interaction, work)

    # Answers -----------------------------------------------------------------------
    async def answer_post_choice(self, interaction: Interaction, post_id: int, choice_id: str) -> None:
        await self.run(interaction, lambda: self._post_verdict(interaction, post_id, choice_id))

    async def _post_verdict(self, interaction: Interaction, post_id: int, answer: str) -> Reply:
        verdict = await self.engine.answer_post(self.actor(interaction), post_id, answer, self.now())
        if verdict.status == "new" and interaction.message is not None:
            self.sender.mark_dirty(post_id, interaction.channel_id or interaction.message.channel.id, interaction.message.id)
        return Reply(embeds=[render.verdict_embed(verdict)])

    async def open_post_modal(self, interaction: Interaction, post_id: int) -> None:
        try:
            card = await asyncio.wait_for(self.engine.post_question(post_id), self.modal_lookup_seconds)
        except QuizError as err:
            return await self.tell(interaction, render.notice(str(err)))
        except Exception:  # slow or failing database: open the modal anyway; the answer is checked on submit
            log.warning("interaction %s: post %s lookup failed before the modal", interaction.id, post_id, exc_info=True)
            card = None
        if card is not None and not card.is_open(self.now()):
            return await self.tell(interaction, "This question is closed: answers no longer count.")
        try:
            await interaction.response.send_modal(components.answer_modal("post", post_id, card.prompt if card else ""))
        except Exception:
            log.exception("interaction %s: could not open the answer modal", interaction.id)

    async def answer_delivery_choice(self, interaction: Interaction, delivery_id: int, choice_id: str) -> None:
        await self.run(interaction, lambda: self._delivery_verdict(interaction, delivery_id, choice_id), edit=True)

    async def _delivery_verdict(self, interaction: Interaction, delivery_id: int, answer: str) -> Reply:
        verdict = await self.engine.answer(self.actor(interaction), delivery_id, answer, self.now())
        shown = list((interaction.message.embeds if interaction.message else [])[:1])
        return Reply(embeds=shown + [render.verdict_embed(verdict)],
                     view=components.single(components.continuation_after_answer(interaction.message)))

    async def open_delivery_modal(self, interaction: Interaction, delivery_id: int) -> None:
        embeds = interaction.message.embeds if interaction.message else []
        prompt = (embeds[0].description or "") if embeds else ""
        try:
            await interaction.response.send_modal(components.answer_modal("dlv", delivery_id, prompt))
        except Exception:
            log.exception("interaction %s: could not open the answer modal", interaction.id)

    async def modal_submit(self, interaction: Interaction) -> None:
        match = components.MODAL_RE.fullmatch((interaction.data or {}).get("custom_id", ""))
        if match is None:
            return
        text, target = components.modal_answer(interaction.data), int(match["id"])
        if match["kind"] == "post":
            await self.run(interaction, lambda: self._post_verdict(interaction, target, text))
        else:
            await self.run(interaction, lambda: self._delivery_verdict(interaction, target, text),
                           edit=interaction.message is not None)

    # Autocomplete (no defer possible: answer fast, never fail) -----------------------
    async def lesson_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            return [app_commands.Choice(name=render.clip(title, 100), value=lesson_id)
                    for lesson_id, title in self.engine.lesson_choices(current or "")[:25]]
        except Exception:
            log.exception("interaction %s: lesson autocomplete failed", interaction.id)
            return []

    async def group_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            names = await self.engine.group_choices(self.actor(interaction), current or "")
            return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:25]]
        except Exception:
            log.exception("interaction %s: group autocomplete failed", interaction.id)
            return []

    async def schedule_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        if not interaction.permissions.manage_guild:
            return []
        try:
            views = await self.engine.schedules.list(self.actor(interaction), self.now())
        except Exception:
            log.exception("interaction %s: schedule autocomplete failed", interaction.id)
            return []
        choices = []
        for v in views:
            label = f"#{v.id} · #{v.channel_name or v.channel_id} · {v.time}{'' if v.enabled else ' (paused)'}"
            if not current or current.lower() in label.lower():
                choices.append(app_commands.Choice(name=label[:100], value=v.id))
        return choices[:25]

    # Admin -------------------------------------------------------------------------
    def missing_in_channel(self, interaction: Interaction, channel_id: int, thread: bool) -> list[str] | None:
        """Permissions the bot lacks in the channel; None when the channel is not visible to it at all."""
        guild = interaction.guild
        channel = guild.get_channel(channel_id) if guild else None
        me = guild.me if guild else None
        if channel is None or me is None:
            return None
        perms = channel.permissions_for(me)
        wanted = POST_PERMISSIONS + (THREAD_PERMISSIONS if thread else ())
        return [name for name in wanted if not getattr(perms, name)]

    async def schedule_add(self, interaction: Interaction, channel: discord.abc.GuildChannel, time: str,
                           weekdays: str | None, timezone: str | None, lessons: str | None, tags: str | None,
                           shuffle: bool, open_minutes: int | None, ping_role: discord.Role | None,
                           results_in_thread: bool) -> None:
        missing = self.missing_in_channel(interaction, channel.id, results_in_thread)
        if missing is None:
            return await self.tell(interaction, f"I can't see <#{channel.id}>: give my role **View Channel** there.")
        if missing:
            return await self.tell(interaction, render.missing_permissions_text(channel.id, missing))
        notes = []
        if ping_role is not None and not ping_role.mentionable:
            guild_channel = interaction.guild.get_channel(channel.id)
            if not guild_channel.permissions_for(interaction.guild.me).mention_everyone:
                notes.append(f"Note: {ping_role.mention} is not mentionable, so the daily ping won't notify anyone. "
                             "Make the role mentionable (Server Settings → Roles).")

        async def work() -> Reply:
            spec = ScheduleSpec(channel_id=str(channel.id), time=time, weekdays=weekdays or "mon-fri",
                                timezone=timezone or None, lessons=split_list(lessons), tags=split_list(tags),
                                shuffle=bool(shuffle), open_minutes=open_minutes,
                                ping_role=str(ping_role.id) if ping_role else None,
                                results_in_thread=bool(results_in_thread), channel_name=getattr(channel, "name", "") or "")
            view = await self.engine.schedules.create(self.actor(interaction), spec, self.now())
            return Reply(content="\n".join(["Schedule created.", *notes]),
                         embeds=[render.schedule_embed(view, f"Schedule #{view.id}")])
        await self.run(interaction, work)

    async def schedule_list(self, interaction: Interaction) -> None:
        async def work() -> Reply:
            return Reply(embeds=[render.schedules_embed(await self.engine.schedules.list(self.actor(interaction), self.now()))])
        await self.run(interaction, work)

    async def schedule_enable(self, interaction: Interaction, schedule_id: int, enabled: bool) -> None:
        async def work() -> Reply:
            view = await self.engine.schedules.set_enabled(self.actor(interaction), schedule_id, enabled, self.now())
            return Reply(content="Schedule resumed." if enabled else "Schedule paused.",
                         embeds=[render.schedule_embed(view, f"Schedule #{view.id}")])
        await self.run(interaction, work)

    async def schedule_remove(self, interaction: Interaction, schedule_id: int) -> None:
        async def work() -> Reply:
            view = await self.engine.schedules.remove(self.actor(interaction), schedule_id)
            return Reply(content=f"Removed schedule #{view.id} (<#{view.channel_id}>). Past answers are kept.")
        await self.run(interaction, work)

    async def schedule_post_now(self, interaction: Interaction, schedule_id: int) -> None:
        async def work() -> Reply:
            outcome = await self.engine.schedules.post_now(self.actor(interaction), schedule_id, self.now())
            return Reply(content=render.outcome_text(outcome))
        await self.run(interaction, work)

    async def schedule_skip(self, interaction: Interaction, schedule_id: int) -> None:
        async def work() -> Reply:
            view = await self.engine.schedules.skip_next(self.actor(interaction), schedule_id, self.now())
            return Reply(content="The next post will be skipped.", embeds=[render.schedule_embed(view, f"Schedule #{view.id}")])
        await self.run(interaction, work)

    async def content_list(self, interaction: Interaction) -> None:
        async def work() -> Reply:
            return Reply(embeds=[render.lessons_embed(await self.engine.lessons(self.actor(interaction)), with_ids=True)])
        await self.run(interaction, work)

    async def content_preview(self, interaction: Interaction, schedule_id: int) -> None:
        async def work() -> Reply:
            card, view = await self.engine.schedules.preview(self.actor(interaction), schedule_id, self.now())
            heading = f"Next post of schedule #{view.id} ({'#' + view.channel_name if view.channel_name else view.channel_id})"
            return Reply(embeds=[render.question_embed(card, heading=heading)])
        await self.run(interaction, work)

    # Errors from checks and transformers (the tree's on_error) ------------------------
    async def command_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
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
            log.error("interaction %s failed (%s)", interaction.id, _describe(interaction),
                      exc_info=(type(original), original, original.__traceback__))
            text = render.apology(interaction.id)
        try:
            await self.tell(interaction, text)
        except Exception:
            log.exception("could not answer interaction %s", interaction.id)


def _describe(interaction: Interaction) -> str:
    data = interaction.data or {}
    what = data.get("custom_id") or data.get("name") or "?"
    return f"{interaction.type.name} {what} guild={interaction.guild_id} user={interaction.user.id if interaction.user else '?'}"


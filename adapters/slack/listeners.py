"""Slack requests → engine calls → Block Kit. Every listener acks first (or, for a modal submit
that can show field errors, within a time budget well under Slack's 3 seconds) and does the
rest after; the engine decides everything, these handlers only translate and render.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from adapters.slack import blocks as bk
from adapters.slack import modals as md
from adapters.slack.admin import REFUSAL, Directory, Person
from adapters.slack.home import gather, home_view
from adapters.slack.sender import SlackSender
from bot.clock import Clock, utc_now
from bot.errors import BadInput, QuizError
from bot.ids import parse_id
from bot.views import Actor, ScheduleView

log = logging.getLogger(__name__)
OOPS = "Something went wrong on my side; please try again in a moment."
GROUP_USAGE = "Use `/quiz group create <name>`, `join <name>`, `leave`, `list` or `board [week|month|all]`."
Message = tuple[str, list[dict]]


class SeenEvents:
    """Event ids handled lately: a retried event (X-Slack-Retry-Num) is acked and not handled twice."""

    def __init__(self, size: int = 5000):
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


@dataclass
class Front:
    engine: object  # bot.engine.Engine
    directory: Directory
    sender: SlackSender
    clock: Clock = utc_now
    budget: float = 2.0  # seconds of work before an ack that must carry a result (modals, field errors)
    revocations: object | None = None  # slack_bolt AsyncTokenRevocationListeners in OAuth mode

    # Who and where ----------------------------------------------------------------------------
    async def who(self, client, body: dict, context, user_id: str | None = None) -> tuple[Actor, Person]:
        team_id = context.team_id or body.get("team_id") or (body.get("team") or {}).get("id") or ""
        user_id = user_id or context.user_id or (body.get("user") or {}).get("id") or body.get("user_id") or ""
        user = body.get("user") if isinstance(body.get("user"), dict) else {}
        fallback = body.get("user_name") or user.get("name") or user.get("username") or ""
        person = await self.directory.person(client, team_id, user_id, fallback)
        community = body.get("team_domain") or (body.get("team") or {}).get("domain") or ""
        return Actor("slack", team_id, user_id, person.display_name, person.is_admin, community), person

    def left(self, started: float) -> float:
        return max(0.1, self.budget - (time.monotonic() - started))

    # Modals -----------------------------------------------------------------------------------
    async def open_modal(self, client, trigger_id: str, title: str, build: Awaitable[dict], started: float,
                         on_error: Callable[[str], Awaitable[None]] | None = None) -> None:
        """Open the view `build` makes; if making it is slow, open a placeholder now and fill it in later
        (a trigger id expires 3 seconds after the click)."""
        task = asyncio.ensure_future(build)
        await asyncio.wait({task}, timeout=self.left(started))
        if task.done():
            try:
                view = task.result()
            except QuizError as err:
                if on_error is not None:
                    return await on_error(str(err))
                view = md.note_view(title, str(err))
            await client.views_open(trigger_id=trigger_id, view=view)
            return
        opened = await client.views_open(trigger_id=trigger_id, view=md.pending_view(title))
        try:
            view = await task
        except QuizError as err:
            view = md.note_view(title, str(err))
        except Exception:
            log.exception("building a modal failed")
            view = md.note_view(title, OOPS)
        await client.views_update(view_id=opened["view"]["id"], view=view)

    async def update_modal(self, client, body: dict, view: dict) -> None:
        current = body.get("view") or {}
        try:
            await client.views_update(view_id=current.get("id"), hash=current.get("hash"), view=view)
        except SlackApiError as err:
            if err.response.get("error") != "hash_conflict":  # a double click already moved the modal on
                raise

    async def submit(self, ack, client, body: dict, title: str, work: Awaitable, started: float,
                     ok_view: Callable[[object], dict | None],
                     field_errors: Callable[[BadInput], dict] | None = None):
        """Run a modal submission's work and answer in the ack: field errors, the next view, or close.
        Past the budget, ack with a placeholder and update it when the work is done."""
        task = asyncio.ensure_future(work)
        await asyncio.wait({task}, timeout=self.left(started))
        if not task.done():
            await ack(response_action="update", view=md.pending_view(title))
            try:
                result = await task
                view = ok_view(result) or md.note_view(title, "Done.")
            except QuizError as err:
                result, view = None, md.note_view(title, str(err))
            except Exception:
                log.exception("modal submission failed")
                result, view = None, md.note_view(title, OOPS)
            await client.views_update(view_id=(body.get("view") or {}).get("id"), view=view)
            return result
        try:
            result = task.result()
        except BadInput as err:
            if field_errors is not None:
                await ack(response_action="errors", errors=field_errors(err))
            else:
                await ack(response_action="update", view=md.note_view(title, str(err)))
            return None
        except QuizError as err:
            await ack(response_action="update", view=md.note_view(title, str(err)))
            return None
        except Exception:
            log.exception("modal submission failed")
            await ack(response_action="update", view=md.note_view(title, OOPS))
            return None
        view = ok_view(result)
        if view is None:
            await ack()
        else:
            await ack(response_action="update", view=view)
        return result

    # Study: lessons and practice -------------------------------------------------------------------
    async def lesson_list(self, actor: Actor) -> dict:
        return md.lesson_list_view(await self.engine.lessons(actor))

    async def lesson_start(self, actor: Actor, name: str) -> dict:
        first = self.engine.snippet(name, 0)
        listing = next((item for item in await self.engine.lessons(actor) if item.id == first.lesson_id), None)
        state = md.StudyState("lesson", lesson=first.lesson_id, snippet=1, snippets=first.total,
                              questions=listing.questions if listing else 0)
        return md.snippet_view(first, state)

    async def practice_view(self, actor: Actor) -> dict:
        card = await self.engine.practice(actor, self.clock())
        return md.question_view(card, md.StudyState("practice", delivery=card.delivery_id))

    async def study_next(self, actor: Actor, state: md.StudyState) -> dict:
        if state.mode == "practice":
            return await self.practice_view(actor)
        if state.snippet < state.snippets:
            card = self.engine.snippet(state.lesson, state.snippet)
            state.snippet += 1
            return md.snippet_view(card, state)
        if state.question < state.questions:
            card = await self.engine.lesson_question(actor, state.lesson, state.question, self.clock())
            state.question += 1
            state.delivery = card.delivery_id
            return md.question_view(card, state)
        listing = next((item for item in await self.engine.lessons(actor) if item.id == state.lesson), None)
        return md.done_view(listing.title if listing else state.lesson)

    # App Home ----------------------------------------------------------------------------------
    async def publish_home(self, client, actor: Actor, notice: str | None = None) -> None:
        data = await gather(self.engine, actor, self.clock(), notice)
        await client.views_publish(user_id=actor.user_id, view=home_view(data))

    async def find_schedule(self, actor: Actor, schedule_id: int) -> ScheduleView | None:
        return next((s for s in await self.engine.schedule_list(actor, self.clock()) if s.id == schedule_id), None)


async def reply(respond, message: Message) -> None:
    text, blocks = message
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def register(app: AsyncApp, front: Front) -> None:
    """Attach every listener to the bolt app."""
    engine = front.engine
    seen = SeenEvents()

    @app.middleware
    async def skip_retried_events(body, next):
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not seen.first_time(str(event_id)):
            return BoltResponse(status=200, body="")
        return await next()

    # /quiz ----------------------------------------------------------------------------------------
    @app.command("/quiz")
    async def quiz(ack, body, command, client, respond, context):
        started = time.monotonic()
        await ack()
        words = (command.get("text") or "").split()
        verb, args = (words[0].lower(), words[1:]) if words else ("help", [])
        try:
            actor, _ = await front.who(client, body, context)
            message = await run_command(actor, verb, args, body, client, respond, started)
        except QuizError as err:
            message = bk.notice(str(err))
        except Exception:
            log.exception("/quiz failed")
            message = bk.notice(OOPS)
        if message is not None:
            await reply(respond, message)

    async def run_command(actor: Actor, verb: str, args: list[str], body, client, respond, started) -> Message | None:
        now = front.clock()

        async def to_channel(text: str) -> None:
            await reply(respond, bk.notice(text))

        if verb in ("help", "?"):
            return bk.help_message()
        if verb in ("lesson", "lessons"):
            name = " ".join(args)
            build = front.lesson_start(actor, name) if name and verb == "lesson" else front.lesson_list(actor)
            await front.open_modal(client, body["trigger_id"], "Lessons", build, started, on_error=to_channel)
            return None
        if verb in ("practice", "quiz"):
            await front.open_modal(client, body["trigger_id"], "Practice", front.practice_view(actor), started,
                                   on_error=to_channel)
            return None
        if verb == "streak":
            return bk.streak_message(await engine.streak(actor, now))
        if verb in ("leaderboard", "lb", "top"):
            board = await engine.leaderboard(actor, now, args[0] if args else None, " ".join(args[1:]) or None)
            return bk.leaderboard_message(board)
        if verb == "groups":
            return bk.groups_message(await engine.groups(actor))
        if verb == "group":
            sub, name = (args[0].lower() if args else "list"), " ".join(args[1:])
            if sub == "create" and name:
                return bk.group_change_message(await engine.group_create(actor, name, now))
            if sub == "join" and name:
                return bk.group_change_message(await engine.group_join(actor, name, now))
            if sub == "leave":
                return bk.group_change_message(await engine.group_leave(actor, now))
            if sub == "list":
                return bk.groups_message(await engine.groups(actor))
            if sub in ("board", "leaderboard"):
                return bk.leaderboard_message(await engine.group_leaderboard(actor, now, args[1] if len(args) > 1 else None))
            return GROUP_USAGE, [bk.section(GROUP_USAGE)]
        return bk.help_message(unknown=verb)

    # Daily posts ------------------------------------------------------------------------------------
    @app.action(re.compile(r"^post:\d+:.+"))
    async def post_choice(ack, body, action, client, respond, context):
        await ack()
        _, post_id, choice = action["action_id"].split(":", 2)
        try:
            actor, _ = await front.who(client, body, context)
            verdict = await engine.answer_post(actor, parse_id(post_id, "daily question"), choice, front.clock())
        except QuizError as err:
            return await reply(respond, bk.notice(str(err)))
        except Exception:
            log.exception("answering a daily post failed")
            return await reply(respond, bk.notice(OOPS))
        await reply(respond, bk.verdict_message(verdict))

    @app.action(re.compile(r"^post_text:\d+$"))
    async def post_text(ack, body, action, client, respond, context):
        started = time.monotonic()
        await ack()
        post_id = parse_id(action["action_id"].split(":", 1)[1], "daily question")
        container = body.get("container") or {}
        meta = {"post": post_id, "channel": container.get("channel_id", ""), "ts": container.get("message_ts", "")}

        async def build() -> dict:
            return md.post_answer_view(await engine.post_question(post_id), meta)

        async def to_clicker(text: str) -> None:
            await reply(respond, bk.notice(text))

        await front.open_modal(client, body["trigger_id"], "Daily question", build(), started, on_error=to_clicker)

    @app.view(md.POST_ANSWER)
    async def post_answer(ack, body, view, client, context):
        started = time.monotonic()
        meta = md.read_meta(view)
        text = (((view.get("state") or {}).get("values") or {}).get("answer") or {}).get("text", {}).get("value") or ""
        if not isinstance(meta.get("post"), int):
            return await ack(response_action="update", view=md.note_view("Daily question", OOPS))
        actor, _ = await front.who(client, body, context)
        await front.submit(
            ack, client, body, "Daily question", engine.answer_post(actor, meta["post"], text, front.clock()), started,
            ok_view=md.answered_view, field_errors=lambda err: {"answer": str(err)})

    # Study modal: lessons and practice ---------------------------------------------------------------
    async def study_step(client, body, title: str, what: str, step) -> None:
        """Run one step of the study modal; an engine refusal or a failure becomes a note in the modal."""
        try:
            view = await step()
        except QuizError as err:
            view = md.note_view(title, str(err))
        except Exception:
            log.exception("%s failed", what)
            view = md.note_view(title, OOPS)
        await front.update_modal(client, body, view)

    @app.action(re.compile(r"^study_start:"))
    async def study_start(ack, body, action, client, context):
        await ack()
        actor, _ = await front.who(client, body, context)
        lesson = action.get("value") or action["action_id"].split(":", 1)[1]
        await study_step(client, body, "Lessons", "starting a lesson", lambda: front.lesson_start(actor, lesson))

    @app.action("study_next")
    async def study_next(ack, body, client, context):
        await ack()
        actor, _ = await front.who(client, body, context)
        state = md.StudyState.load(md.read_meta(body.get("view") or {}))

        async def step():
            return await front.study_next(actor, state) if state else md.note_view("Lessons", OOPS)
        await study_step(client, body, "Lessons", "the next study step", step)

    @app.action(re.compile(r"^study_answer:"))
    async def study_answer(ack, body, action, client, context):
        await ack()
        actor, _ = await front.who(client, body, context)
        current = body.get("view") or {}
        state = md.StudyState.load(md.read_meta(current))
        delivery, _, choice = (action.get("value") or "").partition(":")
        title = ((current.get("title") or {}).get("text") or "Quiz")

        async def step():
            if state is None or not delivery.isdigit():
                raise BadInput(OOPS)
            return md.verdict_view(await engine.answer(actor, parse_id(delivery, "question"), choice, front.clock()), state, title)
        await study_step(client, body, title, "answering in the study modal", step)

    @app.view(md.STUDY)
    async def study_submit(ack, body, view, client, context):
        started = time.monotonic()
        state = md.StudyState.load(md.read_meta(view))
        text = (((view.get("state") or {}).get("values") or {}).get("answer") or {}).get("text", {}).get("value") or ""
        title = ((view.get("title") or {}).get("text") or "Quiz")
        if state is None or state.delivery is None:
            return await ack()
        actor, _ = await front.who(client, body, context)
        await front.submit(ack, client, body, title, engine.answer(actor, state.delivery, text, front.clock()), started,
                           ok_view=lambda verdict: md.verdict_view(verdict, state, title),
                           field_errors=lambda err: {"answer": str(err)})

    # App Home --------------------------------------------------------------------------------------
    @app.event("app_home_opened")
    async def home_opened(event, body, client, context):
        if event.get("tab", "home") != "home":
            return
        actor, _ = await front.who(client, body, context, user_id=event.get("user"))
        await front.publish_home(client, actor)

    @app.action("home_lessons")
    async def home_lessons(ack, body, client, context):
        started = time.monotonic()
        await ack()
        actor, _ = await front.who(client, body, context)
        await front.open_modal(client, body["trigger_id"], "Lessons", front.lesson_list(actor), started)

    @app.action("home_practice")
    async def home_practice(ack, body, client, context):
        started = time.monotonic()
        await ack()
        actor, _ = await front.who(client, body, context)
        await front.open_modal(client, body["trigger_id"], "Practice", front.practice_view(actor), started)

    # Admin: schedules ------------------------------------------------------------------------------
    async def refuse(client, body) -> None:
        await client.views_open(trigger_id=body["trigger_id"], view=md.note_view("Not allowed", REFUSAL))

    @app.action("sched_add")
    async def sched_add(ack, body, client, context):
        started = time.monotonic()
        await ack()
        actor, person = await front.who(client, body, context)
        if not actor.is_admin:
            return await refuse(client, body)

        async def build() -> dict:
            return md.schedule_view(await engine.lessons(actor), None, person.tz or "")

        await front.open_modal(client, body["trigger_id"], "Add a schedule", build(), started)

    @app.action(re.compile(r"^sched_(edit|pause|resume|skip|post|remove):\d+$"))
    async def sched_button(ack, body, action, client, context):
        started = time.monotonic()
        await ack()
        verb, _, raw_id = action["action_id"].removeprefix("sched_").partition(":")
        schedule_id = parse_id(raw_id, "schedule")
        actor, _ = await front.who(client, body, context)
        if not actor.is_admin:
            return await refuse(client, body)
        now = front.clock()
        if verb == "edit":
            async def build() -> dict:
                existing = await front.find_schedule(actor, schedule_id)
                if existing is None:
                    return md.note_view("Edit schedule", f"There is no schedule #{schedule_id} any more.")
                return md.schedule_view(await engine.lessons(actor), existing)

            return await front.open_modal(client, body["trigger_id"], "Edit schedule", build(), started)
        try:
            if verb in ("pause", "resume"):
                shown = await engine.schedule_set_enabled(actor, schedule_id, verb == "resume", now)
                notice = f"{'Resumed' if shown.enabled else 'Paused'} schedule #{shown.id}."
            elif verb == "skip":
                shown = await engine.schedule_skip_next(actor, schedule_id, now)
                notice = f"Schedule #{shown.id} will skip its next post."
            elif verb == "post":
                outcome = await engine.schedule_post_now(actor, schedule_id, now)
                notice = ("Posted today's question." if outcome.status == "posted"
                          else f"Posting failed: {outcome.detail or outcome.status}")
            else:
                shown = await engine.schedule_remove(actor, schedule_id)
                notice = f"Removed schedule #{shown.id}. Past answers and streaks stay."
        except QuizError as err:
            notice = str(err)
        await front.publish_home(client, actor, notice)

    @app.view(md.SCHEDULE)
    async def sched_submit(ack, body, view, client, context):
        started = time.monotonic()
        actor, _ = await front.who(client, body, context)
        if not actor.is_admin:
            return await ack(response_action="update", view=md.note_view("Not allowed", REFUSAL))
        fields = md.form_fields(view)
        schedule_id = md.read_meta(view).get("id")
        try:
            form = md.parse_schedule(view.get("state") or {})
        except md.FieldError as err:
            return await ack(response_action="errors", errors={err.field: str(err)})
        now = front.clock()
        if schedule_id is None:
            channel_name, problem = await check_channel(client, form.channel_id or "", front.left(started) / 2)
            if problem:
                return await ack(response_action="errors", errors={"channel": problem})
            work = engine.schedule_create(actor, form.spec(channel_name), now)
        else:
            work = engine.schedule_update(actor, parse_id(schedule_id, "schedule"), now, **form.changes())
        saved = await front.submit(ack, client, body, "Schedule", work, started, ok_view=lambda _: None,
                                   field_errors=lambda err: {md.field_for(err, fields): str(err)})
        if saved is not None:
            await front.publish_home(client, actor, f"Saved schedule #{saved.id}.")

    # Install lifecycle -------------------------------------------------------------------------------
    @app.event("app_uninstalled")
    async def uninstalled(event, context):
        log.info("app uninstalled", extra={"team_id": context.team_id})
        front.directory.forget(context.team_id)
        # No workspace to post into any more: stop its schedules instead of failing every day.
        await engine.pause_community("slack", context.team_id, utc_now())
        if front.revocations is not None:
            await front.revocations.handle_app_uninstalled_events(context)

    @app.event("tokens_revoked")
    async def revoked(event, context):
        log.info("tokens revoked", extra={"team_id": context.team_id})
        front.directory.forget(context.team_id)
        if front.revocations is not None:
            await front.revocations.handle_tokens_revoked_events(event, context)


async def check_channel(client, channel_id: str, timeout: float) -> tuple[str, str | None]:
    """(channel name, problem) — a problem the admin can fix now beats a failed post tomorrow."""
    if not channel_id:
        return "", None  # the engine says "Pick a channel"
    try:
        resp = await asyncio.wait_for(client.conversations_info(channel=channel_id), max(0.1, timeout))
    except SlackApiError as err:
        if err.response.get("error") == "channel_not_found":
            return "", "I can't see that channel. If it is private, invite me first: /invite @quizbot"
        return "", None
    except (TimeoutError, OSError):
        return "", None
    channel = resp.get("channel") or {}
    if channel.get("is_im") or channel.get("is_mpim"):
        return "", "Pick a channel, not a direct message."
    if channel.get("is_archived"):
        return "", "That channel is archived."
    if channel.get("is_private") and not channel.get("is_member"):
        return "", "I am not in that private channel: invite me first (/invite @quizbot)."
    return str(channel.get("name") or ""), None

"""Admins' schedules, managed from the App Home: add, edit, pause, resume, skip, post now, remove."""
from __future__ import annotations

import asyncio
import re
import time

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import modals as md
from adapters.slack.admin import REFUSAL
from adapters.slack.listeners.front import Front
from bot.errors import QuizError
from bot.ids import parse_id
from bot.views import Actor, ScheduleView

BUTTON = re.compile(r"^sched_(edit|pause|resume|skip|post|remove):\d+$")


async def refuse(client: AsyncWebClient, body: dict) -> None:
    await client.views_open(trigger_id=body["trigger_id"], view=md.note_view("Not allowed", REFUSAL))


async def find_schedule(front: Front, actor: Actor, schedule_id: int) -> ScheduleView | None:
    return next((s for s in await front.engine.schedule_list(actor, front.clock()) if s.id == schedule_id), None)


async def sched_add(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext,
                    front: Front) -> None:
    started = time.monotonic()
    await ack()
    actor, person = await front.who(client, body, context)
    if not actor.is_admin:
        return await refuse(client, body)

    async def build() -> dict:
        return md.schedule_view(await front.engine.lessons(actor), None, person.tz or "")

    await front.open_modal(client, body["trigger_id"], "Add a schedule", build(), started)


async def sched_button(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext,
                       front: Front) -> None:
    started = time.monotonic()
    await ack()
    verb, _, raw_id = action["action_id"].removeprefix("sched_").partition(":")
    schedule_id = parse_id(raw_id, "schedule")
    actor, _ = await front.who(client, body, context)
    if not actor.is_admin:
        return await refuse(client, body)
    if verb == "edit":
        async def build() -> dict:
            existing = await find_schedule(front, actor, schedule_id)
            if existing is None:
                return md.note_view("Edit schedule", f"There is no schedule #{schedule_id} any more.")
            return md.schedule_view(await front.engine.lessons(actor), existing)

        return await front.open_modal(client, body["trigger_id"], "Edit schedule", build(), started)
    await front.publish_home(client, actor, await schedule_change(front, actor, verb, schedule_id))


async def schedule_change(front: Front, actor: Actor, verb: str, schedule_id: int) -> str:
    """Pause, resume, skip, post now or remove; what happened, or why not, as the App Home's notice."""
    now = front.clock()
    try:
        if verb in ("pause", "resume"):
            shown = await front.engine.schedule_set_enabled(actor, schedule_id, verb == "resume", now)
            return f"{'Resumed' if shown.enabled else 'Paused'} schedule #{shown.id}."
        if verb == "skip":
            shown = await front.engine.schedule_skip_next(actor, schedule_id, now)
            return f"Schedule #{shown.id} will skip its next post."
        if verb == "post":
            outcome = await front.engine.schedule_post_now(actor, schedule_id, now)
            return ("Posted today's question." if outcome.status == "posted"
                    else f"Posting failed: {outcome.detail or outcome.status}")
        shown = await front.engine.schedule_remove(actor, schedule_id)
        return f"Removed schedule #{shown.id}. Past answers and streaks stay."
    except QuizError as err:
        return str(err)


async def sched_submit(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext,
                       front: Front) -> None:
    started = time.monotonic()
    actor, _ = await front.who(client, body, context)
    if not actor.is_admin:
        await ack(response_action="update", view=md.note_view("Not allowed", REFUSAL))
        return
    fields = md.form_fields(view)
    schedule_id = md.read_meta(view).get("id")
    try:
        form = md.parse_schedule(view.get("state") or {})
    except md.FieldError as err:
        await ack(response_action="errors", errors={err.field: str(err)})
        return
    now = front.clock()
    if schedule_id is None:
        channel_name, problem = await check_channel(client, form.channel_id or "", front.left(started) / 2)
        if problem:
            await ack(response_action="errors", errors={"channel": problem})
            return
        work = front.engine.schedule_create(actor, form.spec(channel_name), now)
    else:
        work = front.engine.schedule_update(actor, parse_id(schedule_id, "schedule"), now, **form.changes())
    saved = await front.submit(ack, client, body, "Schedule", work, started, ok_view=lambda _: None,
                               field_errors=lambda err: {md.field_for(err, fields): str(err)})
    if saved is not None:
        await front.publish_home(client, actor, f"Saved schedule #{saved.id}.")


async def check_channel(client: AsyncWebClient, channel_id: str, timeout: float) -> tuple[str, str | None]:
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

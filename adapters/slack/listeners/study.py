"""/quiz (lessons, practice, streak, leaderboards, groups) and the study modal it opens: a lesson's
snippets and questions, or practice questions, one step per click.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as bk
from adapters.slack import modals as md
from adapters.slack import reviews as rv
from adapters.slack.listeners.front import OOPS, Front, Message, reply
from bot.errors import BadInput, QuizError
from bot.ids import parse_id
from bot.views import Actor, Verdict

log = logging.getLogger(__name__)
GROUP_USAGE = "Use `/quiz group create <name>`, `join <name>`, `leave`, `list` or `board [week|month|all]`."
START = re.compile(r"^study_start:")
ANSWER = re.compile(r"^study_answer:")


# The study modal's views --------------------------------------------------------------------------
async def lesson_list(front: Front, actor: Actor) -> dict:
    return md.lesson_list_view(await front.engine.lessons(actor))


async def lesson_start(front: Front, actor: Actor, name: str) -> dict:
    first = front.engine.snippet(name, 0)
    listing = next((item for item in await front.engine.lessons(actor) if item.id == first.lesson_id), None)
    state = md.StudyState("lesson", lesson=first.lesson_id, snippet=1, snippets=first.total,
                          questions=listing.questions if listing else 0)
    return md.snippet_view(first, state)


async def practice_view(front: Front, actor: Actor) -> dict:
    card = await front.engine.practice(actor, front.clock())
    return md.question_view(card, md.StudyState("practice", delivery=card.delivery_id))


async def review_view(front: Front, actor: Actor) -> dict:
    return rv.review_view(await front.engine.review_next(actor, front.clock()))


async def verdict_view(front: Front, actor: Actor, verdict: Verdict, state: md.StudyState, title: str) -> dict:
    if state.mode == "review":
        return rv.review_verdict_view(verdict, state, await front.engine.review_status(actor, front.clock()))
    return md.verdict_view(verdict, state, title)


async def next_view(front: Front, actor: Actor, state: md.StudyState) -> dict:
    if state.mode == "practice":
        return await practice_view(front, actor)
    if state.mode == "review":
        return await review_view(front, actor)
    if state.snippet < state.snippets:
        card = front.engine.snippet(state.lesson, state.snippet)
        state.snippet += 1
        return md.snippet_view(card, state)
    if state.question < state.questions:
        question = await front.engine.lesson_question(actor, state.lesson, state.question, front.clock())
        state.question += 1
        state.delivery = question.delivery_id
        return md.question_view(question, state)
    listing = next((item for item in await front.engine.lessons(actor) if item.id == state.lesson), None)
    return md.done_view(listing.title if listing else state.lesson)


# /quiz --------------------------------------------------------------------------------------------
async def quiz(ack: AsyncAck, body: dict, command: dict, client: AsyncWebClient, respond: AsyncRespond,
               context: AsyncBoltContext, front: Front) -> None:
    started = time.monotonic()
    await ack()
    words = (command.get("text") or "").split()
    verb, args = (words[0].lower(), words[1:]) if words else ("help", [])
    try:
        actor, _ = await front.who(client, body, context)
        message = await run_command(front, actor, verb, args, body, client, respond, started)
    except QuizError as err:
        message = bk.notice(str(err))
    except Exception:
        log.exception("/quiz failed")
        message = bk.notice(OOPS)
    if message is not None:
        await reply(respond, message)


async def run_command(front: Front, actor: Actor, verb: str, args: list[str], body: dict, client: AsyncWebClient,
                      respond: AsyncRespond, started: float) -> Message | None:
    engine, now = front.engine, front.clock()

    async def to_channel(text: str) -> None:
        await reply(respond, bk.notice(text))

    if verb in ("help", "?"):
        return bk.help_message()
    if verb in ("lesson", "lessons"):
        name = " ".join(args)
        build = lesson_start(front, actor, name) if name and verb == "lesson" else lesson_list(front, actor)
        await front.open_modal(client, body["trigger_id"], "Lessons", build, started, on_error=to_channel)
        return None
    if verb in ("practice", "quiz"):
        await front.open_modal(client, body["trigger_id"], "Practice", practice_view(front, actor), started,
                               on_error=to_channel)
        return None
    if verb in ("review", "reviews"):
        if args and args[0].lower() == "remind":
            setting = (await engine.set_review_reminder(actor, " ".join(args[1:]), now) if len(args) > 1
                       else await engine.review_reminder(actor))
            return bk.notice(rv.reminder_setting_text(setting))
        await front.open_modal(client, body["trigger_id"], rv.TITLE, review_view(front, actor), started,
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


# The study modal ----------------------------------------------------------------------------------
async def study_step(front: Front, client: AsyncWebClient, body: dict, title: str, what: str,
                     step: Callable[[], Awaitable[dict]]) -> None:
    """Run one step of the study modal; an engine refusal or a failure becomes a note in the modal."""
    try:
        view = await step()
    except QuizError as err:
        view = md.note_view(title, str(err))
    except Exception:
        log.exception("%s failed", what)
        view = md.note_view(title, OOPS)
    await front.update_modal(client, body, view)


async def study_start(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext,
                      front: Front) -> None:
    await ack()
    actor, _ = await front.who(client, body, context)
    lesson = action.get("value") or action["action_id"].split(":", 1)[1]
    await study_step(front, client, body, "Lessons", "starting a lesson", lambda: lesson_start(front, actor, lesson))


async def study_next(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext,
                     front: Front) -> None:
    await ack()
    actor, _ = await front.who(client, body, context)
    state = md.StudyState.load(md.read_meta(body.get("view") or {}))

    async def step() -> dict:
        return await next_view(front, actor, state) if state else md.note_view("Lessons", OOPS)
    await study_step(front, client, body, "Lessons", "the next study step", step)


async def study_answer(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext,
                       front: Front) -> None:
    await ack()
    actor, _ = await front.who(client, body, context)
    current = body.get("view") or {}
    state = md.StudyState.load(md.read_meta(current))
    delivery, _, choice = (action.get("value") or "").partition(":")
    title = ((current.get("title") or {}).get("text") or "Quiz")

    async def step() -> dict:
        if state is None or not delivery.isdigit():
            raise BadInput(OOPS)
        verdict = await front.engine.answer(actor, parse_id(delivery, "question"), choice, front.clock())
        return await verdict_view(front, actor, verdict, state, title)
    await study_step(front, client, body, title, "answering in the study modal", step)


async def study_submit(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext,
                       front: Front) -> None:
    started = time.monotonic()
    state = md.StudyState.load(md.read_meta(view))
    text = (((view.get("state") or {}).get("values") or {}).get("answer") or {}).get("text", {}).get("value") or ""
    title = ((view.get("title") or {}).get("text") or "Quiz")
    if state is None or state.delivery is None:
        await ack()
        return
    actor, _ = await front.who(client, body, context)
    delivery = state.delivery

    async def answered() -> dict:
        verdict = await front.engine.answer(actor, delivery, text, front.clock())
        return await verdict_view(front, actor, verdict, state, title)
    await front.submit(ack, client, body, title, answered(), started, ok_view=lambda view: view,
                       field_errors=lambda err: {"answer": str(err)})

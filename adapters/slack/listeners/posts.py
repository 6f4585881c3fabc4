"""The daily question in a channel: a choice button, the button that opens a free-text answer, its modal."""
from __future__ import annotations

import logging
import re
import time

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as bk
from adapters.slack import modals as md
from adapters.slack.listeners.front import OOPS, Front, reply
from bot.errors import QuizError
from bot.ids import parse_id

log = logging.getLogger(__name__)
CHOICE = re.compile(r"^post:\d+:.+")
TEXT = re.compile(r"^post_text:\d+$")


async def post_choice(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, respond: AsyncRespond,
                      context: AsyncBoltContext, front: Front) -> None:
    await ack()
    _, post_id, choice = action["action_id"].split(":", 2)
    try:
        actor, _ = await front.who(client, body, context)
        verdict = await front.engine.answer_post(actor, parse_id(post_id, "daily question"), choice, front.clock())
    except QuizError as err:
        return await reply(respond, bk.notice(str(err)))
    except Exception:
        log.exception("answering a daily post failed")
        return await reply(respond, bk.notice(OOPS))
    await reply(respond, bk.verdict_message(verdict))


async def post_text(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, respond: AsyncRespond,
                    front: Front) -> None:
    started = time.monotonic()
    await ack()
    post_id = parse_id(action["action_id"].split(":", 1)[1], "daily question")
    container = body.get("container") or {}
    meta = {"post": post_id, "channel": container.get("channel_id", ""), "ts": container.get("message_ts", "")}

    async def build() -> dict:
        return md.post_answer_view(await front.engine.post_question(post_id), meta)

    async def to_clicker(text: str) -> None:
        await reply(respond, bk.notice(text))

    await front.open_modal(client, body["trigger_id"], "Daily question", build(), started, on_error=to_clicker)


async def post_answer(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext,
                      front: Front) -> None:
    started = time.monotonic()
    meta = md.read_meta(view)
    text = (((view.get("state") or {}).get("values") or {}).get("answer") or {}).get("text", {}).get("value") or ""
    if not isinstance(meta.get("post"), int):
        await ack(response_action="update", view=md.note_view("Daily question", OOPS))
        return
    actor, _ = await front.who(client, body, context)
    await front.submit(
        ack, client, body, "Daily question", front.engine.answer_post(actor, meta["post"], text, front.clock()),
        started, ok_view=md.answered_view, field_errors=lambda err: {"answer": str(err)})

"""Admins retire a flagged question from the App Home, or bring a retired one back."""
from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners.front import Front
from adapters.slack.listeners.schedules import refuse
from bot.errors import QuizError


async def item_button(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext,
                      front: Front) -> None:
    await ack()
    verb, _, question = action["action_id"].removeprefix("items_").partition(":")
    actor, _ = await front.who(client, body, context)
    if not actor.is_admin:
        return await refuse(client, body)
    try:
        done = await front.engine.question_set_retired(actor, question, verb == "retire", front.clock())
        notice = (f"Retired {done.question_id} from this workspace's schedules." if done.retired
                  else f"{done.question_id} is back in this workspace's schedules.")
    except QuizError as err:
        notice = str(err)
    await front.publish_home(client, actor, notice)

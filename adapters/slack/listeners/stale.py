"""Clicks and modal submissions no listener knows: a message or modal from an older version of the bot,
or a feature since removed. Registered after every other listener (bolt tries them in order), so only
what nothing else took lands here. The person who clicked is told, privately, in the place they clicked;
without an answer Slack would show a warning icon and nothing else.
"""
from __future__ import annotations

import logging
import re

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as bk
from adapters.slack import modals as md
from adapters.slack.listeners.front import Front
from bot.errors import StaleControl

log = logging.getLogger(__name__)
ANYTHING = re.compile(r".*", re.DOTALL)
TITLE = "Quiz"


async def stale_action(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient, respond: AsyncRespond,
                       context: AsyncBoltContext, front: Front) -> None:
    await ack()
    text = str(StaleControl())
    container = body.get("container") or {}
    log.info("no listener for a click", extra={"team_id": context.team_id,
                                               "action_id": str((action or {}).get("action_id"))[:100]})
    if container.get("type") == "message":
        message_text, blocks = bk.notice(text)
        await respond(text=message_text, blocks=blocks, response_type="ephemeral", replace_original=False)
    elif (body.get("view") or {}).get("type") == "home":
        actor, _ = await front.who(client, body, context)
        await front.publish_home(client, actor, text)
    else:  # a modal: a note on top of it, closing it goes back to where they were
        await client.views_push(trigger_id=body["trigger_id"], view=md.note_view(TITLE, text))


async def stale_view(ack: AsyncAck, context: AsyncBoltContext, view: dict) -> None:
    log.info("no listener for a modal", extra={"team_id": context.team_id,
                                               "callback_id": str(view.get("callback_id"))[:100]})
    await ack(response_action="update", view=md.note_view(TITLE, str(StaleControl())))

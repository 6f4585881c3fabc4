"""The App Home tab: published when opened, and its two buttons that open the study modal."""
from __future__ import annotations

import time

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners.front import Front
from adapters.slack.listeners.study import lesson_list, practice_view


async def home_opened(event: dict, body: dict, client: AsyncWebClient, context: AsyncBoltContext,
                      front: Front) -> None:
    if event.get("tab", "home") != "home":
        return
    actor, _ = await front.who(client, body, context, user_id=event.get("user"))
    await front.publish_home(client, actor)


async def home_lessons(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext,
                       front: Front) -> None:
    started = time.monotonic()
    await ack()
    actor, _ = await front.who(client, body, context)
    await front.open_modal(client, body["trigger_id"], "Lessons", lesson_list(front, actor), started)


async def home_practice(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext,
                        front: Front) -> None:
    started = time.monotonic()
    await ack()
    actor, _ = await front.who(client, body, context)
    await front.open_modal(client, body["trigger_id"], "Practice", practice_view(front, actor), started)

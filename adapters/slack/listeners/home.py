"""The App Home tab: published when opened, and its buttons that open the study modal (lessons, practice,
and the due reviews)."""
from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners.front import Front
from adapters.slack.listeners.study import lesson_list, practice_view, review_view
from bot.views import Actor


async def home_opened(event: dict, body: dict, client: AsyncWebClient, context: AsyncBoltContext,
                      front: Front) -> None:
    if event.get("tab", "home") != "home":
        return
    actor, _ = await front.who(client, body, context, user_id=event.get("user"))
    await front.publish_home(client, actor)


async def home_lessons(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext,
                       front: Front) -> None:
    await open_study(ack, body, client, context, front, "Lessons", lesson_list)


async def home_practice(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext,
                        front: Front) -> None:
    await open_study(ack, body, client, context, front, "Practice", practice_view)


async def home_review(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext,
                      front: Front) -> None:
    await open_study(ack, body, client, context, front, "Review", review_view)


async def open_study(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext, front: Front,
                     title: str, first_view: Callable[[Front, Actor], Coroutine[Any, Any, dict]]) -> None:
    started = time.monotonic()
    await ack()
    actor, _ = await front.who(client, body, context)
    await front.open_modal(client, body["trigger_id"], title, first_view(front, actor), started)

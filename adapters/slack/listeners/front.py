"""What every listener shares, put in each request's context as `front`: who is asking, modals that open
or answer within Slack's 3 seconds, and the App Home.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import modals as md
from adapters.slack.admin import Directory, Person
from adapters.slack.home import gather, home_view
from adapters.slack.sender import SlackSender
from bot.clock import Clock, utc_now
from bot.errors import BadInput, QuizError
from bot.views import Actor

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger(__name__)
OOPS = "Something went wrong on my side; please try again in a moment."
Message = tuple[str, list[dict]]


async def reply(respond: AsyncRespond, message: Message) -> None:
    text, blocks = message
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


@dataclass
class Front:
    engine: Engine
    directory: Directory
    sender: SlackSender
    clock: Clock = utc_now
    budget: float = 2.0  # seconds of work before an ack that must carry a result (modals, field errors)
    revocations: AsyncTokenRevocationListeners | None = None  # bolt's token revocation listeners in OAuth mode

    # Who and where ----------------------------------------------------------------------------
    async def who(self, client: AsyncWebClient, body: dict, context: AsyncBoltContext,
                  user_id: str | None = None) -> tuple[Actor, Person]:
        team_id = context.team_id or body.get("team_id") or (body.get("team") or {}).get("id") or ""
        user_id = user_id or context.user_id or (body.get("user") or {}).get("id") or body.get("user_id") or ""
        raw_user = body.get("user")
        user = raw_user if isinstance(raw_user, dict) else {}
        fallback = body.get("user_name") or user.get("name") or user.get("username") or ""
        person = await self.directory.person(client, team_id, user_id, fallback)
        community = body.get("team_domain") or (body.get("team") or {}).get("domain") or ""
        return Actor("slack", team_id, user_id, person.display_name, person.is_admin, community), person

    def left(self, started: float) -> float:
        return max(0.1, self.budget - (time.monotonic() - started))

    # Modals -----------------------------------------------------------------------------------
    async def open_modal(self, client: AsyncWebClient, trigger_id: str, title: str,
                         build: Coroutine[Any, Any, dict], started: float,
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

    async def update_modal(self, client: AsyncWebClient, body: dict, view: dict) -> None:
        current = body.get("view") or {}
        try:
            await client.views_update(view_id=current.get("id"), hash=current.get("hash"), view=view)
        except SlackApiError as err:
            if err.response.get("error") != "hash_conflict":  # a double click already moved the modal on
                raise

    async def submit(self, ack: AsyncAck, client: AsyncWebClient, body: dict, title: str,
                     work: Coroutine[Any, Any, Any], started: float, ok_view: Callable[[Any], dict | None],
                     field_errors: Callable[[BadInput], dict] | None = None) -> Any:
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
        ok = ok_view(result)
        if ok is None:
            await ack()
        else:
            await ack(response_action="update", view=ok)
        return result

    # App Home ----------------------------------------------------------------------------------
    async def publish_home(self, client: AsyncWebClient, actor: Actor, notice: str | None = None) -> None:
        data = await gather(self.engine, actor, self.clock(), notice)
        await client.views_publish(user_id=actor.user_id, view=home_view(data))

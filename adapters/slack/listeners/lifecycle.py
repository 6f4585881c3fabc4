"""Install lifecycle: the app removed from a workspace, or its tokens revoked."""
from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncBoltContext

from adapters.slack.listeners.front import Front
from bot.clock import utc_now

log = logging.getLogger(__name__)


async def uninstalled(context: AsyncBoltContext, front: Front) -> None:
    log.info("app uninstalled", extra={"team_id": context.team_id})
    front.directory.forget(context.team_id)
    # No workspace to post into any more: stop its schedules instead of failing every day. (An org-wide
    # Enterprise Grid install has no team id, and no community of its own to pause.)
    if context.team_id is not None:
        await front.engine.pause_community("slack", context.team_id, utc_now())
    if front.revocations is not None:
        await front.revocations.handle_app_uninstalled_events(context)


async def revoked(event: dict, context: AsyncBoltContext, front: Front) -> None:
    log.info("tokens revoked", extra={"team_id": context.team_id})
    front.directory.forget(context.team_id)
    if front.revocations is not None:
        await front.revocations.handle_tokens_revoked_events(event, context)

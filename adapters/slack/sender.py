"""The Slack PostSender: daily posts, their answer counts, and the reveal.

- Posts to many channels are spaced per workspace (`post_interval` seconds apart); a 429 is
  retried by slack_sdk's rate-limit handler on the client (Retry-After honoured).
- Answer counts are edited in (chat.update) when bot.services.live_counts asks, at most once per
  `count_interval` seconds per post; it also keeps them from landing after the results.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import post_message, results_blocks, results_message
from adapters.slack.install import TokenSource
from adapters.slack.recap_blocks import recap_text
from adapters.slack.reviews import reminder_text
from bot.ports import RateLimited, SendError, Unreachable
from bot.recap_views import RecapView
from bot.views import PostCard, ReminderCard, ResultsView

log = logging.getLogger(__name__)

# Trying again cannot help until a person acts (invites the bot, reinstalls it, unarchives the channel).
PERMANENT = frozenset({
    "not_in_channel", "channel_not_found", "is_archived", "account_inactive", "invalid_auth", "not_authed",
    "token_revoked", "token_expired", "missing_scope", "restricted_action", "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel", "no_permission", "team_access_not_granted", "ekm_access_denied",
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "cant_update_message", "edit_window_closed",
    "team_not_found", "org_login_required",
})
# Slack's answers for a person the bot cannot DM (conversations.open, chat.postMessage): gone, hidden, a bot,
# or the app's Messages tab turned off.
DM_REFUSED = frozenset({"user_not_found", "user_not_visible", "user_disabled", "cannot_dm_bot",
                        "messages_tab_disabled"})
HINTS = {
    "not_in_channel": "the bot is not in the channel: /invite it there",
    "channel_not_found": "the channel is gone, or private and the bot is not in it",
    "is_archived": "the channel is archived",
    "invalid_auth": "the workspace's bot token is invalid: reinstall the app",
    "token_revoked": "the app was uninstalled or its token revoked",
    "account_inactive": "the app was uninstalled or its token revoked",
    "missing_scope": "the app lacks a scope: reinstall it from the manifest",
}


def slack_send_error(err: Exception) -> SendError:
    """Slack's answer → SendError; `retryable` False when waiting cannot fix it."""
    if isinstance(err, SlackApiError):
        code = str(err.response.get("error") or "") if err.response is not None else ""
        status = getattr(err.response, "status_code", 200) if err.response is not None else 200
        if status == 429 or code == "ratelimited":  # still limited after the client's own retries
            headers = getattr(err.response, "headers", None) or {}
            retry_after = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
            return RateLimited("Slack rate limit (still limited after retrying)", float(retry_after or 1))
        hint = HINTS.get(code)
        message = f"Slack said {code or 'error'}" + (f": {hint}" if hint else "")
        return SendError(message, retryable=code not in PERMANENT)
    return SendError(f"cannot reach Slack: {type(err).__name__}", retryable=True)


def slack_message_ref(ref: str | None) -> tuple[str, str] | None:
    """'channel id:message ts' → both; None if the reference is not Slack's."""
    if not ref or ":" not in ref:
        return None
    channel, ts = ref.split(":", 1)
    return (channel, ts) if channel and ts else None


class WorkspaceSpacing:
    """Sends to one key (a workspace) one at a time, each starting `interval` seconds after the one
    before it was answered. The turn covers the request itself: pacing only the moment a send may
    start let a request slow on the wire reach Slack right next to the one allowed to start after it."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self._answered: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        if self.interval <= 0:
            yield
            return
        async with self._locks.setdefault(key, asyncio.Lock()):
            last = self._answered.get(key)
            if last is not None:
                delay = last + self.interval - self.clock()
                if delay > 0:
                    await self.sleep(delay)
            try:
                yield
            finally:  # failed or cut off by a timeout, the request may still have reached Slack
                self._answered[key] = self.clock()


class SlackSender:
    def __init__(self, tokens: TokenSource, *, post_interval: float = 1.0, count_interval: float = 5.0):
        self.tokens, self.count_interval = tokens, count_interval
        self.pacer = WorkspaceSpacing(post_interval)

    async def _client(self, team_id: str) -> AsyncWebClient:
        client = await self.tokens.client_for(team_id)
        if client is None:
            raise SendError(f"the Slack app is not installed in workspace {team_id[:32]}", retryable=False)
        return client

    # PostSender ------------------------------------------------------------------------------
    async def post_question(self, card: PostCard) -> str:
        client = await self._client(card.community_id)
        text, blocks = post_message(card.question, card.post_id, ping=card.ping_role)
        try:
            async with self.pacer.turn(card.community_id):
                resp = await client.chat_postMessage(
                    channel=card.channel_id, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False,
                    metadata={"event_type": "quiz_post", "event_payload": {"post_id": card.post_id,
                                                                           "claim": card.claim_token}})
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as err:
            raise slack_send_error(err) from None
        return f"{resp['channel']}:{resp['ts']}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        where = slack_message_ref(card.message_ref)
        if where is None:
            raise SendError(f"post {card.post_id} has no Slack message to close", retryable=False)
        channel, ts = where
        client = await self._client(card.community_id)
        text, blocks = results_message(card.question, results, in_thread=card.results_in_thread)
        async with self.pacer.turn(card.community_id):  # one turn: the edit and its thread message
            return await self._close(client, card, results, channel, ts, text, blocks)

    @staticmethod
    async def _close(client: AsyncWebClient, card: PostCard, results: ResultsView, channel: str, ts: str,
                     text: str, blocks: list[dict]) -> str | None:
        try:
            await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError as err:
            if err.response is not None and err.response.get("error") == "message_not_found":
                log.warning("the post was deleted; nothing to close", extra={"post_id": card.post_id})
                return None
            raise slack_send_error(err) from None
        except (TimeoutError, aiohttp.ClientError) as err:
            raise slack_send_error(err) from None
        if not card.results_in_thread:
            return None
        try:
            resp = await client.chat_postMessage(channel=channel, thread_ts=ts, text=f"Results: {text}",
                                                 blocks=results_blocks(results), unfurl_links=False)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as err:
            raise slack_send_error(err) from None
        return f"{resp['channel']}:{resp['ts']}"

    # Answer counts (bot.services.live_counts decides when) ------------------------------------
    async def show_answer_count(self, card: PostCard, count: int) -> None:
        where = slack_message_ref(card.message_ref)
        if where is None:
            return
        channel, ts = where
        client = await self._client(card.community_id)
        text, blocks = post_message(card.question, card.post_id, answered=count)
        try:
            await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as err:
            raise slack_send_error(err) from None

    # Direct messages (bot.services.reminders decides when) -----------------------------------
    async def send_reminder(self, card: ReminderCard) -> str:
        client = await self._client(card.community_id)
        try:
            async with self.pacer.turn(card.community_id):
                opened = await client.conversations_open(users=card.user_id)
                channel = opened["channel"]["id"]
                resp = await client.chat_postMessage(channel=channel, text=reminder_text(card), unfurl_links=False,
                                                     unfurl_media=False)
        except SlackApiError as err:
            code = str(err.response.get("error") or "") if err.response is not None else ""
            if code in DM_REFUSED:
                raise Unreachable(f"Slack refused the DM: {code}") from None
            raise slack_send_error(err) from None
        except (TimeoutError, aiohttp.ClientError) as err:
            raise slack_send_error(err) from None
        return f"{resp['channel']}:{resp['ts']}"

    # Weekly recap ------------------------------------------------------------------------------
    async def post_recap(self, recap: RecapView) -> str:
        """The chart uploaded into the channel with the recap as its comment (one share, so a retry after a
        failure posts no half recap); without a chart, the recap as a message."""
        client = await self._client(recap.community_id)
        text = recap_text(recap)
        try:
            async with self.pacer.turn(recap.community_id):
                if recap.chart is None:
                    resp = await client.chat_postMessage(channel=recap.channel_id, text=text, unfurl_links=False)
                    return f"{resp['channel']}:{resp['ts']}"
                chart = recap.chart
                done = await client.files_upload_v2(channel=recap.channel_id, content=chart.png, filename=chart.filename,
                                                    title=f"Weekly recap {recap.week_start:%d %b}", alt_txt=chart.alt_text,
                                                    initial_comment=text)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as err:
            raise slack_send_error(err) from None
        return f"{recap.channel_id}:file:{done['file']['id']}"

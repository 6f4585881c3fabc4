"""The Slack PostSender: daily posts, their answer counts, and the reveal.

- Posts to many channels are paced per workspace (`post_interval` seconds apart); a 429 is
  retried by slack_sdk's rate-limit handler on the client (Retry-After honoured).
- Answer counts are not written on every click: clicks mark a post, and a background loop
  edits each marked post at most once per `count_interval` seconds (chat.update), with the
  count read from the engine.
- The reveal takes the post's lock, so a count update can never land after the results.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import post_message, results_blocks, results_message
from adapters.slack.install import TokenSource
from bot.errors import QuizError
from bot.ports import RateLimited, SendError
from bot.views import PostCard, ResultsView

log = logging.getLogger(__name__)

# Trying again cannot help until a person acts (invites the bot, reinstalls it, unarchives the channel).
PERMANENT = frozenset({
    "not_in_channel", "channel_not_found", "is_archived", "account_inactive", "invalid_auth", "not_authed",
    "token_revoked", "token_expired", "missing_scope", "restricted_action", "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel", "no_permission", "team_access_not_granted", "ekm_access_denied",
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "cant_update_message", "edit_window_closed",
    "team_not_found", "org_login_required",
})
HINTS = {
    "not_in_channel": "the bot is not in the channel: /invite it there",
    "channel_not_found": "the channel is gone, or private and the bot is not in it",
    "is_archived": "the channel is archived",
    "invalid_auth": "the workspace's bot token is invalid: reinstall the app",
    "token_revoked": "the app was uninstalled or its token revoked",
    "account_inactive": "the app was uninstalled or its token revoked",
    "missing_scope": "the app lacks a scope: reinstall it from the manifest",
}
Clock = Callable[[], datetime]
Ref = tuple[str, str, str]  # team id, channel id, message ts


def utc_now() -> datetime:
    return datetime.now(UTC)


def send_error(err: Exception) -> SendError:
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


def parse_ref(ref: str | None) -> tuple[str, str] | None:
    if not ref or ":" not in ref:
        return None
    channel, ts = ref.split(":", 1)
    return (channel, ts) if channel and ts else None


class Pacer:
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
    def __init__(self, tokens: TokenSource, engine, *, post_interval: float = 1.0, count_interval: float = 5.0,
                 clock: Clock = utc_now):
        self.tokens, self.engine, self.clock = tokens, engine, clock
        self.pacer = Pacer(post_interval)
        self.count_interval = count_interval
        self._pending: dict[int, Ref] = {}
        self._closed: OrderedDict[int, None] = OrderedDict()
        self._shown: dict[int, int] = {}  # post id → the count its message shows now
        self._locks: dict[int, asyncio.Lock] = {}
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._flushing = asyncio.Lock()

    async def _client(self, team_id: str) -> AsyncWebClient:
        client = await self.tokens.client_for(team_id)
        if client is None:
            raise SendError(f"the Slack app is not installed in workspace {team_id[:32]}", retryable=False)
        return client

    def _lock(self, post_id: int) -> asyncio.Lock:
        return self._locks.setdefault(post_id, asyncio.Lock())

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
            raise send_error(err) from None
        return f"{resp['channel']}:{resp['ts']}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        where = parse_ref(card.message_ref)
        if where is None:
            raise SendError(f"post {card.post_id} has no Slack message to close", retryable=False)
        channel, ts = where
        client = await self._client(card.community_id)
        async with self._lock(card.post_id):
            self._mark_closed(card.post_id)
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
            raise send_error(err) from None
        except (TimeoutError, aiohttp.ClientError) as err:
            raise send_error(err) from None
        if not card.results_in_thread:
            return None
        try:
            resp = await client.chat_postMessage(channel=channel, thread_ts=ts, text=f"Results: {text}",
                                                 blocks=results_blocks(results), unfurl_links=False)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as err:
            raise send_error(err) from None
        return f"{resp['channel']}:{resp['ts']}"

    def _mark_closed(self, post_id: int) -> None:
        self._pending.pop(post_id, None)
        self._shown.pop(post_id, None)
        self._closed[post_id] = None
        while len(self._closed) > 5000:
            old, _ = self._closed.popitem(last=False)
            self._locks.pop(old, None)

    # Answer counts ---------------------------------------------------------------------------
    def answered(self, post_id: int, team_id: str, channel_id: str, ts: str) -> None:
        """Someone's answer counted: refresh the post's count on the next batch."""
        if post_id in self._closed or not channel_id or not ts:
            return
        self._pending[post_id] = (team_id, channel_id, ts)
        self._wake.set()

    async def flush_counts(self) -> int:
        """Edit every marked post once with its current count; returns how many were edited."""
        async with self._flushing:
            return await self._flush()

    async def _flush(self) -> int:
        pending, self._pending = self._pending, {}
        done = 0
        for post_id, (team_id, channel, ts) in pending.items():
            try:
                async with self._lock(post_id):
                    if post_id in self._closed:
                        continue
                    card = await self.engine.post_question(post_id)
                    if not card.is_open(self.clock()):
                        continue  # the reveal is due; it will replace the post
                    count = await self.engine.post_answer_count(post_id)
                    if self._shown.get(post_id) == count:
                        continue  # an answer marked after the last batch had already counted it
                    text, blocks = post_message(card, post_id, answered=count)
                    client = await self._client(team_id)
                    await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
                    self._shown[post_id] = count
                    done += 1
            except (TimeoutError, QuizError, SendError, SlackApiError, aiohttp.ClientError) as err:
                log.warning("answer count update failed", extra={"post_id": post_id, "error": type(err).__name__})
        return done

    async def _count_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                # shielded: stopping the loop never cuts a batch off in the middle of a database call
                await asyncio.shield(self.flush_counts())
            except asyncio.CancelledError:
                raise
            except Exception:  # keep counting for the other posts
                log.exception("answer count batch failed")
            await asyncio.sleep(self.count_interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._count_loop(), name="slack-answer-counts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        await self.flush_counts()  # waits for a batch in flight, then sends what is still marked

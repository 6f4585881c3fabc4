"""The engine's PostSender for Discord: send the daily post, keep its answer count fresh, reveal at close.

Everything goes over REST with channel and message ids (no cache needed), so any shard process can
post or reveal for any guild. Failures become SendError: retryable unless trying again cannot help
(missing permission, unknown channel, a request Discord refuses as invalid).
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import aiohttp
import discord

from adapters.discord import components, render
from bot.ports import RateLimited, SendError
from bot.views import PostCard, ResultsView

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger(__name__)

THREAD_ALREADY_EXISTS = 160004  # Discord's code when a message already has a thread
THREAD_ARCHIVE_MINUTES = 1440


def nonce_for(post_nonce: str) -> str | None:
    """Discord nonces are at most 25 characters; the post's nonce (the same on every attempt) is condensed to fit."""
    return hashlib.sha256(post_nonce.encode()).hexdigest()[:25] if post_nonce else None


def parse_ref(ref: str | None) -> tuple[int, int] | None:
    try:
        channel_id, message_id = (ref or "").split(":")
        return int(channel_id), int(message_id)
    except ValueError:
        return None


def send_error(err: Exception, what: str) -> SendError:
    if isinstance(err, discord.RateLimited):  # longer than the client will sleep (bot.RATE_LIMIT_SLEEP_MAX)
        return RateLimited(f"{what}: Discord rate limit, retry in {err.retry_after:.0f} s", err.retry_after)
    if isinstance(err, discord.HTTPException) and err.status == 429:  # still limited after discord.py's retries
        headers = getattr(err.response, "headers", None) or {}
        return RateLimited(f"{what}: Discord rate limit", float(headers.get("Retry-After") or 1),
                           everywhere=str(headers.get("X-RateLimit-Global", "")).lower() == "true")
    if isinstance(err, discord.Forbidden):
        return SendError(f"{what}: Discord refused (missing permission: {err.text or err.status})", retryable=False)
    if isinstance(err, discord.NotFound):
        return SendError(f"{what}: unknown channel or message ({err.text or err.status})", retryable=False)
    if isinstance(err, discord.HTTPException):
        return SendError(f"{what}: Discord answered {err.status} {err.text}".strip(), retryable=err.status >= 500 or err.status == 429)
    return SendError(f"{what}: {type(err).__name__}: {err}", retryable=True)  # network trouble


class DiscordSender:
    def __init__(self, client: discord.Client, engine: Engine, clock: Callable[[], datetime], count_interval: float = 10.0):
        self.client, self.engine, self.clock, self.count_interval = client, engine, clock, count_interval
        self.dirty: dict[int, tuple[int, int]] = {}  # post id → (channel id, message id) whose count changed
        self.closed: set[int] = set()  # revealed here: never touch their count again
        self.shown: dict[int, int] = {}  # post id → the count its message shows now
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None

    def _channel(self, channel_id: int) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(channel_id)

    # PostSender ---------------------------------------------------------------------
    async def post_question(self, card: PostCard) -> str:
        if not card.channel_id.isdigit():
            raise SendError(f"'{card.channel_id[:40]}' is not a Discord channel id", retryable=False)
        content, mentions = render.ping_content(card.ping_role)
        try:
            message = await self._channel(int(card.channel_id)).send(
                content=content, embed=render.post_embed(card.question), view=components.post_view(card.post_id, card.question),
                allowed_mentions=mentions, nonce=nonce_for(card.nonce))
        except (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, OSError) as err:
            raise send_error(err, f"posting in channel {card.channel_id}") from err
        log.info("daily post sent", extra={"post_id": card.post_id, "channel_id": card.channel_id, "message_id": message.id})
        return f"{message.channel.id}:{message.id}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        async with self._lock:  # a count edit in flight finishes first; none starts after this
            self.closed.add(card.post_id)
            self.dirty.pop(card.post_id, None)
            self.shown.pop(card.post_id, None)
        ref = parse_ref(card.message_ref)
        try:
            if ref is None:  # nothing to edit (should not happen): announce the results on their own
                return await self._send_results(int(card.channel_id), card, results)
            channel_id, message_id = ref
            message = self._channel(channel_id).get_partial_message(message_id)
            view = components.post_view(card.post_id, card.question, results)
            if card.results_in_thread:
                await message.edit(embed=render.post_embed(card.question, answers=results.answered), view=view,
                                   allowed_mentions=render.NO_PINGS)
                return await self._results_in_thread(channel_id, message_id, card, results)
            try:
                await message.edit(embed=render.results_embed(results, card.question), view=view,
                                   allowed_mentions=render.NO_PINGS)
            except discord.NotFound:  # the post was deleted: show the results anyway
                return await self._send_results(channel_id, card, results)
            return None
        except (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, OSError, ValueError) as err:
            raise send_error(err, f"revealing post {card.post_id}") from err

    async def _send_results(self, channel_id: int, card: PostCard, results: ResultsView) -> str:
        sent = await self._channel(channel_id).send(embed=render.results_embed(results, card.question),
                                                    allowed_mentions=render.NO_PINGS)
        return f"{channel_id}:{sent.id}"

    async def _results_in_thread(self, channel_id: int, message_id: int, card: PostCard, results: ResultsView) -> str:
        # Through the HTTP client, not the cache: the guild may live on another shard.
        try:
            data = await self.client.http.start_thread_with_message(
                channel_id, message_id, name=render.thread_name(card.question),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES)
            thread_id = int(data["id"])
        except discord.HTTPException as err:
            if err.code != THREAD_ALREADY_EXISTS:
                raise
            thread_id = message_id  # a retried reveal: the thread made earlier has the message's id
        thread = self.client.get_partial_messageable(thread_id, type=discord.ChannelType.public_thread)
        sent = await thread.send(embed=render.results_embed(results, card.question), allowed_mentions=render.NO_PINGS)
        return f"{thread_id}:{sent.id}"

    # Live answer counts: batched, one edit per post per interval ----------------------
    def mark_dirty(self, post_id: int, channel_id: int, message_id: int) -> None:
        if post_id not in self.closed:
            self.dirty[post_id] = (channel_id, message_id)

    async def flush_counts(self) -> int:
        """Edit each post whose count changed since the last pass, once. Returns how many were edited."""
        edited = 0
        async with self._lock:
            batch, self.dirty = self.dirty, {}
            for post_id, (channel_id, message_id) in batch.items():
                if post_id in self.closed:
                    continue
                try:
                    card = await self.engine.post_question(post_id)
                    if not card.is_open(self.clock()):
                        continue  # closing: the reveal owns the message now
                    count = await self.engine.post_answer_count(post_id)
                    if self.shown.get(post_id) == count:
                        continue  # an answer marked after the last pass had already counted it
                    await self._channel(channel_id).get_partial_message(message_id).edit(
                        embed=render.post_embed(card, answers=count), allowed_mentions=render.NO_PINGS)
                    self.shown[post_id] = count
                    edited += 1
                except Exception:
                    log.warning("answer count edit failed", extra={"post_id": post_id}, exc_info=True)
        return edited

    async def _count_loop(self) -> None:
        while True:
            await asyncio.sleep(self.count_interval)
            try:
                await self.flush_counts()
            except Exception:
                log.exception("answer count pass failed")

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._count_loop(), name="quiz-answer-counts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
        try:
            await asyncio.wait_for(self.flush_counts(), 5)  # last counts before going away
        except Exception:
            log.warning("final answer count pass failed", exc_info=True)

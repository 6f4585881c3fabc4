"""The engine's PostSender for Discord: send the daily post, show its answer count, reveal at close.

Everything goes over REST with channel and message ids (no cache needed), so any shard process can
post or reveal for any guild. Failures become SendError: retryable unless trying again cannot help
(missing permission, unknown channel, a request Discord refuses as invalid).
"""
from __future__ import annotations

import hashlib
import logging
from typing import Final

import aiohttp
import discord

from adapters.discord import components, recap_render, render, reviews
from bot.ports import RateLimited, SendError, Unreachable
from bot.recap_views import RecapView
from bot.views import PostCard, ReminderCard, ResultsView

log = logging.getLogger(__name__)

THREAD_ALREADY_EXISTS = 160004  # Discord's code when a message already has a thread
# Discord's codes for a person the bot cannot DM: "Cannot send messages to this user" (DMs closed, the bot
# blocked, no shared server) and "Unknown User".
DM_REFUSED = frozenset({50007, 10013})
THREAD_ARCHIVE_MINUTES: Final = 1440  # one of the durations Discord offers


def nonce_for(post_nonce: str) -> str | None:
    """Discord nonces are at most 25 characters; the post's nonce (the same on every attempt) is condensed to fit."""
    return hashlib.sha256(post_nonce.encode()).hexdigest()[:25] if post_nonce else None


def discord_message_ref(ref: str | None) -> tuple[int, int] | None:
    """'channel id:message id' → both as ints; None if the reference is not Discord's."""
    try:
        channel_id, message_id = (ref or "").split(":")
        return int(channel_id), int(message_id)
    except ValueError:
        return None


def discord_send_error(err: Exception, what: str) -> SendError:
    """discord.py's exception → SendError: RateLimited on a 429, not retryable when waiting cannot help."""
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
    def __init__(self, client: discord.Client, count_interval: float = 10.0):
        self.client, self.count_interval = client, count_interval

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
                allowed_mentions=mentions,
                # discord.py's overloads leave out None, which its implementation takes as "no nonce"
                nonce=nonce_for(card.nonce))  # type: ignore[arg-type]
        except (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, OSError) as err:
            raise discord_send_error(err, f"posting in channel {card.channel_id}") from err
        log.info("daily post sent", extra={"post_id": card.post_id, "channel_id": card.channel_id, "message_id": message.id})
        return f"{message.channel.id}:{message.id}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        ref = discord_message_ref(card.message_ref)
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
            raise discord_send_error(err, f"revealing post {card.post_id}") from err

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

    # Live answer counts (bot.services.live_counts decides when) ---------------------------
    async def show_answer_count(self, card: PostCard, count: int) -> None:
        ref = discord_message_ref(card.message_ref)
        if ref is None:
            return
        channel_id, message_id = ref
        try:
            await self._channel(channel_id).get_partial_message(message_id).edit(
                embed=render.post_embed(card.question, answers=count), allowed_mentions=render.NO_PINGS)
        except (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, OSError) as err:
            raise discord_send_error(err, f"showing the answer count of post {card.post_id}") from err

    # Direct messages (bot.services.reminders decides when) ---------------------------------
    async def send_reminder(self, card: ReminderCard) -> str:
        if not card.user_id.isdigit():
            raise Unreachable(f"'{card.user_id[:40]}' is not a Discord user id")
        try:
            dm = await self.client.http.start_private_message(int(card.user_id))
            channel = self.client.get_partial_messageable(int(dm["id"]), type=discord.ChannelType.private)
            message = await channel.send(content=reviews.reminder_text(card), allowed_mentions=render.NO_PINGS)
        except discord.HTTPException as err:
            if err.code in DM_REFUSED:
                raise Unreachable(f"Discord refused the DM ({err.code}: {err.text})") from err
            raise discord_send_error(err, "sending a review reminder") from err
        except (discord.RateLimited, aiohttp.ClientError, OSError) as err:
            raise discord_send_error(err, "sending a review reminder") from err
        return f"{message.channel.id}:{message.id}"

    # Weekly recap --------------------------------------------------------------------------
    async def post_recap(self, recap: RecapView) -> str:
        if not recap.channel_id.isdigit():
            raise SendError(f"'{recap.channel_id[:40]}' is not a Discord channel id", retryable=False)
        file = recap_render.recap_file(recap)
        try:
            message = await self._channel(int(recap.channel_id)).send(
                embed=recap_render.recap_embed(recap), allowed_mentions=render.NO_PINGS,
                files=[file] if file is not None else [])
        except (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, OSError) as err:
            raise discord_send_error(err, f"posting the weekly recap in channel {recap.channel_id}") from err
        return f"{message.channel.id}:{message.id}"

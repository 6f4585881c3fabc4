"""How sends are spread: rate-limit pauses, concurrency and the claim lease.

A pause records where a platform told the bot to wait (HTTP 429 with Retry-After), per platform
(the whole bot is limited) or per channel. While one holds, the poster neither claims nor sends
there, so the next pass sends what the platform will accept instead of burning the budget on
requests that are bound to be refused. Pauses live in this process only: several processes on one
token each learn the limit from their own 429s.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.ports import SEND_ERRORS, RateLimited, SendError

EVERY_CHANNEL = None
MIN_PAUSE_S = 0.5  # a 429 with Retry-After 0 must not turn into a busy loop of refused sends
SEND_CONCURRENCY = 8  # sends in flight at once: they overlap, the ledger still decides each slot

T = TypeVar("T")


class RateLimitPauses:
    """Where a platform said "wait" (a 429): per platform or per channel, until when; and the claim lease."""

    def __init__(self) -> None:
        self._until: dict[tuple[str, str | None], datetime] = {}
        self.monotonic: Callable[[], float] | None = None  # what leases are measured on; None: the event loop's

    def lease(self, claim_timeout: timedelta) -> Lease:
        return Lease(claim_timeout, self.monotonic)

    def pause(self, platform: str, channel: str | None, until: datetime) -> None:
        current = self._until.get((platform, channel))
        if current is None or until > current:
            self._until[(platform, channel)] = until

    def hold(self, platform: str, channel: str, err: RateLimited, now: datetime) -> datetime:
        """Pause where the 429 applies; returns when sending there may resume. `now` is the pass's
        instant and Retry-After counts from the refusal, a little later: resuming a little early costs
        one more 429 and a fresh pause, never a lost post."""
        until = now + timedelta(seconds=max(err.retry_after, MIN_PAUSE_S))
        self.pause(platform, EVERY_CHANNEL if err.everywhere else channel, until)
        return until

    def paused_until(self, platform: str, channel: str, now: datetime) -> datetime | None:
        """When sending to this channel may resume; None when it may go now."""
        waits = [t for t in (self._until.get((platform, EVERY_CHANNEL)), self._until.get((platform, channel)))
                 if t is not None and t > now]
        return max(waits) if waits else None

    def forget_past(self, now: datetime) -> None:
        self._until = {key: t for key, t in self._until.items() if t > now}


@dataclass(frozen=True)
class Sent:
    """How one paced send went: `ref` (what the front door returned) when it went; else `resume_at` when
    a pause holds there (error: the 429, if this send met it), or `error` when it failed."""
    ref: Any = None
    resume_at: datetime | None = None
    error: SendError | TimeoutError | OSError | None = None

    @property
    def ok(self) -> bool:
        return self.resume_at is None and self.error is None


async def send_paced(pacer: RateLimitPauses, platform: str, channel: str, now: datetime, timeout: timedelta,
                     send: Callable[[], Awaitable[Any]]) -> Sent:
    """`send`, unless a pause holds there; a 429 starts a pause, and no failure escapes as an exception."""
    wait = pacer.paused_until(platform, channel, now)
    if wait is not None:
        return Sent(resume_at=wait)
    try:
        async with asyncio.timeout(timeout.total_seconds()):  # no extra task per send
            return Sent(ref=await send())
    except RateLimited as err:
        return Sent(resume_at=pacer.hold(platform, channel, err, now), error=err)
    except SEND_ERRORS as err:
        return Sent(error=err)


class Lease:
    """A claim older than claim_timeout may be retaken by another process, so work claimed in a batch
    that is still waiting for its turn when half of that has passed is handed back instead of sent.
    The event loop's monotonic clock measures it, as for send timeouts; the engine's `now` stays the
    pass's instant."""

    def __init__(self, claim_timeout: timedelta, clock: Callable[[], float] | None = None):
        self._clock = clock or asyncio.get_running_loop().time
        self._ends = self._clock() + claim_timeout.total_seconds() / 2

    @property
    def over(self) -> bool:
        return self._clock() >= self._ends


async def each_at_most(limit: int, items: Iterable[T], work: Callable[[T], Awaitable[None]]) -> None:
    """`work` on every item, at most `limit` at a time: a few workers, not a task per item (thousands
    of posts can be due in one minute)."""
    queue = iter(items)

    async def worker() -> None:
        for item in queue:
            await work(item)

    await asyncio.gather(*(worker() for _ in range(limit)))

"""Review reminders: once a minute (and once at start, to make up a reminder owed today), claim what is
owed through the engine's ledger, send each through its door's DirectMessenger, record the outcome.

The timer is its own apscheduler interval job: the post timer rebuilds its jobs from the schedule
table, and reminders have nothing to do with schedules. Tests drive `run_tick` with their own clock.
"""
from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock, utc_now
from bot.engine import Engine
from bot.engine.reminders import ReminderClaim, ReminderResult
from bot.ports import SEND_ERRORS, SendError, Unreachable

log = logging.getLogger(__name__)


class ReminderService:
    def __init__(self, engine: Engine, clock: Clock = utc_now, interval_seconds: int = 60):
        self.engine, self.clock, self.interval_seconds = engine, clock, interval_seconds
        self.scheduler = AsyncIOScheduler()
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        self.scheduler.start()
        self.scheduler.add_job(self.run_tick, IntervalTrigger(seconds=self.interval_seconds), id="reminders",
                               coalesce=True, max_instances=1)
        await self.run_tick()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def run_tick(self) -> list[ReminderResult]:
        """One pass: claim, send, record. A failing pass is logged; the next one carries on."""
        async with self._lock:
            try:
                platforms = self.engine.router.messaging_platforms()
                if not platforms:
                    return []
                claims = await self.engine.reminders.claim(self.clock(), platforms)
                results = [await self._send(claim) for claim in claims]
                await self.engine.reminders.record(results, self.clock())
            except Exception:
                log.exception("review reminder pass failed")
                return []
        return results

    async def _send(self, claim: ReminderClaim) -> ReminderResult:
        messenger = self.engine.router.messenger(claim.card.platform)
        if messenger is None:  # unregistered since the claim (the door stopped): tried again later
            return ReminderResult(claim, False, f"no direct messages on {claim.card.platform} in this process")
        try:
            await messenger.send_reminder(claim.card)
        except Unreachable as err:
            return ReminderResult(claim, False, str(err), retryable=False, unreachable=True)
        except SEND_ERRORS as err:
            retryable = err.retryable if isinstance(err, SendError) else True
            return ReminderResult(claim, False, str(err) or type(err).__name__, retryable=retryable)
        return ReminderResult(claim, True)

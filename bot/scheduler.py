"""The timer: apscheduler's AsyncIOScheduler, in memory only, waking the engine at the right times.

The schedule table is the truth. Jobs are rebuilt from it at start and after every change;
apscheduler's own job store is not used (it cannot be shared by several processes, and
re-adding jobs drops missed runs). Each wake-up runs one `engine.tick(now)`, which posts what
is due (making up a missed post inside the grace window) and reveals what closed. A minute
safety tick covers retries, stale claims and anything a cron edge case could skip.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock, utc_now
from bot.engine import Engine
from bot.engine.posting import earliest_retry
from bot.timeutil import zone
from bot.views import PostOutcome

log = logging.getLogger(__name__)
MIN_REWAKE = timedelta(seconds=1)


def post_job_id(local_time: str, weekdays: tuple[str, ...], tz: str) -> str:
    return f"post-{local_time}-{','.join(weekdays)}-{tz}"


def reveal_job_id(closes_at: datetime) -> str:
    return f"reveal-{closes_at.astimezone(UTC).isoformat()}"


class SchedulerService:
    def __init__(self, engine: Engine, clock: Clock = utc_now, safety_seconds: int = 60):
        self.engine, self.clock, self.safety_seconds = engine, clock, safety_seconds
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        self._wake: datetime | None = None  # when a failed or rate-limited send is due again

    async def start(self) -> list[PostOutcome]:
        self.scheduler.start()
        outcomes = await self.run_tick()  # catch-up for what was due while we were down
        await self.rebuild()
        return outcomes

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def run_tick(self) -> list[PostOutcome]:
        async with self._lock:  # one pass at a time in this process; the ledger handles other processes
            try:
                outcomes = await self.engine.tick(self.clock())
            except Exception:  # a bad pass must not kill the timer; the next one retries
                log.exception("scheduler tick failed")
                return []
        for outcome in outcomes:
            if outcome.status != "deferred":  # deferrals come by the thousand in a rate-limit storm: counted below
                log.info("scheduled %s", outcome.status, extra={"post_id": outcome.post_id, "schedule_id": outcome.schedule_id})
        if waiting := sum(o.status == "deferred" for o in outcomes):
            log.info("deferred %d sends the platform asked us to hold back", waiting)
        self._wake = earliest_retry(outcomes)
        if any(o.status == "posted" for o in outcomes):
            await self.rebuild()  # a new post brings a reveal time
        else:
            self._add_wake_job()
        return outcomes

    def _add_wake_job(self) -> None:
        """Come back when the earliest retry or rate-limit pause is over, not at the next safety tick.
        Never sooner than MIN_REWAKE from now: a long pass counts its pauses from its own start, so they
        can be over already, and passes that each meet a 429 at once must not follow back to back."""
        if self._wake is not None and self.scheduler.running:
            self.scheduler.add_job(self.run_tick, DateTrigger(run_date=max(self._wake, self.clock() + MIN_REWAKE)),
                                   id="retry", replace_existing=True, misfire_grace_time=300)

    async def rebuild(self) -> None:
        """One job per distinct wake-up, not per schedule: each pass handles everything due, and ten
        thousand schedules share a few hundred (time, days, zone) triggers."""
        if not self.scheduler.running:
            return
        self.scheduler.remove_all_jobs()
        timers = await self.engine.poster.timers()
        for local_time, weekdays, tz in sorted({(t.local_time, t.weekdays, t.timezone) for t in timers.schedules}):
            hour, minute = map(int, local_time.split(":"))
            self.scheduler.add_job(self.run_tick, CronTrigger(day_of_week=",".join(weekdays), hour=hour, minute=minute,
                                                              timezone=zone(tz)),
                                   id=post_job_id(local_time, weekdays, tz), coalesce=True, misfire_grace_time=300,
                                   max_instances=1)
        now = self.clock()
        for closes_at in sorted({at for _, at in timers.reveals if at > now}):
            self.scheduler.add_job(self.run_tick, DateTrigger(run_date=closes_at), id=reveal_job_id(closes_at),
                                   misfire_grace_time=300)
        self.scheduler.add_job(self.run_tick, IntervalTrigger(seconds=self.safety_seconds), id="safety",
                               coalesce=True, max_instances=1)
        self._add_wake_job()

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self.scheduler.get_jobs())

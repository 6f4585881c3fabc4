"""The runtime: around one engine, the timer and the live answer counts, built and wired once, and the
front doors run on them.

The engine tells the runtime what happened through its hooks (`Engine.set_hooks`): a schedule changed
(the timer rebuilds its jobs), an answer batch committed (live counts show the new counts), a post is
about to be revealed (live counts stop editing it). Doors register their sender here, never on the
engine's router themselves. Start order: the door connects, its sender is registered, the live counts
and then the timer start (its first pass makes up what was missed). Stop order is the reverse: the
timer first (no new posts), the last counts through the door still connected, then the door.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from bot.app import App, start_app
from bot.clock import Clock, utc_now
from bot.doors import FrontDoor
from bot.engine import Engine
from bot.scheduler import SchedulerService
from bot.services.live_counts import LiveCounts
from bot.services.reminders import ReminderService
from bot.settings import Settings
from bot.stopping import stop_signals, until_set_or_done
from bot.views import PostOutcome

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, engine: Engine, *, clock: Clock = utc_now, app: App | None = None):
        self.engine, self.clock, self.app = engine, clock, app
        self.scheduler = SchedulerService(engine, clock)
        self.live_counts = LiveCounts(engine, clock)
        self.reminders = ReminderService(engine, clock)
        engine.set_hooks(schedules_changed=self.scheduler.rebuild, answers_counted=self.live_counts.counted,
                         post_closing=self.live_counts.closing)

    @classmethod
    async def open(cls, settings: Settings, db_path: Path | None = None, *, clock: Clock = utc_now) -> Runtime:
        """Load the content, migrate and open the database (StartupError says why not); `close()` closes it."""
        return cls((app := await start_app(settings, db_path)).engine, clock=clock, app=app)

    # Senders --------------------------------------------------------------------------------
    def attach(self, door: FrontDoor) -> None:
        """Posts for the door's platform go to its sender from now on."""
        if door.sender is not None:
            self.engine.router.register(door.name, door.sender)

    def detach(self, door: FrontDoor) -> None:
        if door.sender is not None and self.engine.router.for_platform(door.name) is door.sender:
            self.engine.router.unregister(door.name)

    # Services -------------------------------------------------------------------------------
    async def start(self, *, timer: bool = True) -> list[PostOutcome]:
        """Live counts, then (unless `timer` is False: a test drives the ticks) the timer and its catch-up,
        and the review reminders (a reminder owed today is made up at once)."""
        self.live_counts.start()
        if not timer:
            return []
        outcomes = await self.scheduler.start()  # catch-up: posts owed while the bot was down
        if outcomes:
            log.info("start-up catch-up: %s", ", ".join(f"{o.status} #{o.schedule_id}" for o in outcomes))
        await self.reminders.start()
        return outcomes

    async def stop(self) -> None:
        await self.reminders.stop()
        await self.scheduler.stop()
        await self.live_counts.stop()

    async def close(self) -> None:
        """Close the database, if this runtime opened it."""
        if self.app is not None:
            await self.app.close()

    # Doors ----------------------------------------------------------------------------------
    async def open_door(self, door: FrontDoor, *, timer: bool = True) -> None:
        await door.start(self)
        self.attach(door)
        await self.start(timer=timer)

    async def close_door(self, door: FrontDoor) -> None:
        try:
            await self.stop()
        finally:
            await door.stop()
            self.detach(door)

    async def serve(self, door: FrontDoor, *, signals: bool = True) -> None:
        """Run one door until it ends, or (with `signals`) until SIGINT or SIGTERM; then stop everything and
        close the database. Without `signals` (a terminal door) Ctrl-C arrives as KeyboardInterrupt."""
        with stop_signals() if signals else contextlib.nullcontext() as stopped:
            ended: asyncio.Future[None] | None = None
            try:
                await self.open_door(door)
                if stopped is None:
                    await door.wait()
                else:
                    ended = asyncio.ensure_future(door.wait())
                    await until_set_or_done(stopped, ended)
            finally:
                try:
                    await self.close_door(door)
                    if ended is not None:
                        await ended  # stop() ended it, or it raises what ended it on its own
                finally:
                    await self.close()

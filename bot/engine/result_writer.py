"""Send results written while later sends are still in flight: what finishes during one write goes into
the next. A crash then loses the record of at most one write's worth of sends (posts or reveals),
not a whole batch's."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

R = TypeVar("R")
Out = TypeVar("Out")

WRITE_LINGER_S = 0.05  # how long results may wait to share a write (adds this to the sent-but-unrecorded window)
WRITE_BATCH = 200  # results that are written at once without lingering
WRITE_ATTEMPTS = 3  # a write that failed is made again: the sends went out, their record must not be lost
RETRY_PAUSE_S = 0.5

log = logging.getLogger(__name__)


class ResultWriter(Generic[R, Out]):
    """`write` gets the results waiting at that moment and returns their outcomes. A write waits up to
    WRITE_LINGER_S for more results unless WRITE_BATCH are waiting or sending is over."""

    def __init__(self, write: Callable[[list[R]], Awaitable[list[Out]]]):
        self.write = write
        self.waiting: list[R] = []
        self.outcomes: list[Out] = []
        self._wake, self._full, self._closing = asyncio.Event(), asyncio.Event(), False
        self._task = asyncio.create_task(self._run())

    def add(self, result: R) -> None:
        self.waiting.append(result)
        self._wake.set()
        if len(self.waiting) >= WRITE_BATCH:
            self._full.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self._closing and len(self.waiting) < WRITE_BATCH:
                try:
                    await asyncio.wait_for(self._full.wait(), WRITE_LINGER_S)
                except TimeoutError:
                    pass
            self._full.clear()
            while self.waiting:
                batch, self.waiting = self.waiting, []
                self.outcomes += await self._write(batch)
            if self._closing:
                return

    async def _write(self, batch: list[R]) -> list[Out]:
        """A failed write (the database locked past its busy timeout, a dropped connection) rolled back, and
        the results are only in memory: write them again. Unrecorded, a sent post would be sent a second
        time once its claim times out. Recording is idempotent: it checks the claim is still ours."""
        for attempt in range(1, WRITE_ATTEMPTS):
            try:
                return await self.write(batch)
            except Exception:
                log.warning("recording %d send result(s) failed; trying again", len(batch), exc_info=True)
                await asyncio.sleep(RETRY_PAUSE_S * attempt)
        return await self.write(batch)  # the last attempt's error is the pass's

    async def close(self) -> list[Out]:
        self._closing = True
        self._full.set()
        self._wake.set()
        await self._task
        return self.outcomes

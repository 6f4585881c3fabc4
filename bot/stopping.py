"""Stopping a running front door cleanly on SIGINT (Ctrl-C) and SIGTERM (`docker stop`).

A signal sets an event that the runtime waits for, and the runtime then closes everything itself
(scheduler, platform connection, database). That does not depend on a task cancellation reaching
the right place, which a library can swallow (Python 3.11's wait_for can). The handlers are in place
from before the door connects: a signal while it starts stops it as soon as it has started.
"""
from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def stop_signals() -> Iterator[asyncio.Event]:
    """An event that SIGINT or SIGTERM sets while inside (where the loop can handle signals at all)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
            pass
    try:
        yield stop
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def until_set_or_done(event: asyncio.Event, task: asyncio.Future[None]) -> None:
    """Return when the event is set or the task is done, whichever comes first."""
    waiting = asyncio.ensure_future(event.wait())
    either: list[asyncio.Future[Any]] = [waiting, task]
    try:
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()

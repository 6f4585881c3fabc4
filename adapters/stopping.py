"""Stopping a running front door cleanly on SIGINT (Ctrl-C) and SIGTERM (`docker stop`).

A signal sets an event that the front door's main coroutine waits for, and the front door then
closes itself (scheduler, platform connection, database). That does not depend on a task
cancellation reaching the right place, which a library can swallow (Python 3.11's wait_for can).
"""
from __future__ import annotations

import asyncio
import signal


async def until_stopped(also: asyncio.Future | None = None) -> None:
    """Return on SIGINT or SIGTERM, or as soon as `also` (e.g. the client's own task) is done."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
            pass
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([stopped, *([also] if also is not None else [])], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        for sig in installed:
            loop.remove_signal_handler(sig)

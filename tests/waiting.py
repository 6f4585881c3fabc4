"""How tests wait for work running elsewhere (a loopback fake, a background task): until it happened,
never for a guessed while. GUARD only turns a hang into a clear failure; it is no speed requirement,
so it sits far above what a loaded machine needs and below the tests' own timeout."""
from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any

GUARD = 30.0
POLL = 0.02

Check = Callable[[], Any | Awaitable[Any]]


async def eventually(check: Check, what: str = "condition", guard: float = GUARD) -> Any:
    """The first truthy result of `check` (sync or async), polled until it comes."""
    deadline = time.monotonic() + guard
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {guard}s for {what}")
        await asyncio.sleep(POLL)

"""What a front door is to the runtime: a name, a sender, and a start and a stop.

A door translates a platform's events into engine calls and renders the engine's views; the runtime
(bot.runtime) builds everything else once and runs the door:

    await door.start(runtime)   # connect; from now on `door.sender` can send (the runtime registers it)
    await door.wait()           # until the door ends on its own (the terminal's input ended) or is stopped
    await door.stop()           # disconnect; also ends `wait()`. Safe to call twice, or before start.

A new door is one package under adapters/ plus one line in adapters/doors.py (its name and factory).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.ports import PostSender

if TYPE_CHECKING:
    from bot.runtime import Runtime


class FrontDoor(Protocol):
    name: str  # the platform it serves, as schedules and actors name it ("discord")
    sender: PostSender | None  # None until started

    async def start(self, runtime: Runtime) -> None:
        """Connect to the platform; raise SystemExit("refusing to start: ...") when it cannot."""

    async def wait(self) -> None:
        """Return when the door has ended on its own, or after `stop()`."""

    async def stop(self) -> None:
        """Disconnect and release what `start` opened."""

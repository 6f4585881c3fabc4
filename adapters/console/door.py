"""`quizbot console` / `quizbot run console`: the terminal as a front door. It ends when the input does
(or on 'quit'); the runtime around it posts the daily schedule into the session."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from rich.console import Console

from adapters.console import render
from adapters.console.lines import read_line, tolerant
from adapters.console.sender import ConsoleSender
from adapters.console.session import ConsoleSession
from adapters.doors import DoorOptions
from bot.clock import Clock, utc_now
from bot.engine import Engine
from bot.ports import PostSender
from bot.runtime import Runtime


class ConsoleDoor:
    name = "console"

    def __init__(self, user: str, stdin: TextIO = sys.stdin, console: Console | None = None,
                 log_path: Path | None = None, data_dir: Path = Path("data")):
        self.user, self.stdin, self.console, self.log_path = user, stdin, console or Console(), log_path
        self.data_dir = data_dir
        self.session: ConsoleSession | None = None
        self.sender: PostSender | None = None  # as FrontDoor declares it (a mutable member is invariant)

    async def start(self, runtime: Runtime) -> None:
        self.session = ConsoleSession(runtime.engine, self.user, self.console, runtime.clock, self.log_path)
        self.sender = ConsoleSender(self.console, self.session.receive_post, self.data_dir / "recaps")

    async def wait(self) -> None:
        if self.session is not None:
            await _read_loop(self.session, self.console, tolerant(self.stdin))

    async def stop(self) -> None:
        if self.session is not None:
            self.session.done = True  # the read loop ends after the line it is reading


def open_console_door(options: DoorOptions) -> ConsoleDoor:
    return ConsoleDoor(options.user, log_path=options.log_path, data_dir=options.data_dir)


async def run_console(engine: Engine, user: str, stdin: TextIO = sys.stdin, console: Console | None = None,
                      clock: Clock = utc_now, log_path: Path | None = None) -> None:
    """A session on an engine that is already open (the caller closes its database)."""
    await Runtime(engine, clock=clock).serve(ConsoleDoor(user, stdin, console, log_path), signals=False)


async def _read_loop(session: ConsoleSession, console: Console, stdin: TextIO) -> None:
    interactive = stdin.isatty()
    session.say(f"[bold]Quiz bot[/bold] — hello {render.escape(session.actor.display_name)}! "
                "Type 'help' for commands, 'lesson 1' to start.")
    while not session.done:
        if interactive:
            console.print("[bold cyan]>[/bold cyan] ", end="")
        line = await read_line(stdin)
        if line is None:
            break
        await session.handle(line)

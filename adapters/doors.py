"""The front doors `quizbot run <door>` knows, by name. A new door is one package under adapters/ and one
line in DOORS: its factory (imported only when that door runs, so one door's libraries never load for
another, nor for `--help`) turns the command's options into a bot.doors.FrontDoor.

A factory reads the door's own configuration and refuses (SystemExit "refusing to start: ...") before
the database is opened. The names must match bot.ports.FRONT_DOORS, which schedules are checked against.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.app import StartupError
from bot.doors import FrontDoor
from bot.runtime import Runtime
from bot.settings import Settings


@dataclass(frozen=True)
class DoorOptions:
    """The `quizbot run` options; each door reads the ones it has."""

    user: str = "you"  # console: the learner's name
    http: bool = False  # slack: serve the Events API over HTTP instead of Socket Mode
    port: int = 3000  # slack HTTP mode: the port to listen on
    log_path: Path | None = None  # console: the log file its error notes point to
    data_dir: Path = Path("data")  # console: where the weekly recap's chart is saved


@dataclass(frozen=True)
class DoorEntry:
    factory: str  # "module:function", the function taking DoorOptions and returning the door
    terminal: bool = False  # the terminal is the door: logs go to a file and Ctrl-C is KeyboardInterrupt


DOORS: dict[str, DoorEntry] = {
    "console": DoorEntry("adapters.console.door:open_console_door", terminal=True),
    "discord": DoorEntry("adapters.discord.door:open_discord_door"),
    "slack": DoorEntry("adapters.slack.main:open_slack_door"),
}


def door_factory(name: str) -> Callable[[DoorOptions], FrontDoor]:
    """The named door's factory (KeyError for a name not in DOORS)."""
    module, _, function = DOORS[name].factory.partition(":")
    factory: Callable[[DoorOptions], FrontDoor] = getattr(importlib.import_module(module), function)
    return factory


async def run_door(name: str, settings: Settings, db_path: Path | None, options: DoorOptions) -> None:
    """`quizbot run <name>`: the door's configuration, then the runtime (content, database), then serve."""
    door = door_factory(name)(options)
    try:
        runtime = await Runtime.open(settings, db_path)
    except StartupError as err:
        raise SystemExit(f"refusing to start: {err}") from None
    await runtime.serve(door, signals=not DOORS[name].terminal)

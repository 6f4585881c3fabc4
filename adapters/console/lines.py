"""Reading the terminal: one bounded line at a time, whatever bytes arrive.

A line longer than LINE_MAX is never held whole or parsed: its first LINE_MAX + 1 characters come
back (so the session can tell it is too long and refuse it) and the rest is read and dropped.
"""
from __future__ import annotations

import asyncio
from typing import TextIO

from bot.limits import ANSWER_TEXT_MAX

LINE_MAX = ANSWER_TEXT_MAX + 100  # the longest answer, with room for a command in front of it
DRAIN_CHUNK = 1 << 16


def tolerant(stdin: TextIO) -> TextIO:
    """Bytes that are not UTF-8 (a pasted name, a binary file) become U+FFFD instead of ending the session."""
    reconfigure = getattr(stdin, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="replace")
        except (ValueError, OSError):  # e.g. some input already decoded: keep what the stream does
            pass
    return stdin


def _read_bounded(stdin: TextIO) -> str:
    line = stdin.readline(LINE_MAX + 1)
    tail = line
    while tail and not tail.endswith("\n") and len(line) > LINE_MAX:
        tail = stdin.readline(DRAIN_CHUNK)  # the rest of an over-long line, dropped
    return line


async def read_line(stdin: TextIO) -> str | None:
    """The next line (at most LINE_MAX + 1 characters), or None at the end of input."""
    line = await asyncio.to_thread(_read_bounded, stdin)  # the event loop stays free while we wait
    return line or None

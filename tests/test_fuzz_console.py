"""Arbitrary lines at the terminal front door's command parser. Property: a command either works or is
refused with the engine's typed error (shown to the user as a sentence); nothing else escapes, and a
refused command leaves every table as it was."""
from __future__ import annotations

import io
from datetime import UTC, datetime

from db_snapshot import changed_tables, snapshot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from adapters.console.session import COMMANDS, ConsoleSession
from bot.errors import QuizError

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

# Words the parser reacts to, and anything at all.
KNOWN = sorted(COMMANDS) + ["create", "join", "leave", "board", "list", "add", "pause", "resume", "remove", "skip",
                            "post-now", "09:00", "mon-fri", "tz=UTC", "tz=Mars/Base", "lessons=1", "tags=x",
                            "open=60", "open=x", "shuffle", "week", "all", "#1", "1", "0", "-1", "2147483647", "'",
                            '"', "\\", "mini"]
word = st.one_of(st.sampled_from(KNOWN), st.text(min_size=1, max_size=20))
line = st.one_of(st.lists(word, min_size=1, max_size=6).map(" ".join), st.text(max_size=200))


def session_for(engine) -> ConsoleSession:
    return ConsoleSession(engine, "Fuzzer", Console(file=io.StringIO(), width=120, color_system=None), lambda: NOW)


async def dispatch_checked(session: ConsoleSession, store, text: str) -> None:
    before = await snapshot(store)
    try:
        await session._dispatch(text.strip())
    except QuizError:
        assert changed_tables(before, await snapshot(store)) == [], f"refused {text!r} changed the database"


@FUZZ
@example(lines=["schedule add 09:00 daily", "schedule pause 1", "schedule add 25:00", "group create x"])
@example(lines=["lesson mini", "", "", "\x00", "practice", "2\x00", "daily 1"])
@given(lines=st.lists(line, min_size=1, max_size=4))
async def test_any_lines_are_handled_or_refused(engine, store, lines):
    session = session_for(engine)  # a lesson or question in progress changes what a line means: a few in a row
    for text in lines:
        await dispatch_checked(session, store, text)


@FUZZ
@example(number="999999999999999999999999")
@given(number=st.integers(min_value=2**31).map(str))
async def test_huge_schedule_ids_are_refused(engine, store, number):
    session = session_for(engine)
    for verb in ("pause", "resume", "remove", "skip", "post-now"):
        await dispatch_checked(session, store, f"schedule {verb} {number}")

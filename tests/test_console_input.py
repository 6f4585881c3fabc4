"""Hostile input at the terminal and the engine's text entry points: capped before any parsing."""
from __future__ import annotations

import io

import pytest
from conftest import actor, utc
from rich.console import Console
from test_console import FakeClock, say, session  # noqa: F401  (fixture)

import adapters.console.session as session_mod
from adapters.console.door import run_console
from adapters.console.lines import DRAIN_CHUNK, LINE_MAX
from bot.content.loader import Catalog
from bot.errors import QuizError
from bot.limits import NAME_TEXT_MAX

HUGE = 2_000_000


class CountingInput(io.StringIO):
    """stdin that records how much each read may return."""

    def __init__(self, text: str):
        super().__init__(text)
        self.limits: list[int] = []

    def readline(self, size: int = -1) -> str:
        self.limits.append(size)
        return super().readline(size)


@pytest.fixture
def splitter(monkeypatch):
    seen: list[int] = []

    def spy(text, *args, **kwargs):
        seen.append(len(text))
        return text.split()  # not the real shlex: before the cap it would take minutes here
    monkeypatch.setattr(session_mod.shlex, "split", spy)
    return seen


async def test_a_huge_console_line_is_refused_before_parsing(engine, splitter):
    stdin = CountingInput("x" * HUGE + "\nlessons\nquit\n")
    out = io.StringIO()
    await run_console(engine, "Ann", stdin, Console(file=out, width=200, color_system=None), FakeClock())
    text = out.getvalue()
    assert f"That line is too long (over {LINE_MAX:,} characters): nothing was done." in text
    assert "Lessons" in text and "Bye" in text  # the session went on
    assert splitter and max(splitter) <= LINE_MAX
    assert all(0 < size <= max(LINE_MAX + 1, DRAIN_CHUNK) for size in stdin.limits)  # never a whole line at once


async def test_a_huge_answer_is_refused_and_stores_nothing(session, splitter):
    await say(session, "lesson 1", "next", "next")
    assert "too long" in await say(session, "y" * HUGE)
    assert max(splitter) <= LINE_MAX
    out = await say(session, "2")
    assert "Correct!" in out and "already answered" not in out  # the refused line was no answer


async def test_engine_text_entry_points_cap_their_input(engine, monkeypatch):
    seen: list[int] = []
    real = Catalog.find_lesson
    monkeypatch.setattr(Catalog, "find_lesson", lambda self, text: (seen.append(len(text)), real(self, text))[1])
    who, boss, now, huge = actor("u1"), actor("boss", admin=True), utc(2026, 3, 2, 9), "1" + "z" * HUGE
    await engine.group_create(who, "Night Owls", now)  # the community exists: group lookups really run
    calls = [lambda: engine.snippet(huge, 0), lambda: engine.lesson_question(who, huge, 0, now),
             lambda: engine.snippet("²", 0), lambda: engine.leaderboard(who, now, huge),
             lambda: engine.leaderboard(who, now, "all", huge), lambda: engine.group_leaderboard(who, now, huge),
             lambda: engine.group_create(who, huge, now), lambda: engine.group_join(who, huge, now),
             lambda: engine.set_timezone(boss, huge, now)]
    for call in calls:
        with pytest.raises(QuizError) as err:
            result = call()
            if hasattr(result, "__await__"):
                await result
        assert len(str(err.value)) < 1000
    assert engine.lesson_choices(huge) == []
    assert seen and max(seen) <= NAME_TEXT_MAX


async def test_a_schedule_for_an_overlong_channel_id_is_refused(engine):
    from bot.errors import BadInput
    from bot.views import ScheduleSpec
    boss, now = actor("boss", admin=True), utc(2026, 3, 2, 9)
    with pytest.raises(BadInput, match="A channel id is at most 64 characters.") as err:
        await engine.schedules.create(boss, ScheduleSpec("c" * HUGE, "09:00", "daily"), now)
    assert err.value.field == "channel"
    assert await engine.schedules.list(boss, now) == []


RAW = ("\x1b", "\u202e", "\x07", "\x9b")


async def test_names_and_echoed_text_cannot_drive_the_terminal(session, engine):
    from sqlmodel import select

    from bot.models import Learner
    out = await say(session, "user \x1b[31mEve\u202e\x1b]0;pwned\x07", "\x1b[2Jdance", "group join \x9b31mX\u202e",
                    "lesson 1", "next", "next", "2")
    assert "Now playing as Eve." in out
    assert "Unknown command '\\x1b[2jdance'" in out
    assert "There is no group called '\\x9b31mX\\u202e'" in out
    assert "Correct!" in out
    assert not any(ch in out for ch in RAW), repr(out)
    async with engine.store.read() as db:
        stored = (await db.exec(select(Learner.user_id, Learner.display_name))).all()
    assert [tuple(row) for row in stored] == [("eve", "Eve")]


def test_console_survives_undecodable_bytes_in_names_and_lines(tmp_path):
    import os
    import subprocess
    import sys
    stdin = b"user \xff\xfe\x1b[2JBob\n\xc3\x28 lessons\nlessons\nquit\n"
    result = subprocess.run([sys.executable, "-m", "adapters.cli", "console", "--user", b"\xff\xfeAda\x1b[31m"],
                            input=stdin, capture_output=True, cwd=tmp_path, timeout=60,
                            env={**os.environ, "COLUMNS": "200", "QUIZBOT_DATA_DIR": str(tmp_path)})
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, err
    assert "Traceback" not in out + err
    assert "hello Ada!" in out
    assert "Now playing as \ufffd\ufffdBob." in out  # undecodable bytes shown as U+FFFD, the escape dropped
    assert "Lessons" in out and "Bye" in out
    assert b"\x1b" not in result.stdout


async def test_an_unexpected_error_is_logged_and_the_session_goes_on(session, monkeypatch, caplog):
    async def broken(_actor):
        raise RuntimeError("a bug")
    monkeypatch.setattr(session.engine, "lessons", broken)
    out = await say(session, "lessons")
    assert "That did not work: an internal error (details in the log)." in out
    assert "console command failed" in caplog.text and "RuntimeError: a bug" in caplog.text
    assert "Question 1/3" in await say(session, "lesson 1", "next", "next")

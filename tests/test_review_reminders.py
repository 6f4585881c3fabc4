"""Review reminders: the pure rules of when one is owed, and the console, where the reminder is a notice
printed in the session (the runtime's ReminderService driven by hand with the test's clock)."""
from __future__ import annotations

import io
from datetime import time, timedelta

import pytest
from conftest import utc
from rich.console import Console

from adapters.console.door import ConsoleDoor
from bot.domain import reminders as rules
from bot.errors import BadInput
from bot.runtime import Runtime
from bot.timeutil import day_end

NOW = utc(2026, 3, 28, 17, 30)  # Saturday; Europe/Berlin springs forward on Sunday 29 March


def test_owed_only_today_after_the_time_and_after_asking():
    asked = NOW - timedelta(days=1)
    assert rules.owed_day(NOW, time(18, 0), asked, "UTC") is None  # 17:30: not yet
    assert rules.owed_day(NOW, time(17, 0), asked, "UTC") == NOW.date()
    assert rules.owed_day(NOW, time(17, 0), NOW, "UTC") is None  # asked at 17:30 for 17:00: from tomorrow
    assert rules.owed_day(NOW, time(18, 0), asked, "Europe/Berlin") == NOW.date()  # 18:30 in Berlin
    sunday = utc(2026, 3, 29, 0, 30)  # 01:30 in Berlin; 02:30 does not exist that day
    assert rules.owed_day(sunday, time(2, 30), asked, "Europe/Berlin") is None
    assert rules.owed_day(sunday + timedelta(hours=1), time(2, 30), asked, "Europe/Berlin") == sunday.date()


def test_retries_stop_at_midnight_and_after_three_attempts():
    ends = day_end(NOW.date(), "UTC")
    assert rules.retry_at(1, True, NOW, ends) == NOW + rules.RETRY_AFTER
    assert rules.retry_at(rules.MAX_ATTEMPTS, True, NOW, ends) is None
    assert rules.retry_at(1, False, NOW, ends) is None
    assert rules.retry_at(1, True, ends - timedelta(minutes=5), ends) is None


def test_a_setting_is_a_time_or_off():
    assert rules.parse_setting(" 07:05 ") == time(7, 5) and rules.parse_setting("OFF") is None
    with pytest.raises(BadInput):
        rules.parse_setting("tonight")


async def test_console_reminder_is_a_notice_in_the_session(engine):
    clock = [utc(2026, 3, 2, 8, 0)]
    out = io.StringIO()
    runtime = Runtime(engine, clock=lambda: clock[0])
    door = ConsoleDoor("Ann", console=Console(file=out, width=200, color_system=None))
    await runtime.open_door(door, timer=False)
    try:
        session = door.session
        assert session is not None
        await session.handle("review remind 18:00")
        assert "Review reminder at 18:00" in out.getvalue()
        for index, raw in ((0, "1"), (2, "2")):  # two lesson questions missed: both due later
            card = await engine.lesson_question(session.actor, "mini", index, clock[0])
            await engine.answer(session.actor, card.delivery_id, raw, clock[0])
        status = await engine.review_status(session.actor, clock[0])
        assert status.due == 0 and status.next_due is not None
        clock[0] = status.next_due.replace(hour=18, minute=1)
        await runtime.reminders.run_tick()
        await runtime.reminders.run_tick()
        assert out.getvalue().count("Reminder for Ann") == 1 and "2 review cards due" in out.getvalue()
        await session.handle("review remind off")
        assert "Review reminders are off" in out.getvalue()
    finally:
        await runtime.close_door(door)

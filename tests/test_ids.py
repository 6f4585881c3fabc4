"""Ids people type or payloads carry are range-checked at the edge: no OverflowError, a clear 'there is no ...'."""
from __future__ import annotations

import re

import pytest
from conftest import actor, utc
from test_console import run_cli, say, session  # noqa: F401  (fixture)

from bot.errors import BadInput
from bot.ids import ROW_ID_MAX, parse_id

HUGE = "999999999999999999999999"


@pytest.mark.parametrize("text, expected", [("12", 12), ("#12", 12), (" 7 ", 7), (12, 12), (str(ROW_ID_MAX), ROW_ID_MAX)])
def test_parse_id_reads_plain_numbers(text, expected):
    assert parse_id(text, "schedule") == expected


@pytest.mark.parametrize("text, message", [
    (HUGE, "There is no schedule #999999999999999999999999."), (str(ROW_ID_MAX + 1), "There is no schedule #"),
    ("0", "There is no schedule #0."), (10**30, "There is no schedule #"), ("9" * 5000, "There is no schedule #999"),
    ("abc", "'abc' is not a schedule number."), ("²", "is not a schedule number"), ("-3", "is not a schedule number"),
    ("", "is not a schedule number"), (None, "is not a schedule number"), (True, "'True' is not a schedule number")])
def test_parse_id_refuses_what_no_row_can_have(text, message):
    with pytest.raises(BadInput, match=re.escape(message)):
        parse_id(text, "schedule")


async def test_engine_refuses_out_of_range_ids_on_every_backend(engine):
    admin = actor("boss", admin=True)
    now = utc(2026, 3, 2, 9)
    for call in (lambda: engine.schedules.remove(admin, int(HUGE)),
                 lambda: engine.schedules.set_enabled(admin, 2**40, False, now),
                 lambda: engine.answer(admin, 2**31, "1", now),
                 lambda: engine.answer_post(admin, 2**63, "1", now),
                 lambda: engine.post_question(10**30)):
        with pytest.raises(BadInput, match="There is no"):
            await call()
    assert await engine.post_answer_count(2**31) == 0


async def test_console_schedule_command_with_a_huge_id(session):
    out = await say(session, f"schedule remove {HUGE}", "schedule pause #x1", "schedule skip 2")
    assert "There is no schedule #999999999999999999999999." in out
    assert "'x1' is not a schedule number." in out
    assert "There is no schedule #2 here." in out


def test_schedule_cli_with_a_huge_id(tmp_path):
    db = str(tmp_path / "ops.db")
    for verb in ("remove", "pause", "post-now"):
        result = run_cli(["schedule", verb, HUGE, "--db", db], "", tmp_path)
        assert result.returncode == 1, result.stderr
        assert "There is no schedule #999999999999999999999999." in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
    missing = run_cli(["schedule", "remove", "#5", "--db", db], "", tmp_path)
    assert missing.returncode == 1 and "There is no schedule #5 here." in missing.stderr


async def test_overlong_community_and_user_ids_are_refused_before_any_write(engine):
    now = utc(2026, 3, 2, 9)
    for who in (actor("u" * 65), actor("u1", community="c" * 65)):
        with pytest.raises(BadInput, match="at most 64 characters"):
            await engine.group_create(who, "Night Owls", now)
    assert await engine.groups(actor("u1")) == []


def test_schedule_cli_refuses_an_overlong_community(tmp_path):
    result = run_cli(["schedule", "add", "--channel", "general", "--time", "09:00", "--community", "c" * 65,
                      "--db", str(tmp_path / "ops.db")], "", tmp_path)
    assert result.returncode == 1 and "at most 64 characters" in result.stderr

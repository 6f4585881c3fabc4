"""A schedule posts through a front door the bot has: any other platform is refused where schedules are made."""
from __future__ import annotations

import pytest
from conftest import actor, utc
from test_console import run_cli

from bot.errors import BadInput
from bot.views import ScheduleSpec


async def test_engine_refuses_a_schedule_for_an_unknown_platform(engine):
    boss = actor("boss", admin=True, platform="telegram")
    with pytest.raises(BadInput, match="Unknown platform 'telegram': use console, discord or slack.") as err:
        await engine.schedules.create(boss, ScheduleSpec("general", "09:00", "daily"), utc(2026, 3, 2, 9))
    assert err.value.field == "platform"
    assert await engine.schedules.list(boss, utc(2026, 3, 2, 9)) == []


def test_schedule_cli_refuses_telegram_and_stores_nothing(tmp_path):
    db = str(tmp_path / "ops.db")
    refused = run_cli(["schedule", "add", "--platform", "telegram", "--channel", "x", "--time", "09:00", "--db", db],
                      "", tmp_path)
    assert refused.returncode == 1
    assert "Unknown platform 'telegram': use console, discord or slack." in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    for platform in ("console", "discord", "slack", "telegram"):
        listed = run_cli(["schedule", "list", "--platform", platform, "--db", db], "", tmp_path)
        assert "#1" not in listed.stdout

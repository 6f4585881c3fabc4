"""Operators' commands on the database: `quizbot schedule ...` and `quizbot simulate`."""
from __future__ import annotations

import json
import re

from test_console import run_cli


def test_schedule_commands_round_trip(tmp_path):
    db = str(tmp_path / "ops.db")
    added = run_cli(["schedule", "add", "--channel", "general", "--time", "09:30", "--days", "daily",
                     "--tz", "Europe/Berlin", "--db", db], "", tmp_path)
    assert added.returncode == 0, added.stderr
    assert "#1 general — 09:30" in added.stdout and "Europe/Berlin" in added.stdout
    listed = run_cli(["schedule", "list", "--db", db], "", tmp_path)
    assert re.search(r"next \w+ \d{4}-\d\d-\d\d 09:30 CES?T \(0[78]:30 UTC\)", listed.stdout)
    posted = run_cli(["schedule", "post-now", "1", "--db", db], "", tmp_path)
    assert posted.returncode == 0 and "Daily question in #general" in posted.stdout and "posted" in posted.stdout
    again = run_cli(["schedule", "post-now", "1", "--db", db], "", tmp_path)
    assert again.returncode == 1 and "already posted" in again.stderr
    assert "paused" in run_cli(["schedule", "pause", "1", "--db", db], "", tmp_path).stdout
    assert "active" in run_cli(["schedule", "resume", "1", "--db", db], "", tmp_path).stdout
    assert "removed schedule #1" in run_cli(["schedule", "remove", "1", "--db", db], "", tmp_path).stdout
    assert "No schedules yet" in run_cli(["schedule", "list", "--db", db], "", tmp_path).stdout


def test_schedule_add_refuses_bad_input_and_stores_nothing(tmp_path):
    db = str(tmp_path / "ops.db")
    for args, message in [(["--time", "25:00"], "not a time of day"),
                          (["--time", "09:00", "--tz", "Mars/Base"], "Unknown time zone"),
                          (["--time", "09:00", "--days", ""], "at least one weekday"),
                          (["--time", "09:00", "--tags", "no-such-tag"], "selects no question")]:
        result = run_cli(["schedule", "add", "--channel", "general", *args, "--db", db], "", tmp_path)
        assert result.returncode == 1 and message in result.stderr, (args, result.stderr)
    assert "No schedules yet" in run_cli(["schedule", "list", "--db", db], "", tmp_path).stdout


def test_simulate_runs_a_month_and_checks_the_cache(tmp_path):
    result = run_cli(["simulate", "--days", "15", "--learners", "6", "--seed", "7"], "", tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert len(re.findall(r"^Day \d+ ", out, re.M)) == 15
    assert len(re.findall(r"answered, \d+% correct", out)) == 15  # every post was revealed
    assert not re.search(r"Day \d+ (Sat|Sun)", out)  # mon-fri schedule
    assert "After 15 posts" in out and "Leaderboard — all time" in out
    assert "stats check: ok" in out
    assert out == run_cli(["simulate", "--days", "15", "--learners", "6", "--seed", "7"], "", tmp_path).stdout


def test_content_stats_json_retire_and_unknown_community(tmp_path):
    db = str(tmp_path / "sim.db")
    assert run_cli(["simulate", "--days", "6", "--learners", "5", "--seed", "3", "--db", db], "", tmp_path).returncode == 0
    result = run_cli(["content", "stats", "--json", "--community", "simulation", "--db", db], "", tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["community"] == "simulation" and report["learners"] == 5 and report["items"]
    first = report["items"][0]
    assert first["attempts"] >= 1 and 0 <= first["facility"] <= 1 and first["median_seconds"] is not None
    assert {"discrimination", "upper_lower", "efficiency", "choices", "flags", "moodle_dubious"} <= set(first)
    question = first["question"]
    retired = run_cli(["content", "retire", question, "--community", "simulation", "--db", db], "", tmp_path)
    assert retired.returncode == 0 and "retired from the schedules" in retired.stdout, retired.stderr
    again = json.loads(run_cli(["content", "stats", "--json", "--community", "simulation", "--db", db], "", tmp_path).stdout)
    assert next(i for i in again["items"] if i["question"] == question)["retired"] is True
    unknown = run_cli(["content", "stats", "--community", "nowhere", "--db", db], "", tmp_path)
    assert unknown.returncode == 1 and "No community 'nowhere' has used the bot" in unknown.stderr

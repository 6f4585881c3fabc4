"""`quizbot bench` runs end to end and reports every scenario with real figures.

A smoke test, not a performance test: no timing is asserted, only that the benchmark runs, prints
one valid JSON document on stdout and that every figure it measures is a positive number. It uses
the hidden `--tiny` sizes (the `--quick` profile takes a minute or two on a small machine); the
PostgreSQL variant runs only when QUIZBOT_TEST_POSTGRES_URL is set, on scenarios 1, 3, 5 and 6.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_URL_VAR = "QUIZBOT_TEST_POSTGRES_URL"
SCENARIOS = ("answers", "leaderboard", "fanout", "content", "open_loop", "review")

# Figures that measure something and so must be positive numbers.
MEASURED = {
    "answers": ("answers_per_s", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "sequential_p50_ms",
                "sql_statements_per_answer", "peak_rss_mib", "floor_sqlite3_rows_per_s", "ratio_engine_to_floor",
                "bare_writer_answers_per_s", "bare_writer_p99_ms", "latency_max_ms", "latency_within_1s_share"),
    "leaderboard": ("generation_s", "week_p50_ms", "week_p99_ms", "month_p50_ms", "month_p99_ms", "all_p50_ms",
                    "all_p99_ms"),
    "fanout": ("tick_s", "posts_per_s", "limited_virtual_s", "limited_ticks"),
    "content": ("load_validate_median_ms", "help_cold_start_median_ms", "questions"),
    "open_loop": tuple(f"at{rate}_{figure}" for rate in (100, 300) for figure in (
        "arrivals", "learners", "offered_per_s", "verdicts_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms",
        "answers_per_commit")),
    "review": ("generation_s", "status_p50_ms", "status_p99_ms", "next_p50_ms", "review_answer_p50_ms",
               "practice_answer_p50_ms", "review_to_practice_p50"),
}


def check_open_loop(report: dict) -> None:
    """Every scheduled answer got its verdict, was stored once and left the counters consistent."""
    scenario = report["scenarios"]["open_loop"]
    assert [t["target"] for t in scenario["targets"]] == ["<= 25 ms", "<= 50 ms"]  # one per rate
    checks = scenario["checks"]
    for rate in (100, 300):
        assert checks[f"at{rate}_answers"] == scenario["figures"][f"at{rate}_arrivals"], checks
        assert checks[f"at{rate}_errors"] == 0 and checks[f"at{rate}_repeats_or_closed"] == 0, checks
        assert checks[f"at{rate}_rows_in_answer_table"] == checks[f"at{rate}_rows_expected"], checks
        assert checks[f"at{rate}_stats_mismatches"] == 0, checks


def bench(*args: str, timeout: float = 170) -> dict:
    done = subprocess.run([sys.executable, "-m", "adapters.cli", "bench", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)  # the whole of stdout is the one document


def check_scenario(report: dict, name: str) -> None:
    scenario = report["scenarios"][name]
    assert scenario["targets"], name
    for target in scenario["targets"]:
        assert isinstance(target["met"], bool) and target["target"], target
    for figure in MEASURED[name]:
        value = scenario["figures"][figure]
        assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, (name, figure, value)
    for figure, value in scenario["figures"].items():
        assert value is None or isinstance(value, (int, float)), (name, figure, value)


def test_bench_tiny_json_reports_all_scenarios():
    report = bench("--tiny", "--json")
    assert tuple(report["scenarios"]) == SCENARIOS
    machine = report["machine"]
    assert machine["cpu_count"] > 0 and machine["python"] and machine["sqlite_version"] and machine["platform"]
    assert report["database"]["backend"] == "sqlite"
    for name in SCENARIOS:
        check_scenario(report, name)
    answers, fanout = report["scenarios"]["answers"], report["scenarios"]["fanout"]
    # Correctness checks the benchmark makes along the way (not timings).
    assert answers["checks"]["errors"] == 0
    assert answers["checks"]["rows_in_answer_table"] == answers["checks"]["rows_expected"]
    assert answers["checks"]["stats_mismatches"] == 0
    assert fanout["checks"]["tick_not_posted"] == 0 and fanout["checks"]["tick_doubled"] == 0
    assert fanout["checks"]["limited_posts_doubled"] == 0 and fanout["checks"]["limited_reveals_doubled"] == 0
    assert fanout["checks"]["limited_429_global"] > 0  # the rate limit was really exercised
    board = report["scenarios"]["leaderboard"]["checks"]
    for period in ("week", "month", "all"):  # the boards rank everyone who answered in the period
        assert board[f"{period}_ranked_matches_log"] is True, (period, board)
    check_open_loop(report)
    review = report["scenarios"]["review"]["checks"]  # every timed answer was a new one, and cards were due
    assert review["answers_not_new"] == 0 and review["review_answers"] == review["practice_answers"] > 0, review
    assert report["code"]["core_sha256"] and report["code"]["schema_head"]


def test_bench_refuses_a_non_postgres_url():
    done = subprocess.run([sys.executable, "-m", "adapters.cli", "bench", "--tiny", "--json", "--database-url",
                           "mysql://x@localhost/y"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "PostgreSQL" in done.stderr


@pytest.mark.skipif(not os.environ.get(PG_URL_VAR), reason=f"{PG_URL_VAR} is not set")
def test_bench_on_postgres_answers_fanout_open_loop_and_review():
    report = bench("--tiny", "--json", "--only", "answers,fanout,open_loop,review", "--database-url", os.environ[PG_URL_VAR])
    assert tuple(report["scenarios"]) == ("answers", "fanout", "open_loop", "review")
    assert report["database"]["backend"] == "postgresql"
    for name in report["scenarios"]:
        check_scenario(report, name)
    answers = report["scenarios"]["answers"]
    assert answers["figures"]["floor_asyncpg_rows_per_s"] > 0
    assert answers["checks"]["errors"] == 0 and answers["checks"]["stats_mismatches"] == 0
    check_open_loop(report)

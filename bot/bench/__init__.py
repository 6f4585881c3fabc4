"""`quizbot bench`: how fast the engine is on a fresh database, scenario by scenario.

A benchmark, not a test: every scenario reports its figures, its target and whether the target
was met, honestly. Nothing here changes the engine; it drives it through its public calls the way
a front door would, with fake (no-op or rate-limited) senders and virtual time.

Scenarios: 1 answers (concurrent learners vs. a raw-driver floor), 2 leaderboard (large answer
log), 3 fan-out (thousands of schedules due in one minute, plus a rate-limited platform),
4 content (load + validate, and `quizbot --help` cold start), 5 open loop (answers arriving as a Poisson
process at 100 and 300 a second after three daily posts, latency from each answer's scheduled instant).
"""
from __future__ import annotations

from bot.bench.runner import SCENARIOS, BenchOptions, run_bench

__all__ = ["SCENARIOS", "BenchOptions", "run_bench"]

"""Scenario 4: load + validate all the shipped content, and `quizbot --help` cold start."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bot.bench.measure import ScenarioResult, Target
from bot.bench.sizes import Sizes
from bot.content.loader import DEFAULT_CONTENT_DIR, validate_paths
from bot.content.sources.yaml_files import lesson_files

TARGET_MS = 200.0
ROOT = Path(__file__).resolve().parents[2]


def load_ms(runs: int) -> tuple[list[float], int, int, int]:
    timings, lessons, questions = [], 0, 0
    for _ in range(runs):
        started = time.perf_counter()
        catalog, problems = validate_paths([DEFAULT_CONTENT_DIR])
        timings.append((time.perf_counter() - started) * 1000)
        if catalog is None:
            raise RuntimeError(f"the shipped content is invalid: {problems[:3]}")
        lessons, questions = len(catalog.lessons), len(catalog.questions)
    return timings, lessons, questions, len(lesson_files([DEFAULT_CONTENT_DIR]))


def help_ms(runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "adapters.cli", "--help"], cwd=ROOT, capture_output=True, text=True)
        timings.append((time.perf_counter() - started) * 1000)
        if done.returncode != 0:
            raise RuntimeError(f"quizbot --help failed ({done.returncode}): {done.stderr[-500:]}")
    return timings


def run(backend_kind: str, sizes: Sizes) -> ScenarioResult:
    result = ScenarioResult("content", "4. Content load + validate, and CLI cold start", backend_kind)
    loads, lessons, questions, files = load_ms(sizes.content_runs)
    helps = help_ms(sizes.help_runs)
    median = statistics.median(loads)
    result.figures.update({"lessons": lessons, "questions": questions, "files": files,
                           "load_validate_median_ms": median, "load_validate_min_ms": min(loads),
                           "load_validate_first_ms": loads[0], "load_validate_runs": len(loads),
                           "help_cold_start_median_ms": statistics.median(helps), "help_cold_start_min_ms": min(helps),
                           "help_runs": len(helps)})
    result.targets.append(Target("content load + validate (median)", f"<= {TARGET_MS:g} ms", median, median <= TARGET_MS))
    result.notes.append("load + validate = bot.content.loader.validate_paths on the shipped content/ (what "
                        "load_catalog does at start-up), in this process; help = a new interpreter running "
                        "`python -m adapters.cli --help` (no target given: reported only); no database involved")
    return result

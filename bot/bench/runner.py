"""Runs the chosen scenarios, each on fresh databases, and collects one report."""
from __future__ import annotations

import logging
import os
import platform
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata

from bot.bench.databases import Backend
from bot.bench.measure import ScenarioResult, say
from bot.bench.sizes import PROFILES

SCENARIOS = ("answers", "leaderboard", "fanout", "content", "open_loop", "review")
ALIASES = {"1": "answers", "2": "leaderboard", "3": "fanout", "4": "content", "5": "open_loop", "6": "review"}


@dataclass
class BenchOptions:
    profile: str = "full"  # full | quick | tiny
    database_url: str | None = None  # PostgreSQL server to create fresh databases on; None: SQLite files
    only: tuple[str, ...] = field(default_factory=lambda: SCENARIOS)


def parse_only(text: str | None) -> tuple[str, ...]:
    if not text:
        return SCENARIOS
    chosen = []
    for part in text.replace(" ", "").split(","):
        name = ALIASES.get(part, part)
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario '{part}': use {', '.join(SCENARIOS)} (or 1-6)")
        chosen.append(name)
    return tuple(s for s in SCENARIOS if s in chosen)


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    except (ValueError, OSError, AttributeError):
        return None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _loadavg() -> list[float] | None:
    """1, 5 and 15 minute load averages: other work on the machine skews every figure."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def code() -> dict:
    """Which engine was measured: a digest of the core's sources (bot/, the benchmark excluded) and the
    newest migration, so runs on different versions of the code are not compared by mistake."""
    import hashlib
    from pathlib import Path

    from alembic.script import ScriptDirectory

    from bot.migrate import alembic_config
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*.py") if "bench" not in p.relative_to(root).parts[:1])
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return {"core_sha256": digest.hexdigest()[:16], "core_files": len(files), "schema_head": head}


def machine() -> dict:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"platform": platform.platform(), "machine": platform.machine(), "cpu": _cpu_model(),
            "cpu_count": os.cpu_count(), "cpus_usable": usable, "memory_gib": _memory_gib(),
            "python": platform.python_version(), "python_implementation": platform.python_implementation(),
            "sqlite_version": sqlite3.sqlite_version,
            "packages": {d: _version(d) for d in ("SQLAlchemy", "sqlmodel", "aiosqlite", "asyncpg")}}


async def run_bench(options: BenchOptions) -> dict:
    from bot.bench import answers, content, fanout, leaderboard, open_loop, review
    from bot.content import load_catalog
    from bot.heap import settle_heap

    sizes = PROFILES[options.profile]
    backend = Backend(options.database_url)
    logging.getLogger("bot").setLevel(logging.ERROR)  # a 429 storm logs a warning per failed send
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a migration per fresh database
    load_before = _loadavg()
    started_at, started = datetime.now(UTC), time.perf_counter()
    database = await backend.describe()
    code_info = code()  # before the run: what was imported
    catalog = load_catalog()
    settle_heap()  # the collector as a started bot has it (bot.app.start_app)
    results: dict[str, ScenarioResult] = {}
    for name in options.only:
        say(f"{name}: starting ({backend.kind}, {sizes.profile})")
        t0 = time.perf_counter()
        if name == "answers":
            result = await answers.run(backend, catalog, sizes)
        elif name == "leaderboard":
            result = await leaderboard.run(backend, catalog, sizes)
        elif name == "fanout":
            result = await fanout.run(backend, catalog, sizes)
        elif name == "open_loop":
            result = await open_loop.run(backend, catalog, sizes)
        elif name == "review":
            result = await review.run(backend, catalog, sizes)
        else:
            result = content.run(backend.kind, sizes)
        result.seconds = time.perf_counter() - t0
        results[name] = result
        say(f"{name}: done in {result.seconds:.1f}s ({'met' if result.met else 'missed'})")
    return {
        "benchmark": "quizbot bench",
        "started_at": started_at.isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - started, 3),
        "profile": sizes.profile,
        "sizes": sizes.as_dict(),
        "machine": {**machine(), "load_average_before": load_before, "load_average_after": _loadavg()},
        "code": code_info,
        "database": database,
        "scenarios": {name: r.as_dict() for name, r in results.items()},
        "all_met": all(r.met for r in results.values()),
    }

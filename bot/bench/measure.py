"""Small measuring tools: percentiles, memory high-water marks, a result record."""
from __future__ import annotations

import math
import resource
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event

from bot.db import Store


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); q in 0..100. With 20 samples p99 ~ the max."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary_ms(seconds: list[float]) -> dict:
    """p50/p95/p99/max/mean in milliseconds of a list of durations in seconds."""
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "p99_ms": percentile(ms, 99),
            "max_ms": max(ms), "mean_ms": sum(ms) / len(ms)}


def ru_maxrss_mib() -> float:
    """Peak resident set size of this process since it started (getrusage ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _status_kib(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_now_mib() -> float | None:
    kib = _status_kib("VmRSS")
    return kib / 1024 if kib is not None else None


def reset_peak_rss() -> bool:
    """Linux: writing 5 to /proc/self/clear_refs resets the VmHWM high-water mark to the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_since_reset_mib() -> float | None:
    kib = _status_kib("VmHWM")
    return kib / 1024 if kib is not None else None


def cpu_times() -> tuple[float, float] | None:
    """(seconds on a CPU, seconds runnable but waiting for one) summed over this process's threads so far
    (Linux schedstat). The wait is what other work on the machine costs a measurement; None elsewhere."""
    on_cpu = waiting = 0
    try:
        for stat in Path("/proc/self/task").glob("*/schedstat"):
            try:
                ran, waited, _ = stat.read_text().split()
            except (OSError, ValueError):  # a thread that ended meanwhile
                continue
            on_cpu, waiting = on_cpu + int(ran), waiting + int(waited)
    except OSError:
        return None
    return on_cpu / 1e9, waiting / 1e9


@dataclass
class Target:
    name: str
    target: str  # human-readable, e.g. "p99 <= 25 ms"
    value: float | None
    met: bool

    def as_dict(self) -> dict:
        return {"name": self.name, "target": self.target, "value": self.value, "met": self.met}


@dataclass
class ScenarioResult:
    id: str
    title: str
    backend: str
    figures: dict = field(default_factory=dict)  # name -> number (measurements)
    checks: dict = field(default_factory=dict)  # name -> number/bool (counts, correctness checks; may be 0)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the whole scenario, setup included

    @property
    def met(self) -> bool:
        return all(t.met for t in self.targets)

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "backend": self.backend, "met": self.met,
                "targets": [t.as_dict() for t in self.targets], "figures": _clean(self.figures),
                "checks": _clean(self.checks), "notes": list(self.notes), "seconds": round(self.seconds, 3)}


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 4)
    return value


_started = [0.0]
_progress = [True]


def progress_enabled(on: bool) -> None:
    import time
    _progress[0], _started[0] = on, time.perf_counter()


def say(message: str) -> None:
    """Progress on stderr (stdout is kept for the table or the JSON document)."""
    if _progress[0]:
        import time
        print(f"[bench {time.perf_counter() - _started[0]:7.1f}s] {message}", file=sys.stderr, flush=True)


class StatementCounter:
    """Counts SQL statements and commits on an engine while `active`."""

    def __init__(self, store: Store):
        self.active, self.statements, self.commits = False, 0, 0
        event.listen(store.engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(store.engine.sync_engine, "commit", self._commit)

    def _statement(self, *args, **kwargs):
        if self.active:
            self.statements += 1

    def _commit(self, *args, **kwargs):
        if self.active:
            self.commits += 1

"""The `quizbot bench` entry point (adapters/cli.py imports this lazily, so `quizbot --help` stays fast)."""
from __future__ import annotations

import asyncio
import sys

from bot.bench.databases import BenchSetupError
from bot.bench.measure import progress_enabled
from bot.bench.report import as_json, render
from bot.bench.runner import BenchOptions, parse_only, run_bench


def main(*, json_output: bool = False, database_url: str | None = None, profile: str = "full",
         only: str | None = None, progress: bool = True) -> int:
    """Exit code 0 when the benchmark ran (targets met or not: it is a benchmark), 2 when it could not run."""
    progress_enabled(progress)
    try:
        options = BenchOptions(profile, database_url, parse_only(only))
        report = asyncio.run(run_bench(options))
    except (BenchSetupError, ValueError) as err:
        print(f"bench: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # e.g. the PostgreSQL server is not reachable
        print(f"bench: cannot reach the database: {err}", file=sys.stderr)
        return 2
    if json_output:
        sys.stdout.write(as_json(report) + "\n")
    else:
        from rich.console import Console
        render(report, Console() if sys.stdout.isatty() else Console(width=160))
    return 0

"""The report: rich tables for people, one JSON document for machines."""
from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table


def fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        if abs(value) >= 0.01:
            return f"{value:.3f}"
        return f"{value:.2e}" if value else "0"
    return str(value)


def as_json(report: dict) -> str:
    return json.dumps(report, indent=2, default=str)


def render(report: dict, console: Console) -> None:
    m, db = report["machine"], report["database"]
    where = (f"SQLite {db.get('sqlite_version')} (fresh files in a temporary folder)" if db["backend"] == "sqlite"
             else f"PostgreSQL {db.get('server_version')} at {db.get('host')}:{db.get('port')} "
                  f"(a fresh database per scenario; {db.get('settings')})")
    console.print(f"[bold]quizbot bench[/bold] — profile [bold]{report['profile']}[/bold], {where}")
    console.print(f"machine: {m['platform']}, {m['cpu']}, {m['cpu_count']} CPUs ({m['cpus_usable']} usable), "
                  f"{fmt(m['memory_gib'])} GiB; Python {m['python']}; sqlite {m['sqlite_version']}; "
                  + ", ".join(f"{k} {v}" for k, v in m["packages"].items())
                  + f"; load average (1/5/15 min) before {m.get('load_average_before')}, after {m.get('load_average_after')}")

    c = report.get("code", {})
    console.print(f"code: core sha256 {c.get('core_sha256')} ({c.get('core_files')} files under bot/, bench excluded), "
                  f"schema head {c.get('schema_head')}")
    summary = Table(title="Targets", show_lines=False)
    for col in ("scenario", "target", "required", "measured", "met"):
        summary.add_column(col, justify="right" if col == "measured" else "left")
    for s in report["scenarios"].values():
        for t in s["targets"]:
            summary.add_row(s["title"].split(":")[0], t["name"], t["target"], fmt(t["value"]),
                            "[green]yes[/green]" if t["met"] else "[red]no[/red]")
    console.print(summary)

    for s in report["scenarios"].values():
        table = Table(title=f"{s['title']} [{s['backend']}] — {fmt(s['seconds'])} s", title_justify="left")
        table.add_column("figure")
        table.add_column("value", justify="right")
        table.add_column("check")
        table.add_column("value", justify="right")
        figures, checks = list(s["figures"].items()), list(s["checks"].items())
        for i in range(max(len(figures), len(checks))):
            f = figures[i] if i < len(figures) else ("", "")
            c = checks[i] if i < len(checks) else ("", "")
            table.add_row(f[0], fmt(f[1]) if f[0] else "", c[0], fmt(c[1]) if c[0] else "")
        console.print(table)
        for note in s["notes"]:
            console.print(f"  [dim]· {note}[/dim]")
    console.print(f"wall time: {fmt(report['wall_seconds'])} s; all targets met: {fmt(report['all_met'])}")

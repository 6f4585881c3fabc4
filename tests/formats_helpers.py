"""Running an import the way `quizbot content import` does: plan (schema, ids, lint), then write once."""
from __future__ import annotations

from pathlib import Path

from bot.content.formats import IMPORTERS, ImportOptions
from bot.content.formats.pipeline import ImportPlan, plan_import, write_import

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def plan(fmt: str, path: Path, joins: Path | None = None) -> ImportPlan:
    return plan_import(IMPORTERS[fmt], path, ImportOptions(), joins)


def import_into(fmt: str, path: Path, folder: Path) -> Path:
    """Import `path` as a new lesson file in `folder`; raises ImportFailed before writing anything."""
    out = folder / f"{path.stem}.yml"
    write_import(plan(fmt, path, folder), out)
    return out

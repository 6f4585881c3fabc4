"""Retired question ids: `retired.yml` in a content folder lists ids that must never be used again.

Learners' answers and schedules are stored against question ids, so an id that once meant one
question must not come back meaning another. The file is a YAML list of ``{id, reason}``.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from bot.content.schema import Slug, Strict, Text

RETIRED_FILE = "retired.yml"


class RetiredQuestion(Strict):
    id: Slug
    reason: Text


def retired_files(paths: Iterable[Path]) -> list[Path]:
    """Every retired-id list in the given folders, found the way lesson files are (recursively)."""
    return [f for p in paths if p.is_dir() for f in sorted(p.rglob(RETIRED_FILE)) if f.is_file()]


def read_retired(path: Path) -> tuple[dict[str, str], list[tuple[int | None, str, str]]]:
    """The retired ids of one file, and its problems as (line, location, message)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        nodes = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return {}, [(None, "", f"cannot read the retired-id list: {exc}")]
    if data is None or nodes is None:  # an empty file: no document, no nodes
        return {}, []
    if not isinstance(data, list):
        return {}, [(1, "", "the retired-id list must be a YAML list of {id, reason}")]
    line_of = lambda i: nodes.value[i].start_mark.line + 1  # noqa: E731 - one-line lookup
    retired: dict[str, str] = {}
    problems: list[tuple[int | None, str, str]] = []
    for i, item in enumerate(data):
        try:
            entry = TypeAdapter(RetiredQuestion).validate_python(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            problems.append((line_of(i), f"[{i}]" + (f".{where}" if where else ""), first["msg"]))
            continue
        if entry.id in retired:
            problems.append((line_of(i), f"[{i}].id", f"'{entry.id}' is listed twice"))
        retired.setdefault(entry.id, entry.reason)
    return retired, problems

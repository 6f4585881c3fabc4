"""An import from start to file: read, check against the catalog it joins, lint, then write a new file.

Nothing is written until the lesson has passed the schema, the id checks across the folder it goes
into and the item-writing lint's errors; the file is then created whole or not at all, never over an
existing one. Exports are written the same way.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.content.formats.base import Exporter, Importer, ImportOptions, ImportSource, Skipped
from bot.content.formats.files import ImportRefused
from bot.content.limits import MAX_LESSON_BYTES, load_lesson_yaml
from bot.content.lint import Finding, lint_lessons
from bot.content.loader import read_sources
from bot.content.schema import Lesson
from bot.content.sources import ContentProblem, ContentSource, SourcedLesson, YamlSource, validate_lesson
from bot.content.sources.yaml_files import lesson_files

_FIRST_KEYS = ("id", "kind", "prompt")


@dataclass(frozen=True)
class ImportPlan:
    lesson: Lesson
    text: str  # the lesson file to write
    skipped: list[Skipped]
    warnings: list[Finding]


@dataclass
class ImportFailed(Exception):
    """Why nothing was written: problems (file, line, field) or the lint's errors."""

    problems: Sequence[ContentProblem | Finding]
    skipped: Sequence[Skipped] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(map(str, self.problems))


class _LessonDumper(yaml.SafeDumper):
    """Text with line breaks as a `|` block, as the shipped lessons write it."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    multiline = "\n" in text and not any(line != line.strip() for line in text.split("\n"))
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if multiline else None)


_LessonDumper.add_representer(str, _text)


def lesson_yaml(lesson: Lesson) -> str:
    """The lesson as a lesson file: defaults left out, each question starting with its id and kind."""
    data = lesson.model_dump(mode="json", exclude_defaults=True)
    data["questions"] = [{**{k: q[k] for k in _FIRST_KEYS}, **q} for q in data["questions"]]
    return yaml.dump(data, Dumper=_LessonDumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def _checked_text(lesson: Lesson, origin: str) -> str:
    """The file text, proven to load back as the same lesson and to fit the lesson size limit."""
    text = lesson_yaml(lesson)
    size = len(text.encode("utf-8"))
    if size > MAX_LESSON_BYTES:
        raise ImportFailed([ContentProblem(origin, "", f"the lesson would be {size:,} bytes, more than the "
                                           f"{MAX_LESSON_BYTES // 1024} KiB a lesson file may be; split the input")])
    back = validate_lesson(load_lesson_yaml(text, yaml.SafeLoader), origin)
    if not isinstance(back, SourcedLesson) or back.lesson != lesson:
        raise ImportFailed([ContentProblem(origin, "", "the lesson does not read back the same from YAML; "
                                           "please report this file")])
    return text


def next_order(folder: Path) -> int:
    """One after the highest `order` of the lessons in `folder` (1 when it has none that load)."""
    if not folder.is_dir():
        return 1
    lessons, _ = read_sources([YamlSource([folder])])
    return max((s.lesson.order for s in lessons), default=0) + 1


def plan_import(importer: Importer, path: Path, options: ImportOptions, joins: Path | None) -> ImportPlan:
    """The lesson to write for `path`, checked against the lesson files in the folder `joins`; or ImportFailed."""
    source = ImportSource(importer, path, options)
    try:
        read = source.read()
    except ImportRefused as refused:
        raise ImportFailed([refused.problem]) from None
    if read.problems:
        raise ImportFailed(read.problems, read.skipped)
    sources: list[ContentSource] = [source]
    if joins is not None and lesson_files([joins]):
        sources.insert(0, YamlSource([joins]))
    # The import is read again here, after the folder, so an id it shares is reported at the import.
    lessons, problems = read_sources(sources)
    mine = [p for p in problems if p.path == source.name]
    if mine:
        raise ImportFailed(mine, read.skipped)
    imported = next(s for s in lessons if s.origin == source.name)
    report = lint_lessons([imported], source.name)
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        raise ImportFailed(errors, read.skipped)
    warnings = [f for f in report.findings if f.severity == "warning"]
    return ImportPlan(imported.lesson, _checked_text(imported.lesson, source.name), read.skipped, warnings)


def write_new_file(path: Path, write: Callable[[Path], object]) -> None:
    """Create `path` whole through `write(temporary_path)`, or not at all; FileExistsError if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise FileExistsError(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.link(tmp, path)  # fails if the file appeared meanwhile: nothing is ever overwritten
    finally:
        tmp.unlink(missing_ok=True)


def write_import(plan: ImportPlan, out: Path) -> None:
    write_new_file(out, lambda tmp: tmp.write_text(plan.text, encoding="utf-8"))


def export_lesson(exporter: Exporter, lesson: Lesson, out: Path) -> list[Skipped]:
    """Write `lesson` to the new file `out`; the questions the format cannot hold are returned."""
    skipped: list[Skipped] = []
    write_new_file(out, lambda tmp: skipped.extend(exporter.write(lesson, tmp)))
    return skipped

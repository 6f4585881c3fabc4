"""What an importer and an exporter are, and what an import gives back besides the lesson.

An importer reads one file of another tool's format into one lesson, through the content-source
API (bot.content.sources: `validate_lesson`, `ContentProblem` with file, line and field), and lists
the questions it could not represent as `Skipped`, each with its line. An exporter writes one lesson
in a format and lists the questions that format cannot hold. Both are plain values registered by
name in bot.content.formats.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.schema import Lesson
from bot.content.sources.base import SourceRead


@dataclass(frozen=True)
class Skipped:
    """A question left out: where it was (a line of the input, or a question id of ours), of what
    kind in the source's own words ("matching", "essay"), and why we cannot represent it."""

    line: int | None
    kind: str
    reason: str
    question: str | None = None  # a question id of ours, when an exporter leaves one out

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else f"question '{self.question}'" if self.question else "?"
        return f"{where}: {self.kind}: {self.reason}"


@dataclass(frozen=True)
class ImportOptions:
    """What the operator chose about the new lesson; every field has a default drawn from the file."""

    lesson_id: str | None = None
    title: str | None = None
    summary: str | None = None
    order: int = 1


@dataclass(frozen=True)
class ImportRead(SourceRead):
    """A source read of one imported file (its lesson or its problems) and the questions skipped."""

    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class Importer:
    name: str  # what `--format` takes: "gift"
    label: str  # what people call the format: "Moodle GIFT"
    suffixes: tuple[str, ...]  # the file names it reads: (".gift", ".txt")
    read: Callable[[Path, ImportOptions], ImportRead]


@dataclass(frozen=True)
class Exporter:
    name: str
    label: str
    suffix: str  # the file name it writes: ".gift"
    write: Callable[[Lesson, Path], list[Skipped]]  # writes the file; returns the questions left out


class ImportSource:
    """One file through one importer as a content source, so the catalog assembly can check its ids
    against the lesson files it joins (bot.content.loader.read_sources)."""

    def __init__(self, importer: Importer, path: Path, options: ImportOptions):
        self.importer, self.path, self.options = importer, path, options

    @property
    def name(self) -> str:
        return str(self.path)

    def read(self) -> ImportRead:
        return self.importer.read(self.path, self.options)

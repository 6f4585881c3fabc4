"""What every content source gives the catalog: valid lessons with their origin, and problems.

A source turns one format (lesson YAML files today; GIFT, Anki or CSV later) into `Lesson` models.
It checks only what it can see alone: its own syntax and the schema. Whatever needs every source at
once (lesson and question ids used twice, ids that were retired) is checked where the catalog is
assembled (bot.content.loader), so an importer never repeats it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.content.schema import Lesson
from bot.domain import kinds  # a module, not its names: bot.domain.kinds imports bot.content.schema

Loc = Sequence[str | int]  # a path into a lesson, as pydantic reports it: ("questions", 2, "id")


@dataclass(frozen=True)
class ContentProblem:
    path: str
    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        loc = f"{self.location}: " if self.location else ""
        return f"{self.path}: {where}{loc}{self.message}"


def no_lines(loc: Loc) -> int | None:
    """For a source whose format has no line numbers to point at."""
    return None


@dataclass(frozen=True)
class SourcedLesson:
    """A valid lesson, where it came from (a file path, or '<source>[n]'), and the way back to its lines."""

    origin: str
    lesson: Lesson
    locate: Callable[[Loc], int | None] = no_lines

    def line(self, *loc: str | int) -> int | None:
        return self.locate(loc)


@dataclass(frozen=True)
class SourceRead:
    """What one source read, in reading order: each valid lesson or problem where it was met.

    `retired` maps question ids that must never come back to where they were retired; the assembly
    checks them against the lessons of every source.
    """

    entries: list[SourcedLesson | ContentProblem]
    retired: dict[str, str] = field(default_factory=dict)

    @property
    def lessons(self) -> list[SourcedLesson]:
        return [e for e in self.entries if isinstance(e, SourcedLesson)]

    @property
    def problems(self) -> list[ContentProblem]:
        return [e for e in self.entries if isinstance(e, ContentProblem)]


class ContentSource(Protocol):
    """One place lessons come from. `name` says which in messages about the source as a whole."""

    @property
    def name(self) -> str: ...

    def read(self) -> SourceRead: ...


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in kinds.KINDS:
            continue  # discriminator branch names are noise for the author
        else:
            out += f".{part}" if out else str(part)
    return out


def _pretty_message(err: ErrorDetails) -> str:
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        return "unknown key (not part of the lesson format)"
    if err["type"] == "missing":
        return "required key is missing"
    return msg.removeprefix("Value error, ")


def validate_lesson(data: object, origin: str, locate: Callable[[Loc], int | None] = no_lines,
                    ) -> SourcedLesson | list[ContentProblem]:
    """A lesson from plain data (what a parser or an importer built), or the schema's problems with it."""
    try:
        return SourcedLesson(origin, Lesson.model_validate(data), locate)
    except ValidationError as exc:
        return [ContentProblem(origin, format_loc(e["loc"]), _pretty_message(e), locate(e["loc"])) for e in exc.errors()]

"""Assemble the catalog from content sources, checking what no single source can see.

A source (bot.content.sources) validates its own lessons; here ids are checked across all of them.
Every problem is reported as ``origin: line N: location: what is wrong`` and nothing is returned
half-loaded: either the whole catalog is valid or ``ContentError`` lists all problems.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.schema import Lesson, Question
from bot.content.sources import ContentProblem, ContentSource, SourcedLesson, YamlSource
from bot.content.sources.base import format_loc
from bot.domain import kinds  # a module, not its names: bot.domain.kinds imports bot.content.schema

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


class ContentError(Exception):
    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Catalog:
    """Validated content, ordered by lesson order then id; question ids are unique across it."""

    lessons: list[Lesson]
    questions: dict[str, Question] = field(default_factory=dict)
    lesson_of: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for lesson in self.lessons:
            for q in lesson.questions:
                self.questions[q.id] = q
                self.lesson_of[q.id] = lesson.id

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def find_lesson(self, text: str) -> Lesson | None:
        """A lesson by id, by its 1-based number, or by a unique case-insensitive title prefix."""
        text = text.strip()
        if text.isascii() and text.isdigit() and 1 <= int(text) <= len(self.lessons):  # isdigit alone takes '²'
            return self.lessons[int(text) - 1]
        exact = self.lesson(text)
        if exact:
            return exact
        low = text.lower()
        hits = [lesson for lesson in self.lessons if lesson.title.lower().startswith(low) or low in lesson.id]
        return hits[0] if len(hits) == 1 else None

    def question(self, question_id: str) -> Question | None:
        return self.questions.get(question_id)

    def summary(self) -> list[dict]:
        return [
            {
                "id": lesson.id,
                "title": lesson.title,
                "order": lesson.order,
                "snippets": len(lesson.snippets),
                "questions": len(lesson.questions),
                **{name: sum(q.kind == name for q in lesson.questions) for name in kinds.KINDS},
            }
            for lesson in self.lessons
        ]


def read_sources(sources: Iterable[ContentSource]) -> tuple[list[SourcedLesson], list[ContentProblem]]:
    """Read every source and check ids across all of them; the lessons are only complete when no problem is.

    Problems keep each source's reading order: an id used twice is reported where the second use was read.
    """
    reads = [source.read() for source in sources]
    retired: dict[str, str] = {}  # retired question id -> where it was retired
    for r in reads:
        retired.update(r.retired)
    problems: list[ContentProblem] = []
    lessons: list[SourcedLesson] = []
    seen_lessons: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    for entry in (e for r in reads for e in r.entries):
        if isinstance(entry, ContentProblem):
            problems.append(entry)
            continue
        lesson, origin = entry.lesson, entry.origin
        if lesson.id in seen_lessons:
            problems.append(ContentProblem(origin, "id", f"lesson id '{lesson.id}' is already used in {seen_lessons[lesson.id]}",
                                           entry.line("id")))
        seen_lessons.setdefault(lesson.id, origin)
        for i, q in enumerate(lesson.questions):
            loc = ("questions", i, "id")
            if q.id in seen_questions:
                problems.append(ContentProblem(origin, format_loc(loc), f"question id '{q.id}' is already used in {seen_questions[q.id]}",
                                               entry.line(*loc)))
            elif q.id in retired:
                problems.append(ContentProblem(origin, format_loc(loc),
                                               f"question id '{q.id}' was retired in {retired[q.id]}; give this question a new id",
                                               entry.line(*loc)))
            else:
                seen_questions[q.id] = origin
        lessons.append(entry)
    return lessons, problems


def validate_sources(sources: Iterable[ContentSource]) -> tuple[Catalog | None, list[ContentProblem]]:
    """Validate every source, then ids across them. Returns the catalog only when nothing is wrong."""
    read, problems = read_sources(sources)
    if problems:
        return None, problems
    lessons = sorted((f.lesson for f in read), key=lambda lesson: (lesson.order, lesson.id))
    return Catalog(lessons), []


def validate_paths(paths: Iterable[Path]) -> tuple[Catalog | None, list[ContentProblem]]:
    """The lesson files under `paths` as one catalog (see validate_sources)."""
    return validate_sources([YamlSource(paths)])


def load_sources(sources: Iterable[ContentSource]) -> Catalog:
    catalog, problems = validate_sources(sources)
    if catalog is None:
        raise ContentError(problems)
    return catalog


def load_catalog(paths: Iterable[Path] | None = None) -> Catalog:
    """The lesson files under `paths` (the shipped content/ when none) as a catalog, or ContentError."""
    return load_sources([YamlSource(list(paths) if paths else [DEFAULT_CONTENT_DIR])])

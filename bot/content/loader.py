"""Load lesson files, validate them against the schema and across files.

Every problem is reported as ``file: line N: location: what is wrong`` and nothing is returned
half-loaded: either the whole catalog is valid or ``ContentError`` lists all problems.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.content.limits import LessonRefused, load_lesson_yaml, read_lesson_text
from bot.content.retired import RETIRED_FILE, read_retired, retired_files
from bot.content.schema import Lesson, Question
from bot.domain import kinds  # a module, not its names: bot.domain.kinds imports bot.content.schema

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
LESSON_SUFFIXES = (".yml", ".yaml")


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


def _has_key(node, key: str) -> bool:
    return isinstance(node, yaml.MappingNode) and any(getattr(k, "value", None) == key for k, _ in node.value)


def node_line(root: yaml.Node | None, loc: Iterable[str | int]) -> int | None:
    """Walk the composed YAML node tree along a pydantic error location to find its line."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for part in loc:
        if part in kinds.KINDS and not _has_key(node, part):
            continue  # pydantic's discriminator branch in the error location, not a YAML key
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        else:
            nxt = None  # a discriminator tag such as 'single_choice' in the loc: stay on this node
            if isinstance(part, str) and not isinstance(node, yaml.MappingNode):
                break
            continue
        if nxt is None:
            break
        node, line = nxt, nxt.start_mark.line + 1
    return line


def _format_loc(loc: tuple) -> str:
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


FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: parsing is most of start-up


def _lines_of(text: str) -> Callable[[], yaml.Node | None]:
    """The node tree, with line numbers, is only built when a problem has to be located."""
    return functools.cache(lambda: yaml.compose(text, Loader=yaml.SafeLoader))


def parse_lesson_file(path: Path) -> tuple[Lesson | None, list[ContentProblem], Callable[[], yaml.Node | None]]:
    shown = str(path)
    try:
        text = read_lesson_text(path)
    except LessonRefused as refused:
        return None, [ContentProblem(shown, "", refused.message, refused.line)], lambda: None
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentProblem(shown, "", f"cannot read file: {exc}")], lambda: None
    root = _lines_of(text)
    try:
        try:
            data = load_lesson_yaml(text, FAST_LOADER)
        except yaml.YAMLError:
            data = load_lesson_yaml(text, yaml.SafeLoader)  # the pure-Python parser words its errors the same everywhere
    except LessonRefused as refused:
        return None, [ContentProblem(shown, "", refused.message, refused.line)], lambda: None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context_mark", None)
        if context is not None and context.line + 1 != line:
            problem += f" (in what starts at line {context.line + 1}: {getattr(exc, 'context', '')})"
        return None, [ContentProblem(shown, "", f"invalid YAML: {problem}", line)], lambda: None
    if not isinstance(data, dict):
        return None, [ContentProblem(shown, "", "a lesson file must be a mapping with id, title, ...", 1)], root
    try:
        return Lesson.model_validate(data), [], root
    except ValidationError as exc:
        problems = [
            ContentProblem(shown, _format_loc(e["loc"]), _pretty_message(e), node_line(root(), e["loc"]))
            for e in exc.errors()
        ]
        return None, problems, root


def lesson_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*")
                                if f.suffix in LESSON_SUFFIXES and f.is_file() and f.name != RETIRED_FILE))
        else:
            files.append(p)
    return files


@dataclass(frozen=True)
class LessonFile:
    """A valid lesson with the file it came from, and the way back to its lines for later reports."""

    path: Path
    lesson: Lesson
    nodes: Callable[[], yaml.Node | None]

    def line(self, *loc: str | int) -> int | None:
        return node_line(self.nodes(), loc)


def read_lessons(paths: Iterable[Path]) -> tuple[list[LessonFile], list[ContentProblem]]:
    """Parse every file and check ids across files; the lessons are only complete when no problem is."""
    paths = list(paths)
    problems: list[ContentProblem] = []
    files = lesson_files(paths)
    for p in paths:
        if not p.exists():
            problems.append(ContentProblem(str(p), "", "no such file or directory"))
    if not files and not problems:
        problems.append(ContentProblem(", ".join(map(str, paths)) or ".", "", "no lesson files (*.yml, *.yaml) found"))
    read: list[LessonFile] = []
    seen_lessons: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    retired: dict[str, str] = {}  # retired question id -> the retired-id file that lists it
    for rf in retired_files(paths):
        ids, rf_problems = read_retired(rf)
        problems.extend(ContentProblem(str(rf), loc, msg, line) for line, loc, msg in rf_problems)
        retired.update({i: str(rf) for i in ids})
    for f in files:
        lesson, file_problems, root = parse_lesson_file(f)
        problems.extend(file_problems)
        if lesson is None:
            continue
        if lesson.id in seen_lessons:
            problems.append(ContentProblem(str(f), "id", f"lesson id '{lesson.id}' is already used in {seen_lessons[lesson.id]}",
                                           node_line(root(), ["id"])))
        seen_lessons.setdefault(lesson.id, str(f))
        for i, q in enumerate(lesson.questions):
            loc = ("questions", i, "id")
            if q.id in seen_questions:
                problems.append(ContentProblem(str(f), _format_loc(loc), f"question id '{q.id}' is already used in {seen_questions[q.id]}",
                                               node_line(root(), loc)))
            elif q.id in retired:
                problems.append(ContentProblem(str(f), _format_loc(loc),
                                               f"question id '{q.id}' was retired in {retired[q.id]}; give this question a new id",
                                               node_line(root(), loc)))
            else:
                seen_questions[q.id] = str(f)
        read.append(LessonFile(f, lesson, root))
    return read, problems


def validate_paths(paths: Iterable[Path]) -> tuple[Catalog | None, list[ContentProblem]]:
    """Validate every file, then ids across files. Returns the catalog only when nothing is wrong."""
    read, problems = read_lessons(paths)
    if problems:
        return None, problems
    lessons = sorted((f.lesson for f in read), key=lambda lesson: (lesson.order, lesson.id))
    return Catalog(lessons), []


def load_catalog(paths: Iterable[Path] | None = None) -> Catalog:
    catalog, problems = validate_paths(list(paths) if paths else [DEFAULT_CONTENT_DIR])
    if catalog is None:
        raise ContentError(problems)
    return catalog

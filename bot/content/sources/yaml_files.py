"""The lesson YAML files under content folders: the first content source.

Each file is refused early when it is too large, too deep or tagged (bot.content.limits), parsed,
then validated against the schema; a problem names the file and, from the composed node tree, the
line. `retired.yml` in a folder lists question ids that must not be used again (bot.content.retired).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from bot.content.limits import LessonRefused, load_lesson_yaml, read_lesson_text
from bot.content.retired import RETIRED_FILE, read_retired, retired_files
from bot.content.sources.base import ContentProblem, Loc, SourcedLesson, SourceRead, validate_lesson
from bot.domain import kinds  # a module, not its names: bot.domain.kinds imports bot.content.schema

LESSON_SUFFIXES = (".yml", ".yaml")
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: parsing is most of start-up


def _has_key(node: yaml.Node | None, key: str) -> bool:
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


def _lines_of(text: str) -> Callable[[Loc], int | None]:
    """The node tree, with line numbers, is only built when a problem has to be located."""
    root = functools.cache(lambda: yaml.compose(text, Loader=yaml.SafeLoader))
    return lambda loc: node_line(root(), loc)


def _yaml_problem(shown: str, exc: yaml.YAMLError) -> ContentProblem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context_mark", None)
    if context is not None and context.line + 1 != line:
        problem += f" (in what starts at line {context.line + 1}: {getattr(exc, 'context', '')})"
    return ContentProblem(shown, "", f"invalid YAML: {problem}", line)


def parse_lesson_file(path: Path) -> SourcedLesson | list[ContentProblem]:
    """One lesson file as a valid lesson, or every problem found in it."""
    shown = str(path)
    try:
        text = read_lesson_text(path)
    except LessonRefused as refused:
        return [ContentProblem(shown, "", refused.message, refused.line)]
    except (OSError, UnicodeDecodeError) as exc:
        return [ContentProblem(shown, "", f"cannot read file: {exc}")]
    try:
        try:
            data = load_lesson_yaml(text, FAST_LOADER)
        except yaml.YAMLError:
            data = load_lesson_yaml(text, yaml.SafeLoader)  # the pure-Python parser words its errors the same everywhere
    except LessonRefused as refused:
        return [ContentProblem(shown, "", refused.message, refused.line)]
    except yaml.YAMLError as exc:
        return [_yaml_problem(shown, exc)]
    if not isinstance(data, dict):
        return [ContentProblem(shown, "", "a lesson file must be a mapping with id, title, ...", 1)]
    return validate_lesson(data, shown, _lines_of(text))


def lesson_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*")
                                if f.suffix in LESSON_SUFFIXES and f.is_file() and f.name != RETIRED_FILE))
        else:
            files.append(p)
    return files


class YamlSource:
    """Lesson files given one by one or found (recursively) in folders, with their retired-id lists."""

    def __init__(self, paths: Iterable[Path]):
        self.paths = list(paths)

    @property
    def name(self) -> str:
        return ", ".join(map(str, self.paths)) or "."

    def read(self) -> SourceRead:
        entries: list[SourcedLesson | ContentProblem] = []
        files = lesson_files(self.paths)
        for p in self.paths:
            if not p.exists():
                entries.append(ContentProblem(str(p), "", "no such file or directory"))
        if not files and not entries:
            entries.append(ContentProblem(self.name, "", "no lesson files (*.yml, *.yaml) found"))
        retired: dict[str, str] = {}  # retired question id -> the retired-id file that lists it
        for rf in retired_files(self.paths):
            ids, rf_problems = read_retired(rf)
            entries.extend(ContentProblem(str(rf), loc, msg, line) for line, loc, msg in rf_problems)
            retired.update({i: str(rf) for i in ids})
        for f in files:
            parsed = parse_lesson_file(f)
            entries.extend(parsed if isinstance(parsed, list) else [parsed])
        return SourceRead(entries, retired)

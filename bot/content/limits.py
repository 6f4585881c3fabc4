"""What a lesson file may be before it becomes Python objects: its size, its depth, plain YAML only.

A lesson is a few kilobytes of mappings, lists and strings. Anything else only costs time and
memory (a 50 MB file, a billion-laughs alias bomb), runs code-shaped tags, or overflows the
recursive YAML composer (a document nested hundreds deep). Each is refused here, with the line
where it is known, before that work starts.
"""
from __future__ import annotations

import stat
from pathlib import Path

import yaml

MAX_LESSON_BYTES = 256 * 1024  # the largest shipped lesson is about 14 KiB
MAX_DEPTH = 20  # a rubric keyword, the deepest value a lesson has, sits 6 levels down
YAML_TAG_PREFIX = "tag:yaml.org,2002:"  # how the parser spells the "!!" shorthand


class LessonRefused(Exception):
    """The file is not a lesson we are willing to parse; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


def read_lesson_text(path: Path) -> str:
    """The file's text, refused from its size on disk before any of it is read.

    OSError and UnicodeDecodeError reach the caller, which reports them as unreadable files.
    """
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise LessonRefused("not a regular file")
    too_large = f"is larger than the {MAX_LESSON_BYTES // 1024} KiB a lesson file may be; split the lesson"
    if info.st_size > MAX_LESSON_BYTES:
        raise LessonRefused(f"the file ({info.st_size:,} bytes) {too_large}")
    with path.open("rb") as fh:
        data = fh.read(MAX_LESSON_BYTES + 1)  # bounded even if the file grew since stat
    if len(data) > MAX_LESSON_BYTES:
        raise LessonRefused(f"the file {too_large}")
    return data.decode("utf-8")


def check_events(text: str, loader: type) -> None:
    """Walk the YAML event stream (no recursion, no objects built) and refuse what a lesson never needs.

    Raises yaml.YAMLError for a syntax error met on the way, LessonRefused for the rest.
    """
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise LessonRefused("YAML anchors (&name) and aliases (*name) are not allowed in lesson files; "
                                "write the value out", line)
        tag: str | None = getattr(event, "tag", None)
        if tag is not None:
            raise LessonRefused(f"YAML tags (such as !!python/object) are not allowed in lesson files: "
                                f"'{tag.replace(YAML_TAG_PREFIX, '!!', 1)}'", line)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise LessonRefused(f"nested deeper than {MAX_DEPTH} levels; a lesson needs about 6", line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load_lesson_yaml(text: str, loader: type) -> object:
    """The document as Python data, after `check_events` has let it through."""
    check_events(text, loader)
    return yaml.load(text, Loader=loader)

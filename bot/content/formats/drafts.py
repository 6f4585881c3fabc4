"""What the Anki, Open Trivia DB, Red trivia and CSV parsers share: refusals, skips, answers, CSV records.

Each parser is a pure function from text to `Parsed`: the questions as `ImportedQuestion`s (plain
data in our schema's shape, with their lines), the ones the schema cannot represent as `Skipped`
with their line, and what the file says about itself. Input a parser will not read raises
`FormatRefused` naming the line and field; `format_importer` turns a parser into a registered
`Importer` that reads the file, refuses such input with the file's name and builds the lesson.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.formats.base import Importer, ImportOptions, ImportRead, Skipped
from bot.content.formats.build import ImportedQuestion, build_lesson, slugify
from bot.content.formats.files import ImportRefused, read_import_text
from bot.content.sources.base import ContentProblem
from bot.domain.grading.answer_text import catch_all_reason


class FormatRefused(Exception):
    """The input is not something the format's importer will read; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None, field: str = ""):
        super().__init__(message)
        self.message, self.line, self.field = message, line, field


@dataclass
class Parsed:
    questions: list[ImportedQuestion] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # a deck or category the file names: tags and title
    source_note: str | None = None  # who wrote the questions, or what of the file was not imported

    def add(self, question: ImportedQuestion) -> None:
        self.questions.append(question)  # two with one id are refused where the lesson is built (build.py)


def tags_of(words: list[str]) -> list[str]:
    """Tags as slugs, in first-seen order, without the empty and repeated ones."""
    out: list[str] = []
    for word in words:
        tag = slugify(word)
        if tag and tag not in out:
            out.append(tag)
    return out


def accepted_answers(answers: list[str], line: int, parsed: Parsed) -> list[str] | None:
    """The answers the free-text schema takes; None (and a skip) when it refuses every one of them.

    An alias such as "He" beside "Helium" is left out and listed, since the schema would refuse the
    whole question for it; a question whose every answer says nothing ("D", "a") cannot be graded.
    """
    kept, refused = [], []
    for answer in dict.fromkeys(a for a in answers if a):
        why = catch_all_reason(answer)
        if why:
            refused.append(f"'{answer}' {why}")
        else:
            kept.append(answer)
    if not kept:
        reason = "; ".join(refused) or "no answer given"
        parsed.skipped.append(Skipped(line, "free_text", f"no answer the free-text grader can use: {reason}"))
        return None
    if refused:
        parsed.skipped.append(Skipped(line, "answer", "the question is kept without the answer(s) " + "; ".join(refused)))
    return kept


def difficulty_of(text: str, line: int | None, name: str = "difficulty") -> int:
    """1, 2 or 3 from a digit or easy/medium/hard; a blank field is the schema's default, 1."""
    value = text.strip().lower()
    levels = {"": 1, "1": 1, "2": 2, "3": 3, "easy": 1, "medium": 2, "hard": 3}
    if value not in levels:
        raise FormatRefused(f"'{text}' is not a difficulty: write 1, 2, 3, easy, medium or hard", line, name)
    return levels[value]


def csv_records(body: str, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on; a quoted field may hold the delimiter or line breaks."""
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    start = first_line
    try:
        for row in reader:
            yield start, row
            start = first_line + reader.line_num
    except csv.Error as exc:
        raise FormatRefused(f"broken quoting in the record that starts here: {exc}", start, "record") from exc


def format_importer(name: str, label: str, suffixes: tuple[str, ...], parse: Callable[[str], Parsed]) -> Importer:
    """An `Importer` from a parser: the file read within the limits, refusals named by file, line and field."""
    def read(path: Path, options: ImportOptions) -> ImportRead:
        try:
            parsed = parse(read_import_text(path))
        except FormatRefused as refused:
            raise ImportRefused(ContentProblem(str(path), refused.field, refused.message, refused.line)) from None
        return build_lesson(path, parsed.questions, parsed.skipped, options, label,
                            categories=parsed.categories, source_note=parsed.source_note)
    return Importer(name, label, suffixes, read)

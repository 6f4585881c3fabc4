"""What the Anki, Open Trivia DB, Red trivia and CSV parsers hand on: question drafts, skips and refusals.

Each parser is a pure function from text to a `Parsed`: plain question data in our lesson schema's
shape (checked later by `validate_lesson`), the questions it cannot represent with their line, and
notes about what it dropped on purpose. Input it will not read at all raises `FormatRefused`, which
names the line and field so the import stops before anything is written.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.limits import MAX_LESSON_BYTES
from bot.domain.grading.answer_text import catch_all_reason

MAX_FIELD_CHARS = 4000  # a prompt, answer or explanation longer than a chat message is not a quiz question
MAX_TAG_CHARS = 64  # the schema's slug length


class FormatRefused(Exception):
    """The input is not something the format's importer will read; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None, field: str = ""):
        super().__init__(message)
        self.message, self.line, self.field = message, line, field


@dataclass(frozen=True)
class Skip:
    """A question the lesson schema cannot represent, left out on purpose and reported with its line."""

    line: int | None
    kind: str
    reason: str


@dataclass(frozen=True)
class Draft:
    """One question as plain lesson data (id, kind, prompt, ...), with the line it was read from."""

    line: int | None
    data: dict


@dataclass
class Parsed:
    drafts: list[Draft] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was read but dropped on purpose (settings, aliases)
    title: str | None = None  # a title the file itself suggests (a deck or category name)
    source_note: str | None = None  # who wrote the questions, when the file says

    def add(self, draft: Draft) -> None:
        """Keep a draft, refusing a second question with the same id (and so the same source id or text)."""
        for earlier in self.drafts:
            if earlier.data["id"] == draft.data["id"]:
                raise FormatRefused(f"question id '{draft.data['id']}' is used twice (first at line {earlier.line}); "
                                    "each question needs its own id and text", draft.line, "id")
        self.drafts.append(draft)


def read_import_text(path: Path) -> str:
    """The file's text: at most the lesson size limit, UTF-8 (a UTF-8 byte-order mark is dropped)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            data = fh.read(MAX_LESSON_BYTES + 1)  # bounded even if the file grew since stat
    except OSError as exc:
        raise FormatRefused(f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > MAX_LESSON_BYTES:
        raise FormatRefused(f"the file ({max(size, len(data)):,} bytes) is larger than the {MAX_LESSON_BYTES // 1024} KiB "
                            "one import may be; split it")
    return decode_import_bytes(data)


def decode_import_bytes(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FormatRefused("the file is UTF-16 text; save it as UTF-8", 1)
    if b"\x00" in data:
        raise FormatRefused("the file holds NUL bytes (binary data or UTF-16 without a byte-order mark); "
                            "save it as UTF-8 text", data.count(b"\n", 0, data.index(b"\x00")) + 1)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FormatRefused(f"the file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
                            data.count(b"\n", 0, exc.start) + 1) from exc


def checked_text(value: str, line: int | None, name: str) -> str:
    """A field's text, trimmed, refused when it is longer than any question field should be."""
    if len(value) > MAX_FIELD_CHARS:
        raise FormatRefused(f"{len(value):,} characters, more than the {MAX_FIELD_CHARS:,} a question field may hold",
                            line, name)
    return value.strip()


def stable_id(prefix: str, source_key: str) -> str:
    """A question id that stays the same when the same file is imported again: a hash, never a counter."""
    digest = hashlib.sha256(" ".join(source_key.split()).casefold().encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


def slug(text: str, limit: int = MAX_TAG_CHARS) -> str:
    """Text as a schema slug: ASCII lower case, other runs of characters become one '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]+", "-", ascii_text.lower()).strip("-_")[:limit].strip("-_")


def tags_of(words: list[str]) -> list[str]:
    """Tags as slugs, in first-seen order, without the empty and repeated ones."""
    out: list[str] = []
    for word in words:
        tag = slug(word)
        if tag and tag not in out:
            out.append(tag)
    return out


def accepted_answers(answers: list[str], line: int | None, parsed: Parsed) -> list[str] | None:
    """The answers the free-text schema takes; None (and a skip) when it refuses every one of them.

    An alias such as "He" beside "Helium" is dropped with a note, since the schema would refuse the
    whole question for it; a question whose every answer says nothing ("D", "1") cannot be graded.
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
        parsed.skipped.append(Skip(line, "free_text", f"no answer the free-text grader can use: {reason}"))
        return None
    if refused:
        parsed.notes.append(f"line {line}: dropped the answer(s) " + "; ".join(refused))
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
        raise FormatRefused(f"broken quoting: {exc}", first_line + reader.line_num - 1, "record") from exc

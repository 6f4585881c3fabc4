"""Anki's "Notes in Plain Text" files: read them as free-text questions, write a lesson as one.

A file starts with optional `#key:value` headers (Anki's manual, "Text Files" > "File Headers"):
`#separator:` (Tab, Comma, Semicolon, Pipe, Space, Colon, or the character itself), `#html:true|false`,
`#columns:`, `#tags:`, `#deck:`, `#notetype:` and the 1-based `#tags column:`, `#deck column:`,
`#notetype column:` and `#guid column:`. Records follow, one a line unless a field is quoted
("..." with "" for a quote), which is how a field holds the separator or a line break.
The front becomes the prompt and the back the accepted answer; cloze notes have no front and
back to grade against, so they are skipped with their line.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.formats.base import Exporter, Skipped
from bot.content.formats.build import ImportedQuestion, question_id
from bot.content.formats.drafts import FormatRefused, Parsed, accepted_answers, csv_records, format_importer, tags_of
from bot.content.formats.text import html_to_text, tidy
from bot.content.schema import Lesson, Question
from bot.domain import kinds  # a module, not its names: bot.domain.kinds imports bot.content.schema

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":"}
COLUMN_HEADERS = ("tags column", "deck column", "notetype column", "guid column")
KNOWN_HEADERS = ("separator", "html", "columns", "tags", "deck", "notetype", *COLUMN_HEADERS)
FRONT_NAMES = ("front", "question", "prompt", "text")
BACK_NAMES = ("back", "answer", "back extra", "extra")


@dataclass
class Headers:
    separator: str | None = None
    html: bool = False  # without the header, markup-looking text is kept as the text it is
    columns: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    deck: str | None = None
    notetype: str | None = None
    column: dict[str, int] = field(default_factory=dict)  # "tags column" -> 0-based index
    lines: int = 0  # how many lines the headers take


def read_headers(lines: list[str]) -> Headers:
    """The `#key:value` lines at the top of the file; an unknown key or a bad value is refused."""
    h = Headers()
    raw_columns: tuple[str, int] | None = None
    for number, line in enumerate(lines, 1):
        if not line.startswith("#") or ":" not in line:
            break
        key, _, value = line[1:].partition(":")
        key, value = key.strip().lower(), value.strip()
        if key not in KNOWN_HEADERS:
            break  # a comment line, which Anki also skips
        h.lines = number
        if key == "separator":
            h.separator = SEPARATORS.get(value.lower(), value if len(value) == 1 else "")
            if not h.separator:
                raise FormatRefused(f"'{value}' is not a separator: write Tab, Comma, Semicolon, Pipe, Space, Colon "
                                    "or the character itself", number, "#separator")
        elif key == "html":
            if value.lower() not in ("true", "false"):
                raise FormatRefused(f"'{value}' is neither true nor false", number, "#html")
            h.html = value.lower() == "true"
        elif key == "columns":
            raw_columns = (line.partition(":")[2].rstrip("\r\n"), number)
        elif key == "tags":
            h.tags = value.split()
        elif key in ("deck", "notetype"):
            setattr(h, key, value)
        else:
            if not value.isdigit() or int(value) < 1:
                raise FormatRefused(f"'{value}' is not a column number (1, 2, 3...)", number, f"#{key}")
            h.column[key] = int(value) - 1
    if raw_columns is not None:
        text, number = raw_columns
        h.columns = [c.strip().lower() for c in text.split(h.separator or _guess_separator(text))]
    return h


def _guess_separator(first_line: str) -> str:
    """Anki's rule without headers: the first line's tab, else semicolon, else comma."""
    return next((s for s in ("\t", ";") if s in first_line), ",")


def _front_back(h: Headers, width: int) -> tuple[int, int]:
    """Which columns hold the front and the back: by their `#columns:` names, else the first two left."""
    special = set(h.column.values())
    named = dict((name, i) for i, name in enumerate(h.columns))
    front = next((named[n] for n in FRONT_NAMES if n in named), None)
    back = next((named[n] for n in BACK_NAMES if n in named and named[n] != front), None)
    free = [i for i in range(max(width, len(h.columns))) if i not in special and i not in (front, back)]
    front = front if front is not None else (free.pop(0) if free else None)
    back = back if back is not None else (free.pop(0) if free else None)
    if front is None or back is None:
        raise FormatRefused("a note needs a front and a back column", h.lines + 1, "#columns")
    return front, back


def parse_anki_text(text: str) -> Parsed:
    """Free-text question drafts from an Anki text export (see the module doc for what is read)."""
    lines = text.splitlines(keepends=True)
    h = read_headers(lines)
    body_lines = lines[h.lines:]
    separator = h.separator or _guess_separator(next((ln for ln in body_lines if not ln.startswith("#")), ""))
    parsed = Parsed(categories=[h.deck] if h.deck else [])
    positions: tuple[int, int] | None = None
    for line, row in csv_records("".join(body_lines), separator, h.lines + 1):
        if not row or (len(row) == 1 and not row[0].strip()) or row[0].startswith("#"):
            continue  # blank lines and comments
        positions = positions or _front_back(h, len(row))
        _read_note(row, line, h, positions, parsed)
    if not parsed.questions and not parsed.skipped:
        raise FormatRefused("no notes found", h.lines + 1)
    return parsed


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def _read_note(row: list[str], line: int, h: Headers, positions: tuple[int, int], parsed: Parsed) -> None:
    notetype = _cell(row, h.column.get("notetype column")) or h.notetype or ""
    front_raw, back_raw = (_cell(row, i) for i in positions)
    if "cloze" in notetype.lower() or "{{c" in front_raw:
        parsed.skipped.append(Skipped(line, "cloze", "a cloze note has no front and back to grade against"))
        return
    front, back = (html_to_text(v) if h.html else tidy(v) for v in (front_raw, back_raw))
    if not front:
        parsed.skipped.append(Skipped(line, "empty", "the front is empty"))
        return
    accepted = accepted_answers([back], line, parsed)
    if accepted is None:
        return
    deck = _cell(row, h.column.get("deck column")).strip()
    if deck and deck not in parsed.categories:
        parsed.categories.append(deck)  # the lesson's tags, and its title when there is one deck
    guid = _cell(row, h.column.get("guid column")).strip()
    tags = h.tags + _cell(row, h.column.get("tags column")).split()
    parsed.add(ImportedQuestion(line, {"id": question_id(guid or None, front), "kind": "free_text", "prompt": front,
                                       "accepted": accepted, "tags": tags_of(tags)}, answer=accepted[0]))


def anki_fields(q: Question) -> tuple[str, str]:
    """A question as an Anki front and back: any choices go on the front, the key and why on the back."""
    kind = kinds.kind_of(q)
    choices = kind.choices(q)
    front = q.prompt + ("\n\n" + "\n".join(f"{c.label}) {c.text}" for c in choices) if choices else "")
    return front, f"{kind.right_answer(q)}\n\n{q.explanation}"


def write_anki_text(lesson: Lesson) -> str:
    """The lesson as an Anki text file whose headers tell Anki how to read it (tabs, no HTML, guids)."""
    out = io.StringIO(newline="")
    out.write(f"#separator:tab\n#html:false\n#notetype:Basic\n#deck:{' '.join(lesson.title.split())}\n"
              "#columns:guid\tfront\tback\ttags\n#guid column:1\n#tags column:4\n")
    writer = csv.writer(out, delimiter="\t", quotechar='"', lineterminator="\n")
    for q in lesson.questions:
        writer.writerow([q.id, *anki_fields(q), " ".join([*lesson.tags, *q.tags])])
    return out.getvalue()


ANKI_TEXT = format_importer("anki", "Anki text export", (".txt", ".csv", ".tsv"), parse_anki_text)


def _export(lesson: Lesson, path: Path) -> list[Skipped]:
    path.write_text(write_anki_text(lesson), encoding="utf-8", newline="")
    return []  # every question has a front and a back


ANKI_TEXT_EXPORTER = Exporter("anki-text", "Anki text file (Notes in Plain Text)", ".txt", _export)

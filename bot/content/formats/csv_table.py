"""Questions as a spreadsheet: a CSV file with a header row, read and written.

Columns (any order, names case-insensitive): `prompt`; `answer` or `correct`; the choices either as
`choice_1` ... `choice_6` or as one `choices` column separated by `|`; and the optional `explanation`,
`difficulty` (1-3 or easy/medium/hard), `tags` (separated by `|`, commas or spaces) and `id`.
A row with choices is a single-choice question whose answer names the right choice by its text, its
number (1-6) or its letter (A-F); a row without is a free-text question whose answers are separated
by `|`. A column we do not know is refused by name, so a typo never drops a field silently.
"""
from __future__ import annotations

import csv
import io
import re
import string
from pathlib import Path

from bot.content.formats.base import Exporter, Skipped
from bot.content.formats.build import ImportedQuestion, question_id
from bot.content.formats.drafts import FormatRefused, Parsed, accepted_answers, csv_records, difficulty_of, format_importer, tags_of
from bot.content.formats.text import tidy
from bot.content.schema import FreeTextQuestion, Lesson, Question, SingleChoiceQuestion

MAX_CHOICES = 6
CHOICE_COLUMNS = tuple(f"choice_{n}" for n in range(1, MAX_CHOICES + 1))
COLUMNS = ("id", "prompt", "answer", "correct", "choices", *CHOICE_COLUMNS, "explanation", "difficulty", "tags")
EXPORT_COLUMNS = ("id", "prompt", "answer", *CHOICE_COLUMNS, "explanation", "difficulty", "tags")


def _header(row: list[str]) -> list[str]:
    columns = [c.strip().lower() for c in row]
    for c in columns:
        if c not in COLUMNS:
            raise FormatRefused(f"unknown column '{c}'; the columns are: {', '.join(COLUMNS)}", 1, c or "(blank)")
        if columns.count(c) > 1:
            raise FormatRefused(f"the column '{c}' appears twice", 1, c)
    if "prompt" not in columns:
        raise FormatRefused("the header has no 'prompt' column", 1, "prompt")
    if ("answer" in columns) == ("correct" in columns):
        raise FormatRefused("the header needs one 'answer' (or 'correct') column", 1, "answer")
    if "choices" in columns and any(c in columns for c in CHOICE_COLUMNS):
        raise FormatRefused("use either 'choices' or 'choice_1'...'choice_6', not both", 1, "choices")
    return columns


def parse_csv(text: str) -> Parsed:
    first = text.partition("\n")[0]
    delimiter = ";" if ";" in first and "," not in first else ","  # spreadsheets in some locales write ';'
    records = csv_records(text, delimiter, 1)
    try:
        _, head = next(records)
    except StopIteration:
        raise FormatRefused("the file is empty; it needs a header row such as prompt,answer", 1) from None
    columns = _header(head)
    parsed = Parsed()
    for line, row in records:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            raise FormatRefused(f"{len(row)} fields but the header names {len(columns)}", line, "record")
        cells = {c: tidy(v) for c, v in zip(columns, row, strict=False)}
        draft = _question(cells, line, parsed)
        if draft is not None:
            parsed.add(draft)
    if not parsed.questions and not parsed.skipped:
        raise FormatRefused("no questions below the header", 2)
    return parsed


def _question(cells: dict[str, str], line: int, parsed: Parsed) -> ImportedQuestion | None:
    prompt, answer_column = cells.get("prompt", ""), "answer" if "answer" in cells else "correct"
    answer = cells.get(answer_column, "")
    if not prompt:
        raise FormatRefused("the prompt is empty", line, "prompt")
    if not answer:
        raise FormatRefused("the answer is empty", line, answer_column)
    data: dict = {"id": question_id(cells.get("id"), prompt), "prompt": prompt,
                  "difficulty": difficulty_of(cells.get("difficulty", ""), line),
                  "tags": tags_of(re.split(r"[|,\s]+", cells.get("tags", "")))}
    choices = [c.strip() for c in cells.get("choices", "").split("|")] if "choices" in cells else \
        [cells.get(c, "") for c in CHOICE_COLUMNS]
    choices = [c for c in choices if c]
    if choices:
        key = _key_index(answer, choices, line, answer_column)
        letters = string.ascii_lowercase
        data |= {"kind": "single_choice", "choices": [{"id": letters[i], "text": text, "correct": i == key}
                                                      for i, text in enumerate(choices)]}
        return ImportedQuestion(line, data, answer=choices[key], feedback=cells.get("explanation"))
    accepted = accepted_answers([a.strip() for a in answer.split("|")], line, parsed)
    if accepted is None:
        return None
    return ImportedQuestion(line, data | {"kind": "free_text", "accepted": accepted}, answer=accepted[0],
                            feedback=cells.get("explanation"))


def _key_index(answer: str, choices: list[str], line: int, column: str) -> int:
    """The right choice, named by its text first, then by its number or letter."""
    if not 2 <= len(choices) <= MAX_CHOICES:
        raise FormatRefused(f"{len(choices)} choice(s); a question offers 2 to {MAX_CHOICES}", line, "choices")
    folded = [c.casefold() for c in choices]
    if answer.casefold() in folded:
        return folded.index(answer.casefold())
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return int(answer) - 1
    letter = answer.lower().rstrip(")")
    if len(letter) == 1 and letter in string.ascii_lowercase[:len(choices)]:
        return string.ascii_lowercase.index(letter)
    raise FormatRefused(f"'{answer}' is none of the {len(choices)} choices (give its text, number or letter)", line, column)


def _row(q: Question) -> dict[str, str] | Skipped:
    row = {"id": q.id, "prompt": q.prompt, "explanation": q.explanation, "difficulty": str(q.difficulty),
           "tags": "|".join(q.tags)}
    if isinstance(q, SingleChoiceQuestion):
        texts = [c.text for c in q.choices]
        key = next(i for i, c in enumerate(q.choices) if c.correct)
        unique = [t.casefold() for t in texts].count(texts[key].casefold()) == 1
        return row | dict(zip(CHOICE_COLUMNS, texts, strict=False)) | {"answer": texts[key] if unique else str(key + 1)}
    if not isinstance(q, FreeTextQuestion):
        return Skipped(None, q.kind, "a CSV row holds choices or typed answers, not numbers with a tolerance", q.id)
    if not q.accepted:
        return Skipped(None, "free_text", "graded by a rubric alone, which a CSV row cannot hold", q.id)
    if any("|" in a for a in q.accepted):
        return Skipped(None, "free_text", "an accepted answer contains '|', the answer separator", q.id)
    return row | {"answer": "|".join(q.accepted)}


def _lost(q: Question) -> Skipped | None:
    """What of a question its row leaves out (a rubric, a model answer, a source...): listed, never silent."""
    lost = sorted(name for name in q.model_fields_set - {"kind", *EXPORT_COLUMNS, "accepted", "choices"}
                  if getattr(q, name) != type(q).model_fields[name].get_default(call_default_factory=True))
    return Skipped(None, "fields", f"kept without {', '.join(lost)}: CSV has no column for them", q.id) if lost else None


def write_csv(lesson: Lesson) -> tuple[str, list[Skipped]]:
    """The lesson as CSV text, and what a row cannot hold: whole questions, or fields of kept ones."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    skipped = []
    for q in lesson.questions:
        row = _row(q)
        if isinstance(row, Skipped):
            skipped.append(row)
            continue
        writer.writerow(row)
        lost = _lost(q)
        if lost:
            skipped.append(lost)
    return out.getvalue(), skipped


def _export(lesson: Lesson, path: Path) -> list[Skipped]:
    text, skipped = write_csv(lesson)
    path.write_text(text, encoding="utf-8", newline="")
    return skipped


CSV_IMPORTER = format_importer("csv", "CSV with a header", (".csv",), parse_csv)
CSV_EXPORTER = Exporter("csv", "CSV with a header", ".csv", _export)

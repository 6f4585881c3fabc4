"""Exports to Anki (.apkg and text) and CSV: valid files, stable ids, and round trips that keep questions."""
from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from bot.content.formats import EXPORTERS
from bot.content.formats.anki_package import anki_id, note_guid
from bot.content.formats.pipeline import export_lesson
from bot.content.loader import load_catalog
from bot.content.schema import FreeTextQuestion, Lesson, SingleChoiceQuestion
from tests.formats_helpers import FIXTURES, plan


def _shipped_lesson() -> Lesson:
    return load_catalog().lessons[0]


def _notes(apkg: Path, tmp_path: Path) -> list[tuple[str, str, str]]:
    """(guid, fields, tags) of every note in the package's SQLite collection."""
    with zipfile.ZipFile(apkg) as z:
        assert z.testzip() is None
        assert "collection.anki2" in z.namelist()
        z.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        return db.execute("SELECT guid, flds, tags FROM notes ORDER BY id").fetchall()
    finally:
        db.close()


def test_apkg_is_a_zip_holding_a_collection_with_one_note_per_question(tmp_path: Path) -> None:
    lesson = _shipped_lesson()
    out = tmp_path / "lesson.apkg"
    assert export_lesson(EXPORTERS["anki"], lesson, out) == []
    notes = _notes(out, tmp_path / "x")
    assert len(notes) == len(lesson.questions)
    assert [guid for guid, _, _ in notes] == [note_guid(q.id) for q in lesson.questions]
    first = lesson.questions[0]
    assert isinstance(first, SingleChoiceQuestion)
    front, back = notes[0][1].split("\x1f")
    key = next(c for c in first.choices if c.correct)
    assert all(c.text.replace("'", "&#x27;") in front for c in first.choices)
    assert key.text.replace("'", "&#x27;") in back


def test_reexport_gives_the_same_guids_and_deck_ids(tmp_path: Path) -> None:
    lesson = _shipped_lesson()
    export_lesson(EXPORTERS["anki"], lesson, tmp_path / "a.apkg")
    export_lesson(EXPORTERS["anki"], lesson, tmp_path / "b.apkg")
    first, second = _notes(tmp_path / "a.apkg", tmp_path / "a"), _notes(tmp_path / "b.apkg", tmp_path / "b")
    assert [n[0] for n in first] == [n[0] for n in second]
    assert anki_id("deck", lesson.id) == anki_id("deck", lesson.id) != anki_id("deck", "another-lesson")
    assert 1 << 30 <= anki_id("model", lesson.id) < 1 << 31


def test_export_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "lesson.csv"
    out.write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        export_lesson(EXPORTERS["csv"], _shipped_lesson(), out)
    assert out.read_text(encoding="utf-8") == "mine"


def test_anki_text_export_has_headers_and_reimports_with_the_same_ids(tmp_path: Path) -> None:
    lesson = plan("csv", FIXTURES / "questions.csv").lesson
    out = tmp_path / "lesson.txt"
    export_lesson(EXPORTERS["anki-text"], lesson, out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("#separator:tab\n#html:false\n")
    again = plan("anki", out).lesson
    assert [q.id for q in again.questions] == [q.id for q in lesson.questions]
    first = lesson.questions[0]
    assert again.questions[0].prompt.startswith(first.prompt)


def test_csv_round_trip_keeps_every_question(tmp_path: Path) -> None:
    """CSV -> ours -> CSV -> ours: the same questions both times."""
    first = plan("csv", FIXTURES / "questions.csv").lesson
    out = tmp_path / "again.csv"
    assert export_lesson(EXPORTERS["csv"], first, out) == []
    second = plan("csv", out).lesson
    assert second.questions == first.questions


def test_csv_export_of_a_shipped_lesson_reads_back_the_same(tmp_path: Path) -> None:
    lesson = load_catalog().lessons[2]
    out = tmp_path / "lesson.csv"
    skipped = export_lesson(EXPORTERS["csv"], lesson, out)
    back = {q.id: q for q in plan("csv", out).lesson.questions}
    left_out = {s.question for s in skipped if s.kind != "fields"}
    kept = [q for q in lesson.questions if q.id not in left_out]
    assert len(back) == len(kept)
    for q in kept:
        got = back[q.id]
        assert (got.prompt, got.explanation, got.difficulty, got.tags) == (q.prompt, q.explanation, q.difficulty, q.tags)
        if isinstance(q, SingleChoiceQuestion):
            assert isinstance(got, SingleChoiceQuestion) and got.choices == q.choices
        else:
            assert isinstance(got, FreeTextQuestion) and isinstance(q, FreeTextQuestion) and got.accepted == q.accepted
    assert {s.kind for s in skipped} == {"fields"}  # rubrics, model answers and sources are listed as not kept
    assert any("rubric" in s.reason for s in skipped)

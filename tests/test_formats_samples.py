"""The sample files of each format import as the questions they hold, with skips listed by line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.formats.pipeline import ImportFailed
from bot.content.loader import load_catalog
from bot.content.schema import FreeTextQuestion, SingleChoiceQuestion
from tests.formats_helpers import FIXTURES, import_into, plan


def test_red_trivia_list_becomes_free_text_with_author_and_config_noted() -> None:
    p = plan("red", FIXTURES / "red_trivia.yaml")
    questions = p.lesson.questions
    assert all(isinstance(q, FreeTextQuestion) for q in questions)
    by_prompt = {q.prompt: q for q in questions}
    assert by_prompt["What does KL stand for in KL divergence?"].accepted == ["Kullback-Leibler", "Kullback Leibler"]
    assert by_prompt["How many parameters does a model with no weights have?"].accepted == ["0", "zero"]
    assert by_prompt["What chemical element has the symbol He?"].accepted == ["Helium"]  # 'He' refused, listed
    snippet = p.lesson.snippets[0].body
    assert "quizbot maintainers" in snippet and "delay, max_score" in snippet
    assert "1 question in it could not be represented" in snippet
    skipped = {s.line: s for s in p.skipped}
    assert skipped[19].kind == "free_text" and "'B' is a single letter" in skipped[19].reason
    assert skipped[21].kind == "answer" and "'He'" in skipped[21].reason


def test_anki_export_with_headers_reads_guid_tags_html_and_skips_cloze() -> None:
    p = plan("anki", FIXTURES / "anki_export.txt")
    first, second, third = p.lesson.questions
    assert first.prompt == "What is the teacher in distillation?"
    assert isinstance(first, FreeTextQuestion)
    assert first.accepted == ["The large model whose outputs the student learns from"]
    assert first.tags == ["distillation", "basics"]
    assert second.prompt == "What does a high temperature do\nto the softmax?"
    assert isinstance(second, FreeTextQuestion) and '"dark knowledge"' in second.accepted[0]
    assert third.prompt == 'What is "dark knowledge"?'  # entities decoded, the script's code dropped
    assert isinstance(third, FreeTextQuestion) and "& what they reveal" in third.accepted[0]
    assert [(s.line, s.kind) for s in p.skipped] == [(10, "cloze")]
    assert first.id == "e4xw2-v-ka"  # from the note's guid


def test_opentdb_plain_and_base64_give_the_same_questions() -> None:
    plain = plan("opentdb", FIXTURES / "opentdb.json").lesson
    b64 = plan("opentdb", FIXTURES / "opentdb_base64.json").lesson
    assert plain.questions == b64.questions
    cpu, tux, python = plain.questions
    assert isinstance(cpu, SingleChoiceQuestion) and isinstance(tux, SingleChoiceQuestion)
    assert cpu.prompt == 'What does "CPU" stand for?' and tux.prompt == "Linux's mascot is a penguin named Tux."
    assert [c.text for c in tux.choices] == ["True", "False"] and tux.choices[0].correct
    assert [q.difficulty for q in plain.questions] == [1, 2, 3]
    assert plain.tags == ["science-computers"] and plain.title == "Science: Computers"


def test_opentdb_key_is_not_always_first_and_the_order_is_stable() -> None:
    lesson = plan("opentdb", FIXTURES / "opentdb.json").lesson
    keys = [next(i for i, c in enumerate(q.choices) if c.correct) for q in lesson.questions
            if isinstance(q, SingleChoiceQuestion) and len(q.choices) == 4]
    assert keys != [0] * len(keys)
    again = plan("opentdb", FIXTURES / "opentdb.json").lesson
    assert again.questions == lesson.questions


def test_csv_reads_choices_by_text_and_number_and_free_text_answers() -> None:
    student, temperature, kl = plan("csv", FIXTURES / "questions.csv").lesson.questions
    assert isinstance(student, SingleChoiceQuestion) and [c.correct for c in student.choices] == [False, True, False, False]
    assert isinstance(kl, SingleChoiceQuestion) and next(c.text for c in kl.choices if c.correct) == "KL divergence"
    assert isinstance(temperature, FreeTextQuestion) and temperature.accepted == ["softens", "flattens"]
    assert (student.id, kl.id, student.difficulty, kl.difficulty) == ("csv-student", "csv-kl", 1, 3)
    assert student.tags == ["distillation", "basics"]
    assert student.explanation.startswith("The student is trained")


def test_ids_are_stable_across_reimports_and_written_files_load(tmp_path: Path) -> None:
    samples = [("red", "red_trivia.yaml"), ("anki", "anki_export.txt"), ("opentdb", "opentdb.json"),
               ("csv", "questions.csv")]
    for fmt, name in samples:
        first = [q.id for q in plan(fmt, FIXTURES / name).lesson.questions]
        assert first == [q.id for q in plan(fmt, FIXTURES / name).lesson.questions]
        import_into(fmt, FIXTURES / name, tmp_path / fmt)
        catalog = load_catalog([tmp_path / fmt])
        assert [q.id for lesson in catalog.lessons for q in lesson.questions] == first


def test_reimport_into_the_same_folder_is_refused_by_id(tmp_path: Path) -> None:
    """The same questions imported twice would collide; the second import names the id and writes nothing."""
    import_into("csv", FIXTURES / "questions.csv", tmp_path)
    copy = tmp_path.parent / "again.csv"
    shutil.copy(FIXTURES / "questions.csv", copy)
    before = sorted(tmp_path.iterdir())
    with pytest.raises(ImportFailed) as failed:
        import_into("csv", copy, tmp_path)
    assert "csv-student" in str(failed.value) and "already used" in str(failed.value)
    assert sorted(tmp_path.iterdir()) == before


@pytest.mark.parametrize(("header", "sep"), [("Comma", ","), ("Semicolon", ";"), ("Pipe", "|"), ("Space", " "),
                                              ("Tab", "\t"), ("Colon", ":"), ("~", "~")])
def test_anki_separator_header_and_named_columns(tmp_path: Path, header: str, sep: str) -> None:
    """`#columns:` names the front and back wherever they stand; quoted fields hold the separator."""
    source = tmp_path / "deck.txt"
    rows = [["Tags", "Back", "Front"], ["bio", '"The heart' + sep + ' a muscle"', '"Which organ pumps blood?"']]
    source.write_text(f"#separator:{header}\n#tags column:1\n#columns:{sep.join(rows[0])}\n{sep.join(rows[1])}\n",
                      encoding="utf-8")
    (q,) = plan("anki", source).lesson.questions
    assert isinstance(q, FreeTextQuestion)
    answer = " ".join(f"The heart{sep} a muscle".split())  # a tab inside a field reads as a space
    assert (q.prompt, q.accepted, q.tags) == ("Which organ pumps blood?", [answer], ["bio"])


def test_anki_without_headers_guesses_tabs_and_keeps_markup_as_text(tmp_path: Path) -> None:
    source = tmp_path / "deck.txt"
    source.write_text("What does <b> mean in HTML?\tBold text\n", encoding="utf-8")
    (q,) = plan("anki", source).lesson.questions
    assert q.prompt == "What does <b> mean in HTML?"  # no #html:true: the text is what it says

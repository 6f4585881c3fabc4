"""Moodle GIFT: every feature of a hand-written file, the skipped list, stable ids and the round trip."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.formats import EXPORTERS, IMPORTERS, ImportOptions
from bot.content.formats.gift_export import gift_text
from bot.content.formats.pipeline import ImportFailed, plan_import
from bot.content.schema import FreeTextQuestion, NumericQuestion, SingleChoiceQuestion

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "formats" / "sample.gift"
GIFT = IMPORTERS["gift"]


def imported(path: Path, **options):
    read = GIFT.read(path, ImportOptions(**options))
    assert not read.problems, read.problems
    return read.lessons[0].lesson, read.skipped


def by_id(lesson):
    return {q.id: q for q in lesson.questions}


def test_the_sample_uses_every_supported_feature():
    lesson, _ = imported(SAMPLE)
    q = by_id(lesson)
    assert lesson.tags == ["model-distillation", "numbers"]
    teacher = q["basics-teacher"]
    assert isinstance(teacher, SingleChoiceQuestion) and [c.correct for c in teacher.choices] == [True, False, False, False]
    assert teacher.explanation.startswith("The student is trained on the teacher's outputs")  # general feedback
    assert "Right: the teacher's outputs are the training signal." in teacher.explanation  # the key's feedback
    assert "Not “A smaller copy of its own weights”: No: nothing is copied" in teacher.explanation
    weighted = q["weighted-key"]
    assert [c.correct for c in weighted.choices] == [True, False, False, False]  # 100% key, penalties are wrong
    assert weighted.explanation.startswith("The answer is “The KL divergence")  # no feedback in the source
    assert [c.text for c in q["temperature-true"].choices] == ["True", "False"]
    assert q["temperature-true"].choices[0].correct and q["student-smaller"].choices[1].correct
    assert isinstance(q["dark-knowledge"], FreeTextQuestion)
    assert q["dark-knowledge"].accepted == ["dark knowledge", "the dark knowledge"]
    numbers = {qid: q[qid] for qid in ("compression-ratio", "pi-two-places", "layers-range", "multiple-numbers")}
    assert all(isinstance(n, NumericQuestion) for n in numbers.values())
    assert numbers["pi-two-places"].answers[0].bounds == pytest.approx((3.135, 3.145))
    assert numbers["layers-range"].answers[0].bounds == (4, 6)
    assert [a.value for a in numbers["multiple-numbers"].answers] == [2006, 2015]  # the 0% answer is not right
    assert numbers["compression-ratio"].tags == ["numbers"]  # the category in force
    escapes = q["escapes"]
    assert escapes.prompt == "In the expression a=b{c}, which character follows 'a'? (Hint: not ~ and not #)"
    assert [c.text for c in escapes.choices] == ["The equals sign = itself", "The tilde ~", "The hash #", "A colon :"]
    assert escapes.explanation.startswith("It is written \\= in GIFT")
    html = q["html-text"]
    assert html.prompt == "Which of these reduces inference cost the most for a narrow task?"  # tags and script gone
    assert html.choices[0].text == "A distilled student model" and html.explanation.startswith("Yes: a small")
    assert q["markdown-text"].prompt.startswith("Which *two-word* term")  # markdown is text, kept as written
    untitled = [qid for qid in q if qid.startswith("q-")]
    assert len(untitled) == 1 and q[untitled[0]].accepted == ["knowledge distillation", "model distillation"]


def test_kinds_we_cannot_represent_are_listed_with_their_line():
    _, skipped = imported(SAMPLE)
    lines = SAMPLE.read_text().splitlines()
    assert [s.kind for s in skipped] == ["description", "essay", "matching", "missing word", "partial credit",
                                         "multiple answers"]
    for s, title in zip(skipped, ["a-description", "an-essay", "a-matching", "a-missing-word", "partial-credit",
                                  "two-right"], strict=True):
        assert lines[s.line - 1].startswith(f"::{title}::")
    assert "worth 50%" in skipped[4].reason


def test_ids_are_stable_across_re_imports(tmp_path):
    first, _ = imported(SAMPLE)
    moved = tmp_path / "renamed.gift"
    text = SAMPLE.read_text()
    blocks = text.split("\n\n")
    # the same questions, reordered, re-wrapped and under another file name keep their ids
    moved.write_text("\n\n".join([blocks[0], *reversed(blocks[1:])]).replace(
        "Which phrase names training", "Which  phrase\nnames training"))
    again, _ = imported(moved)
    assert set(by_id(first)) == set(by_id(again))
    assert [c.id for c in by_id(first)["basics-teacher"].choices] == [c.id for c in by_id(again)["basics-teacher"].choices]
    assert imported(SAMPLE)[0] == first


def test_a_round_trip_keeps_every_supported_question(tmp_path):
    first, _ = imported(SAMPLE)
    out = tmp_path / "sample.gift"
    assert EXPORTERS["gift"].write(first, out) == []
    second, skipped = imported(out)
    assert skipped == []
    assert [q.model_dump() for q in second.questions] == [q.model_dump() for q in first.questions]


def test_text_that_looks_like_markup_survives_the_round_trip(tmp_path):
    source = tmp_path / "markup.gift"
    source.write_text("::lt::[plain]Is 3 < 4 & 5 > 2 in <b>plain</b> text?{TRUE####Both comparisons hold, "
                      "and the tags stay text here.}\n\n::fmt::[plain][html] starts this prompt: is it a format?"
                      "{FALSE####Only the first marker is a format; the second is part of the text.}\n")
    first, _ = imported(source)
    assert first.questions[0].prompt == "Is 3 < 4 & 5 > 2 in <b>plain</b> text?"
    assert first.questions[1].prompt.startswith("[html] starts")
    text, _ = gift_text(first)
    again = tmp_path / "again.gift"
    again.write_text(text)
    assert imported(again)[0].questions == first.questions


def test_a_rubric_question_cannot_be_written_and_is_listed(real_catalog):
    lesson = next(le for le in real_catalog.lessons if any(isinstance(q, FreeTextQuestion) and q.rubric
                                                           for q in le.questions))
    _, skipped = gift_text(lesson)
    rubric = [q.id for q in lesson.questions if isinstance(q, FreeTextQuestion) and q.rubric]
    assert [s.question for s in skipped] == rubric and all("rubric" in s.reason for s in skipped)


def test_the_sample_passes_the_lint_and_joins_the_shipped_content():
    plan = plan_import(GIFT, SAMPLE, ImportOptions(order=99), Path(__file__).resolve().parents[1] / "content")
    assert len(plan.lesson.questions) == 13 and len(plan.skipped) == 6
    assert all(f.severity == "warning" for f in plan.warnings)


def test_a_lint_error_refuses_the_import(tmp_path):
    short = tmp_path / "short.gift"
    short.write_text("::short::Which one?{=this one#Yes. ~that one}\n")
    with pytest.raises(ImportFailed) as failed:
        plan_import(GIFT, short, ImportOptions(), None)
    assert [getattr(p, "code", None) for p in failed.value.problems] == ["EXPLANATION-SHORT"]

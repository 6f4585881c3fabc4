"""The shipped content is valid, and broken lesson files are refused with a useful location.

Each file under tests/fixtures/broken/ holds one mistake; `str(problem)` must read
``path: line N: location: message`` with the line of the mistake.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from pydantic import ValidationError

from bot.content import ContentError, load_catalog, validate_paths
from bot.content.schema import SNIPPET_BODY_MAX, FreeTextQuestion, RubricCriterion, SingleChoiceQuestion

BROKEN = FIXTURES / "broken"


# --- the shipped course ----------------------------------------------------------------------------

def test_shipped_content_is_valid():
    catalog, problems = validate_paths([ROOT / "content"])
    assert [str(p) for p in problems] == []
    assert catalog is not None
    assert len(catalog.lessons) >= 7
    ids = [q.id for lesson in catalog.lessons for q in lesson.questions]
    assert len(ids) >= 60
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert len(catalog.questions) == len(ids)
    lesson_ids = [lesson.id for lesson in catalog.lessons]
    assert len(set(lesson_ids)) == len(lesson_ids)
    for q in catalog.questions.values():
        assert q.explanation.strip(), q.id
        assert q.prompt.strip(), q.id
        if isinstance(q, SingleChoiceQuestion):
            assert sum(c.correct for c in q.choices) == 1, q.id
        else:
            assert isinstance(q, FreeTextQuestion) and (q.accepted or q.rubric), q.id
    for lesson in catalog.lessons:
        assert all(len(s.body) <= SNIPPET_BODY_MAX for s in lesson.snippets), lesson.id


def test_the_mini_fixture_is_valid():
    catalog, problems = validate_paths([FIXTURES / "content"])
    assert problems == [] and catalog is not None
    assert list(catalog.questions) == ["mini-capital", "mini-loss", "mini-hard"]


# --- broken files ------------------------------------------------------------------------------------

CASES = [
    # (file or folder, reported file, expected line, expected "location: message" substring)
    ("missing_explanation.yml", None, 9, "questions[0].explanation: required key is missing"),
    ("unknown_top_level_key.yml", None, 2, "titel: unknown key (not part of the lesson format)"),
    ("zero_correct.yml", None, 9, "questions[0]: exactly one choice must be correct, found 0"),
    ("two_correct.yml", None, 14, "questions[1]: exactly one choice must be correct, found 2"),
    ("duplicate_choice_ids.yml", None, 9, "questions[0]: choice ids must be unique, repeated: a"),
    ("long_snippet.yml", None, 9, f"snippets[1].body: String should have at most {SNIPPET_BODY_MAX} characters"),
    ("bad_yaml_tab.yml", None, 7, "invalid YAML: found character '\\t' that cannot start any token"),
    # PyYAML notices the unclosed '[' of line 13 on line 14, where the next item starts.
    ("bad_yaml_bracket.yml", None, 14, "invalid YAML: expected ',' or ']'"),
    ("free_text_ungradable.yml", None, 9, "questions[0]: free_text needs 'accepted' answers and/or a 'rubric'"),
    ("free_text_catch_all_alias.yml", None, 9,
     "questions[0]: question 'q-temperature': accepted answer 'T' is a single letter"),
    ("wrong_kind.yml", None, 9, "questions[0]: Input tag 'multiple_choice' found using 'kind' does not match"),
    ("bad_question_id.yml", None, 9, "questions[0].id: String should match pattern"),
    # Errors inside a question point at the offending key, not at the question's first line
    # (the loader must step over pydantic's discriminator tag 'single_choice' / 'free_text').
    ("unknown_key.yml", None, 12, "questions[0].explanaton: unknown key (not part of the lesson format)"),
    ("one_choice.yml", None, 14, "questions[0].choices: List should have at least 2 items after validation, not 1"),
    ("bad_choice_id.yml", None, 16, "questions[0].choices[1].id: String should match pattern"),
    # A lint waiver needs a reason: the next reviewer must see why the check does not apply.
    ("waiver_without_reason.yml", None, 16, "questions[0].lint_waivers[1].reason: String should have at least 1 character"),
    ("empty.yml", None, 1, "a lesson file must be a mapping with id, title"),
    ("top_level_list.yml", None, 1, "a lesson file must be a mapping with id, title"),
    ("dup_question", "dup_question/b.yml", 14,
     "questions[1].id: question id 'q-shared' is already used in " + str(BROKEN / "dup_question" / "a.yml")),
    ("dup_lesson", "dup_lesson/b.yml", 2,
     "id: lesson id 'same-lesson' is already used in " + str(BROKEN / "dup_lesson" / "a.yml")),
    # A retired question id never comes back, and the retired-id list itself is checked.
    ("retired_reused", "retired_reused/lesson.yml", 14,
     "questions[1].id: question id 'q-old' was retired in " + str(BROKEN / "retired_reused" / "retired.yml")),
    ("retired_no_reason", "retired_no_reason/retired.yml", 2, "[1].reason: Field required"),
]

def check_problem(name: str, reported: str | None, line: int, expected: str) -> None:
    target = BROKEN / name
    assert target.exists(), target
    catalog, problems = validate_paths([target])
    assert catalog is None
    shown = [str(p) for p in problems]
    assert len(problems) == 1, shown
    path = BROKEN / (reported or name)
    assert shown[0].startswith(f"{path}: line {line}: "), shown[0]
    assert expected in shown[0], shown[0]
    assert problems[0].line == line
    with pytest.raises(ContentError) as err:
        load_catalog([target])
    assert str(err.value) == shown[0]


@pytest.mark.parametrize("name, reported, line, expected", CASES, ids=[c[0] for c in CASES])
def test_broken_file_is_refused(name, reported, line, expected):
    check_problem(name, reported, line, expected)


def test_every_broken_fixture_is_covered():
    covered = {c[0] for c in CASES}
    assert {p.name for p in BROKEN.iterdir()} == covered


def test_the_whole_broken_folder_reports_every_problem_at_once():
    catalog, problems = validate_paths([BROKEN])
    assert catalog is None
    files = {Path(p.path).relative_to(BROKEN).as_posix() for p in problems}
    expected = {(reported or name) for name, reported, *_ in CASES}
    assert files == expected


def test_a_retired_id_list_is_not_read_as_a_lesson(tmp_path):
    lesson = (BROKEN / "retired_reused" / "lesson.yml").read_text(encoding="utf-8")
    (tmp_path / "lesson.yml").write_text(lesson.replace("id: q-old", "id: q-new"), encoding="utf-8")
    (tmp_path / "retired.yml").write_text((BROKEN / "retired_reused" / "retired.yml").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    catalog, problems = validate_paths([tmp_path])
    assert problems == [] and catalog is not None
    assert [lesson.id for lesson in catalog.lessons] == ["reuses-retired"] and "q-old" not in catalog.questions
    (tmp_path / "retired.yml").write_text("id: q-old\n", encoding="utf-8")
    catalog, problems = validate_paths([tmp_path])
    assert catalog is None and [p.message for p in problems] == ["the retired-id list must be a YAML list of {id, reason}"]


def test_snippet_of_exactly_the_limit_is_fine(tmp_path):
    text = (BROKEN / "long_snippet.yml").read_text(encoding="utf-8")
    body = next(line for line in text.splitlines() if line.startswith("    body: word"))
    fixed = text.replace(body, "    body: " + "x" * SNIPPET_BODY_MAX)
    (tmp_path / "ok.yml").write_text(fixed, encoding="utf-8")
    catalog, problems = validate_paths([tmp_path / "ok.yml"])
    assert problems == [] and catalog is not None
    (tmp_path / "ok.yml").write_text(fixed.replace("x" * SNIPPET_BODY_MAX, "x" * (SNIPPET_BODY_MAX + 1)), encoding="utf-8")
    assert validate_paths([tmp_path / "ok.yml"])[0] is None


def test_missing_path_and_empty_folder_are_reported(tmp_path):
    catalog, problems = validate_paths([tmp_path / "nope"])
    assert catalog is None and "no such file or directory" in str(problems[0])
    catalog, problems = validate_paths([tmp_path])
    assert catalog is None and "no lesson files" in str(problems[0])


def test_source_and_lint_waivers_are_optional_question_fields(tmp_path):
    text = (BROKEN / "waiver_without_reason.yml").read_text(encoding="utf-8")
    (tmp_path / "ok.yml").write_text(text.replace('reason: "  "', "reason: both options are one word"), encoding="utf-8")
    catalog, problems = validate_paths([tmp_path / "ok.yml"])
    assert problems == [] and catalog is not None
    question = catalog.question("q-waiver-without-reason")
    assert question.source == "Hinton, Vinyals & Dean (2015), Distilling the Knowledge in a Neural Network"
    assert [(w.code, w.reason) for w in question.lint_waivers] == [
        ("KEY-LONGEST", "the key names the whole method"), ("KEY-LENGTH-RATIO", "both options are one word")]
    mini = load_catalog([FIXTURES / "content"]).question("mini-capital")
    assert mini.source is None and mini.lint_waivers == []


# --- free-text terms that would match anything --------------------------------------------------

def free_text(**fields) -> FreeTextQuestion:
    return FreeTextQuestion(id="q-x", prompt="Which?", explanation="That.", kind="free_text", **fields)


@pytest.mark.parametrize(("fields", "why"), [
    ({"accepted": ["temperature", "T"]}, "accepted answer 'T' is a single letter"),
    ({"accepted": ["x"]}, "accepted answer 'x' is a single letter"),
    ({"accepted": ["the"]}, "accepted answer 'the' is only common words"),
    ({"accepted": ["it is"]}, "accepted answer 'it is' is only common words"),
    ({"accepted": ["I don't know"]}, "accepted answer \"I don't know\" is a non-answer"),
    ({"accepted": ["pass"]}, "accepted answer 'pass' is a non-answer"),
    ({"accepted": ["?"]}, "accepted answer '?' has no letters or digits"),
    ({"rubric": [RubricCriterion(label="teacher", keywords=["teacher", "a"])]}, "rubric keyword 'a' is a single letter"),
    ({"rubric": [RubricCriterion(label="none", keywords=["no idea"])]}, "rubric keyword 'no idea' is a non-answer"),
])
def test_catch_all_terms_are_refused_naming_the_question(fields, why):
    with pytest.raises(ValidationError) as err:
        free_text(**fields)
    message = str(err.value)
    assert "question 'q-x'" in message and why in message, message


@pytest.mark.parametrize("accepted", [["3"], ["TA"], ["KL"], ["tau"], ["3 months"], ["no refusals"]])
def test_short_but_specific_terms_are_fine(accepted):
    assert free_text(accepted=accepted).accepted == accepted

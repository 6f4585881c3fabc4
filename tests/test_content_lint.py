"""`quizbot content lint`: each check fires on its bad fixture lesson, at the right line, and on nothing else.

tests/fixtures/lint/good.yml passes every check; each file under tests/fixtures/lint/bad/ holds one
item-writing mistake (a lesson-level one needs several questions, whose own findings are listed too).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from typer.testing import CliRunner

from adapters.cli import app
from bot.content.lint import RULES, lint_paths
from bot.content.lint.catalog_checks import KeyFigures, check_catalog_keys
from bot.content.lint.sources import citations_in

LINT = FIXTURES / "lint"
GOOD = LINT / "good.yml"
BAD = LINT / "bad"

# (fixture, every (line, code) it must report, in report order)
CASES = [
    ("key_longest", [(13, "KEY-LONGEST")]),
    ("key_length_ratio", [(13, "KEY-LENGTH-RATIO")]),
    ("all_none_of_above", [(16, "ALL-NONE-OF-ABOVE")]),
    ("absolute_words", [(14, "ABSOLUTE-WORDS")]),
    ("clang", [(13, "CLANG")]),
    ("duplicate_stem", [(19, "DUPLICATE-STEM")]),
    ("alias_weak", [(9, "CONTENT-INVALID")]),  # the schema refuses an alias or keyword that matches anything
    ("keyword_weak", [(9, "CONTENT-INVALID")]),
    ("keyword_common", [(15, "KEYWORD-COMMON")]),
    ("explanation_short", [(17, "EXPLANATION-SHORT")]),
    ("source_missing", [(17, "SOURCE-MISSING")]),
    ("source_suggested", [(9, "SOURCE-SUGGESTED")]),
    ("lesson_key_longest", [(9, "LESSON-KEY-LONGEST"), (13, "KEY-LONGEST"), (25, "KEY-LONGEST"), (49, "KEY-LONGEST")]),
    ("lesson_key_position", [(9, "LESSON-KEY-POSITION")]),
    ("waiver_invalid", [(21, "WAIVER-INVALID"), (22, "WAIVER-INVALID")]),
    ("waiver_unused", [(21, "WAIVER-UNUSED")]),
]


def test_the_good_lesson_has_no_findings():
    report = lint_paths([GOOD])
    assert [str(f) for f in report.findings] == []
    assert report.figures.single_choice == 4 and report.free_text == 1


@pytest.mark.parametrize("name, expected", CASES, ids=[c[0] for c in CASES])
def test_each_bad_lesson_reports_its_mistake(name, expected):
    path = BAD / f"{name}.yml"
    report = lint_paths([path])
    assert [(f.line, f.code) for f in report.findings] == expected, [str(f) for f in report.findings]
    first = report.findings[0]
    assert str(first) == f"{path}:{first.line}: {first.code} {first.severity}: {first.message} ({first.hint})"


def test_every_question_and_lesson_code_has_a_bad_fixture():
    covered = {code for _, expected in CASES for _, code in expected}
    file_codes = {code for code, rule in RULES.items() if rule.scope in ("question", "lesson")}
    assert file_codes - covered == set()
    assert {p.stem for p in BAD.iterdir()} == {name for name, _ in CASES}


def test_messages_say_what_was_found():
    def message(name: str) -> str:
        return lint_paths([BAD / f"{name}.yml"]).findings[0].message
    assert "accepted answer 'T' is a single letter" in message("alias_weak")
    assert message("source_missing") == "the explanation cites 'Hinton et al. (2015)' but the question has no source"
    assert "'DistilBERT'" in message("source_suggested")
    assert message("clang") == "the key repeats 'softmax' from the stem and no distractor does"
    assert message("lesson_key_position") == "A holds 4 of 4 keys (100%); at most 35% each"
    assert message("waiver_invalid") == "unknown lint code 'KEY-LONGST' (did you mean KEY-LONGEST?)"
    assert "not one question" in lint_paths([BAD / "waiver_invalid.yml"]).findings[1].message


def waived(tmp_path: Path, name: str, code: str, reason: str = "the planted mistake is deliberate here") -> Path:
    text = (BAD / f"{name}.yml").read_text(encoding="utf-8")
    path = tmp_path / f"{name}.yml"
    path.write_text(text + f"    lint_waivers:\n      - {{code: {code}, reason: {reason}}}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name, code", [("key_longest", "KEY-LONGEST"), ("key_length_ratio", "KEY-LENGTH-RATIO"),
                                        ("source_missing", "SOURCE-MISSING"), ("clang", "CLANG")])
def test_a_waiver_with_a_reason_silences_only_its_code(tmp_path, name, code):
    assert lint_paths([waived(tmp_path, name, code)]).findings == []
    other = "KEYWORD-COMMON" if code != "KEYWORD-COMMON" else "CLANG"
    codes = [f.code for f in lint_paths([waived(tmp_path, name, other)]).findings]
    assert codes == [code, "WAIVER-UNUSED"]


def test_a_duplicate_pair_is_waived_by_either_question(tmp_path):
    # The waiver is appended to the file's last question: the second of the pair.
    assert lint_paths([waived(tmp_path, "duplicate_stem", "DUPLICATE-STEM")]).findings == []


def test_a_waiver_without_a_reason_is_an_error():
    report = lint_paths([FIXTURES / "broken" / "waiver_without_reason.yml"])
    assert [(f.line, f.code, f.severity) for f in report.findings] == [(16, "CONTENT-INVALID", "error")]
    assert "lint_waivers[1].reason" in report.findings[0].message


# --- catalog figures -----------------------------------------------------------------------------

def figures(single: int, longest: int, ratio: float, positions: dict[str, int]) -> KeyFigures:
    return KeyFigures(single_choice=single, key_longest=longest, mean_ratio=ratio, positions=positions)


def test_a_balanced_catalog_passes():
    assert check_catalog_keys(figures(40, 12, 1.15, {"A": 10, "B": 10, "C": 10, "D": 10}), "content") == []


def test_catalog_key_figures_past_their_limits_are_errors():
    found = check_catalog_keys(figures(40, 13, 1.16, {"A": 15, "B": 9, "C": 8, "D": 8}), "content")
    assert [(f.code, f.severity, f.line) for f in found] == [
        ("CATALOG-KEY-LONGEST", "error", None), ("CATALOG-KEY-POSITION", "error", None),
        ("CATALOG-KEY-RATIO", "error", None)]
    assert str(found[1]).startswith("content: CATALOG-KEY-POSITION error: A holds 15 of 40 keys (38%)")


def test_catalog_figures_of_a_handful_of_questions_are_not_judged():
    assert check_catalog_keys(figures(19, 19, 3.0, {"A": 19}), "content") == []


# --- the heuristics underneath --------------------------------------------------------------------

@pytest.mark.parametrize("text, cited", [
    ("As Hinton et al. (2015) showed, soft targets carry information.", ["Hinton et al. (2015)"]),
    ("Kim and Rush (2016) train on the teacher's beam output.", ["Kim and Rush (2016)"]),
    ("The original paper keeps 97% of the score.", ["original paper"]),
    ("In 2000 calls per day the bill is $20.", []),
    ("It works on paper but not in production, since 2000 requests overload it.", []),
    ("In 2019, budgets were smaller.", []),
])
def test_citations_are_papers_authors_and_years_not_any_number(text, cited):
    assert citations_in(text) == cited


# --- the command ------------------------------------------------------------------------------------

def test_cli_prints_findings_and_summary_and_exits_1_on_an_error():
    result = CliRunner().invoke(app, ["content", "lint", str(BAD / "alias_weak.yml")])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{BAD / 'alias_weak.yml'}:9: CONTENT-INVALID error:") and "'T'" in lines[0]
    assert lines[-1] == "1 error(s), 0 warning(s)"


def test_cli_exits_0_on_warnings_only():
    result = CliRunner().invoke(app, ["content", "lint", str(BAD / "clang.yml")])
    assert result.exit_code == 0, result.output
    assert "CLANG warning" in result.output


def test_cli_json_has_findings_and_the_catalog_figures():
    result = CliRunner().invoke(app, ["content", "lint", "--json", str(GOOD), str(BAD / "key_longest.yml")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [f["code"] for f in data["findings"]] == ["KEY-LONGEST"]
    assert set(data["findings"][0]) == {"code", "severity", "path", "line", "question", "message", "hint"}
    summary = data["summary"]
    assert (summary["lessons"], summary["single_choice"], summary["free_text"]) == (2, 5, 1)
    assert summary["key_longest"] == 1 and summary["key_longest_share"] == 0.2
    assert summary["key_positions"] == {"A": 2, "B": 1, "C": 1, "D": 1}
    assert 0.9 < summary["mean_key_distractor_ratio"] < 1.1
    assert summary["findings_by_code"] == {"KEY-LONGEST": 1}


def test_cli_lints_the_content_folder_by_default(tmp_path):
    (tmp_path / "good.yml").write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(app, ["content", "lint"], env={"QUIZBOT_CONTENT_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert "5 questions in 1 lesson(s): 4 single-choice, 1 free-text" in result.output


def test_cli_lists_the_codes():
    result = CliRunner().invoke(app, ["content", "lint", "--codes"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == list(RULES)

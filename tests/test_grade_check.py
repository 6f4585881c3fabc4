"""The grader against the labelled corpus in tests/grading_corpus, and `quizbot content grade-check`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from typer.testing import CliRunner

from adapters.cli import app as quizbot_app
from bot.content import load_catalog
from bot.content.grade_check import DEFAULT_CORPUS_DIR, MIN_RECALL, grade_check, load_corpus
from bot.content.schema import FreeTextQuestion

CORPUS = ROOT / "tests" / "grading_corpus"


@pytest.fixture(scope="module")
def shipped_report():
    catalog = load_catalog([ROOT / "content"])
    return catalog, grade_check(catalog, *load_corpus(CORPUS))


def test_the_shipped_grader_meets_its_targets_on_the_corpus(shipped_report):
    _, report = shipped_report
    offending = {s.question_id: (s.false_accepts, s.false_rejects) for s in report.scores if not s.passes}
    assert report.problems == [] and offending == {}, offending
    assert report.precision == 1.0
    assert all(s.recall >= MIN_RECALL for s in report.scores)


def test_the_corpus_covers_every_free_text_question_with_every_kind(shipped_report):
    catalog, report = shipped_report
    free_text = {q.id for q in catalog.questions.values() if isinstance(q, FreeTextQuestion)}
    assert report.uncovered == [] and {s.question_id for s in report.scores} == free_text
    assert sum(s.answers for s in report.scores) >= 400
    answers, _ = load_corpus(CORPUS)
    for question_id in free_text:
        kinds = {a.entry.kind for a in answers if a.question_id == question_id}
        assert kinds == {"paraphrase", "partial", "wrong", "non_answer", "adversarial"}, question_id
    assert DEFAULT_CORPUS_DIR == CORPUS


def write_corpus(folder: Path, entries: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "mini.yml").write_text(entries, encoding="utf-8")
    return folder


MINI_CORPUS = """\
mini-loss:
  - {answer: "KL divergence", correct: true, kind: paraphrase}
  - {answer: "relative entropy", correct: true, kind: paraphrase}
  - {answer: "the kl between them", correct: true, kind: paraphrase}
  - {answer: "information gain", correct: true, kind: paraphrase}
  - {answer: "cross entropy", correct: false, kind: wrong}
  - {answer: "not KL", correct: false, kind: adversarial}
  - {answer: "KL is the name", correct: false, kind: partial}
"""


def test_false_accepts_and_false_rejects_are_counted_and_named(tmp_path):
    catalog = load_catalog([FIXTURES / "content"])
    report = grade_check(catalog, *load_corpus(write_corpus(tmp_path / "corpus", MINI_CORPUS)))
    [score] = report.scores
    assert (score.answers, score.labelled_correct, score.accepted_correct) == (7, 4, 3)
    assert score.false_accepts == [("partial", "KL is the name")]  # labelled wrong on purpose: a false accept
    assert score.false_rejects == ["information gain"]
    assert (score.precision, score.recall, score.passes, report.passes) == (0.75, 0.75, False, False)
    text = "\n".join(report.lines())
    assert "FAIL mini-loss: 7 answers, precision 0.750, recall 0.750" in text
    assert "accepted but partial: 'KL is the name'" in text and "refused but right: 'information gain'" in text
    assert report.uncovered == []  # mini-loss is the fixture's only free-text question


def test_an_unknown_question_or_a_bad_entry_is_a_problem(tmp_path):
    catalog = load_catalog([FIXTURES / "content"])
    corpus = write_corpus(tmp_path / "corpus", """\
mini-loss:
  - {answer: "KL", correct: true, kind: paraphrase}
  - {answer: "idk", correct: true, kind: non_answer}
  - {answer: "KL", correct: false, kind: paraphrase}
  - {answer: "KL", correct: true, kind: guess}
mini-capital:
  - {answer: "2", correct: true, kind: paraphrase}
no-such-question:
  - {answer: "KL", correct: true, kind: paraphrase}
""")
    report = grade_check(catalog, *load_corpus(corpus))
    problems = [str(p) for p in report.problems]
    assert len(problems) == 5, problems
    assert any("mini-loss[1]" in p and "never right" in p for p in problems)
    assert any("mini-loss[2]" in p and "correct must be true" in p for p in problems)
    assert any("mini-loss[3]" in p and "kind" in p for p in problems)
    assert any("'mini-capital' is not a free-text question" in p for p in problems)
    assert any("'no-such-question' is not a question in the content" in p for p in problems)
    assert not report.passes and report.scores[0].passes  # the one good entry still grades


def test_a_missing_or_empty_corpus_is_a_problem(tmp_path):
    assert "no such corpus folder" in str(load_corpus(tmp_path / "nope")[1][0])
    assert "no corpus files" in str(load_corpus(tmp_path)[1][0])


runner = CliRunner()


def test_cli_passes_on_the_shipped_corpus_and_reports_json(real_catalog):
    free_text = [q for q in real_catalog.questions.values() if isinstance(q, FreeTextQuestion)]
    result = runner.invoke(quizbot_app, ["content", "grade-check", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["overall"]["precision"] == 1.0 and data["overall"]["passes"] is True
    assert data["overall"]["answers"] >= 400 and len(data["questions"]) == len(free_text) >= 20


def test_cli_exits_1_and_names_the_offending_answers(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", MINI_CORPUS)
    result = runner.invoke(quizbot_app, ["content", "grade-check", "--corpus", str(corpus), str(FIXTURES / "content")])
    assert result.exit_code == 1
    assert "refused but right: 'information gain'" in result.output
    assert result.output.strip().splitlines()[-1].startswith("FAIL: 7 answers over 1 questions, precision 0.750")
    unknown = write_corpus(tmp_path / "unknown", "nope:\n  - {answer: KL, correct: true, kind: paraphrase}\n")
    result = runner.invoke(quizbot_app, ["content", "grade-check", "--corpus", str(unknown), "--json",
                                         str(FIXTURES / "content")])
    assert result.exit_code == 1 and "'nope' is not a question in the content" in result.output

"""Measure the free-text grader against a labelled corpus of learners' answers.

The corpus is a folder of YAML files, one per lesson file (`<lesson-file-stem>.yml`), each mapping
a question id to a list of `{answer, correct, kind}`. For each question we count what the grader
accepts that a teacher would not (false accepts: precision) and what it refuses that a teacher
would accept (false rejects: recall). Pure: the caller loads the catalog; nothing here prints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import ValidationError, model_validator

from bot.content.loader import Catalog
from bot.content.schema import FreeTextQuestion, Strict
from bot.content.sources import ContentProblem
from bot.domain.kinds.free_text import grade_free_text

DEFAULT_CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "grading_corpus"
MIN_RECALL = 0.9  # a genuine right answer may be refused at most one time in ten


class CorpusEntry(Strict):
    answer: str
    correct: bool
    kind: Literal["paraphrase", "partial", "wrong", "non_answer", "adversarial"]

    @model_validator(mode="after")
    def _label_fits_kind(self) -> CorpusEntry:
        if self.kind == "paraphrase" and not self.correct:
            raise ValueError("a paraphrase is a right answer: correct must be true")
        if self.kind in ("wrong", "non_answer") and self.correct:
            raise ValueError(f"a {self.kind} answer is never right: correct must be false")
        return self


@dataclass(frozen=True)
class LabelledAnswer:
    question_id: str
    entry: CorpusEntry
    path: str


@dataclass
class QuestionScore:
    question_id: str
    answers: int = 0
    labelled_correct: int = 0
    accepted_correct: int = 0
    false_accepts: list[tuple[str, str]] = field(default_factory=list)  # (kind, answer)
    false_rejects: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        accepted = self.accepted_correct + len(self.false_accepts)
        return self.accepted_correct / accepted if accepted else 1.0

    @property
    def recall(self) -> float | None:
        return self.accepted_correct / self.labelled_correct if self.labelled_correct else None

    @property
    def passes(self) -> bool:
        return not self.false_accepts and (self.recall is None or self.recall >= MIN_RECALL)

    def as_dict(self) -> dict:
        return {
            "question_id": self.question_id, "answers": self.answers, "labelled_correct": self.labelled_correct,
            "precision": round(self.precision, 4),
            "recall": None if self.recall is None else round(self.recall, 4),
            "false_accepts": [{"kind": kind, "answer": answer} for kind, answer in self.false_accepts],
            "false_rejects": list(self.false_rejects), "passes": self.passes,
        }


@dataclass
class GradeCheckReport:
    scores: list[QuestionScore]
    problems: list[ContentProblem]
    uncovered: list[str]  # free-text questions in the catalog with no labelled answers

    def _total(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.scores)

    @property
    def precision(self) -> float:
        accepted = self._total("accepted_correct") + sum(len(s.false_accepts) for s in self.scores)
        return self._total("accepted_correct") / accepted if accepted else 1.0

    @property
    def recall(self) -> float | None:
        labelled = self._total("labelled_correct")
        return self._total("accepted_correct") / labelled if labelled else None

    @property
    def passes(self) -> bool:
        return not self.problems and all(s.passes for s in self.scores)

    def as_dict(self) -> dict:
        return {
            "questions": [s.as_dict() for s in self.scores],
            "overall": {"answers": self._total("answers"), "precision": round(self.precision, 4),
                        "recall": None if self.recall is None else round(self.recall, 4),
                        "min_recall": MIN_RECALL, "passes": self.passes},
            "problems": [str(p) for p in self.problems],
            "uncovered": list(self.uncovered),
        }

    def lines(self) -> list[str]:
        """The report as text: one line per question, its offending answers, then the overall line."""
        out = [str(p) for p in self.problems]
        for s in self.scores:
            recall = "-" if s.recall is None else f"{s.recall:.3f}"
            mark = "ok  " if s.passes else "FAIL"
            out.append(f"{mark} {s.question_id}: {s.answers} answers, precision {s.precision:.3f}, recall {recall}"
                       f" ({len(s.false_accepts)} false accepts, {len(s.false_rejects)} false rejects)")
            out += [f"       accepted but {kind}: {answer!r}" for kind, answer in s.false_accepts]
            out += [f"       refused but right: {answer!r}" for answer in s.false_rejects]
        if self.uncovered:
            out.append(f"note: no labelled answers for {', '.join(self.uncovered)}")
        recall = "-" if self.recall is None else f"{self.recall:.3f}"
        out.append(f"{'ok' if self.passes else 'FAIL'}: {self._total('answers')} answers over {len(self.scores)}"
                   f" questions, precision {self.precision:.3f}, recall {recall}"
                   f" (needed: no false accept, recall >= {MIN_RECALL} per question)")
        return out


def load_corpus(folder: Path) -> tuple[list[LabelledAnswer], list[ContentProblem]]:
    """Every labelled answer in the folder's *.yml files, and every problem found reading them."""
    if not folder.is_dir():
        return [], [ContentProblem(str(folder), "", "no such corpus folder")]
    answers: list[LabelledAnswer] = []
    problems: list[ContentProblem] = []
    files = sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml"))
    if not files:
        problems.append(ContentProblem(str(folder), "", "no corpus files (*.yml) found"))
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(ContentProblem(str(path), "", f"cannot read corpus file: {exc}"))
            continue
        if not isinstance(data, dict):
            problems.append(ContentProblem(str(path), "", "a corpus file maps question ids to lists of answers"))
            continue
        for question_id, entries in data.items():
            if not isinstance(entries, list):
                problems.append(ContentProblem(str(path), str(question_id), "expected a list of {answer, correct, kind}"))
                continue
            for i, raw in enumerate(entries):
                try:
                    answers.append(LabelledAnswer(str(question_id), CorpusEntry.model_validate(raw), str(path)))
                except ValidationError as exc:
                    why = "; ".join(": ".join([*map(str, e["loc"]), e["msg"].removeprefix("Value error, ")])
                                    for e in exc.errors())
                    problems.append(ContentProblem(str(path), f"{question_id}[{i}]", why))
    return answers, problems


def grade_check(catalog: Catalog, answers: list[LabelledAnswer],
                problems: list[ContentProblem] | None = None) -> GradeCheckReport:
    """Grade every labelled answer with its question and score the grader per question."""
    problems = list(problems or [])
    scores: dict[str, QuestionScore] = {}
    for labelled in answers:
        question = catalog.questions.get(labelled.question_id)
        if not isinstance(question, FreeTextQuestion):
            what = "is not a free-text question" if question else "is not a question in the content"
            problem = ContentProblem(labelled.path, labelled.question_id, f"'{labelled.question_id}' {what}")
            if problem not in problems:
                problems.append(problem)
            continue
        score = scores.setdefault(question.id, QuestionScore(question.id))
        entry = labelled.entry
        accepted = grade_free_text(question, entry.answer).correct
        score.answers += 1
        score.labelled_correct += entry.correct
        if accepted and entry.correct:
            score.accepted_correct += 1
        elif accepted:
            score.false_accepts.append((entry.kind, entry.answer))
        elif entry.correct:
            score.false_rejects.append(entry.answer)
    free_text = [q.id for q in catalog.questions.values() if isinstance(q, FreeTextQuestion)]
    ordered = [scores[qid] for qid in free_text if qid in scores]
    return GradeCheckReport(ordered, problems, [qid for qid in free_text if qid not in scores])

"""Run every lint check over lesson files, apply the questions' waivers and sum up the catalog."""
from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bot.content.lint.catalog_checks import KeyFigures, check_catalog_keys, check_lesson_keys, duplicate_stems, key_figures
from bot.content.lint.question_checks import QUESTION_CHECKS, QuestionAt
from bot.content.lint.rules import RULES, WAIVABLE, Finding
from bot.content.loader import read_sources
from bot.content.schema import FreeTextQuestion
from bot.content.sources import SourcedLesson, YamlSource


@dataclass(frozen=True)
class LintReport:
    findings: list[Finding]
    figures: KeyFigures
    lessons: int
    free_text: int
    total: int = 0  # questions of every kind

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def summary(self) -> dict:
        by_code = Counter(f.code for f in self.findings)
        return {"lessons": self.lessons, "questions": self.total,
                "free_text": self.free_text, **self.figures.as_dict(), "errors": self.errors,
                "warnings": self.warnings, "findings_by_code": dict(sorted(by_code.items()))}

    def as_dict(self) -> dict:
        return {"findings": [f.as_dict() for f in self.findings], "summary": self.summary()}

    def summary_lines(self) -> list[str]:
        s, fig = self.summary(), self.figures
        other = self.total - fig.single_choice - self.free_text
        lines = [f"{s['questions']} questions in {s['lessons']} lesson(s): {fig.single_choice} single-choice, "
                 f"{self.free_text} free-text" + (f", {other} of other kinds" if other else "")]
        if fig.single_choice:
            positions = ", ".join(f"{label} {n} ({n / fig.single_choice:.0%})" for label, n in fig.positions.items())
            lines += [f"key strictly the longest option: {fig.key_longest} of {fig.single_choice} "
                      f"({fig.key_longest_share:.0%}); mean key/distractor length ratio {fig.mean_ratio:.2f}",
                      f"key positions: {positions}"]
        if s["findings_by_code"]:
            lines.append("findings: " + ", ".join(f"{code} {n}" for code, n in s["findings_by_code"].items()))
        lines.append(f"{self.errors} error(s), {self.warnings} warning(s)")
        return lines


def lint_paths(paths: Iterable[Path]) -> LintReport:
    """Lint the lesson files under `paths` as one catalog; content that does not validate is only reported."""
    paths = list(paths)
    files, problems = read_sources([YamlSource(paths)])
    if problems:
        invalid = [Finding("CONTENT-INVALID", p.path, p.line, f"{p.location}: {p.message}" if p.location else p.message)
                   for p in problems]
        return LintReport(invalid, key_figures([]), lessons=0, free_text=0)
    return lint_lessons(files, ", ".join(map(str, paths)))


def lint_lessons(files: list[SourcedLesson], catalog_name: str) -> LintReport:
    """Lint valid lessons as one catalog, wherever they came from (files, or an import held in memory)."""
    findings: list[Finding] = []
    questions: list[QuestionAt] = []
    for f in files:
        located = [QuestionAt(q, f.origin, partial(f.line, "questions", i))
                   for i, q in enumerate(f.lesson.questions)]
        for at in located:
            for check in QUESTION_CHECKS:
                findings += check(at)
        findings += check_lesson_keys(located, f.origin, f.line("questions"))
        questions += located
    figures = key_figures(questions)
    findings += check_catalog_keys(figures, catalog_name)
    kept = apply_waivers(findings, duplicate_stems(questions), questions)
    kept.sort(key=lambda f: (RULES[f.code].scope == "catalog", f.path, f.line or 0, f.code))
    free_text = sum(isinstance(at.question, FreeTextQuestion) for at in questions)
    return LintReport(kept, figures, lessons=len(files), free_text=free_text, total=len(questions))


def apply_waivers(findings: list[Finding], duplicates: list[tuple[Finding, QuestionAt]],
                  questions: list[QuestionAt]) -> list[Finding]:
    """Drop what a question waives (a near-duplicate pair when either question does); check the waivers."""
    waived = {at.question.id: {w.code for w in at.question.lint_waivers} for at in questions}
    used: set[tuple[str, str]] = set()
    kept = []
    for finding in findings:
        if finding.question and finding.code in waived[finding.question]:
            used.add((finding.question, finding.code))
        else:
            kept.append(finding)
    for finding, earlier in duplicates:
        by = [q for q in (finding.question, earlier.question.id) if q is not None and finding.code in waived[q]]
        used.update((q, finding.code) for q in by)
        if not by:
            kept.append(finding)
    for at in questions:
        for k, waiver in enumerate(at.question.lint_waivers):
            problem = waiver_problem(waiver.code)
            if problem:
                kept.append(at.finding("WAIVER-INVALID", problem, "lint_waivers", k))
            elif (at.question.id, waiver.code) not in used:
                kept.append(at.finding("WAIVER-UNUSED", f"nothing to waive: {waiver.code} does not fire on this "
                                       "question", "lint_waivers", k))
    return kept


def waiver_problem(code: str) -> str | None:
    """Why `code` cannot be waived on a question, or None when it can."""
    if code in WAIVABLE:
        return None
    if code in RULES:
        return f"{code} is about a whole {RULES[code].scope}, not one question; it cannot be waived here"
    close = difflib.get_close_matches(code.upper(), sorted(WAIVABLE), n=1)
    return f"unknown lint code '{code}'" + (f" (did you mean {close[0]}?)" if close else "")

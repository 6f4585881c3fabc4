"""The lint's codes: each has one severity, a scope and a one-line fix hint, and never changes meaning.

Errors are what is always wrong (a cue that gives the key away whatever the subject, an alias that
matches anything, an uncited paper); warnings are judgement calls a reviewer may waive with a reason.
Only question-scoped codes can be waived, in the question's `lint_waivers`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Scope = Literal["question", "lesson", "catalog", "file"]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    scope: Scope
    hint: str


_RULES = [
    Rule("CONTENT-INVALID", "error", "file", "fix it so `quizbot content validate` passes"),
    Rule("KEY-LONGEST", "warning", "question",
         "trim the key or give a distractor the same detail, so length does not point at the answer"),
    Rule("KEY-LENGTH-RATIO", "warning", "question",
         "make the distractors as specific as the key, or the key as short as they are"),
    Rule("ALL-NONE-OF-ABOVE", "error", "question",
         "replace it with a misconception; 'of the above' options reward elimination, not knowledge"),
    Rule("ABSOLUTE-WORDS", "warning", "question",
         "use the same hedging in the key and the distractors (or none), so 'always/never' gives nothing away"),
    Rule("CLANG", "warning", "question",
         "reword the key or let a distractor share the stem's word, so echoing the stem is no cue"),
    Rule("DUPLICATE-STEM", "warning", "question",
         "ask a different thing, or retire one of the two questions"),
    Rule("KEYWORD-COMMON", "warning", "question",
         "use a phrase only a right answer contains (\"agreement rate\", not \"rate\")"),
    Rule("EXPLANATION-SHORT", "error", "question",
         "say why the key is right and why the tempting distractor is wrong"),
    Rule("SOURCE-MISSING", "error", "question",
         "add source: \"Authors (year), Title\" for the work the explanation names"),
    Rule("SOURCE-SUGGESTED", "warning", "question",
         "add source: \"Authors (year), Title\", or waive with why the fact is not a published result"),
    Rule("LESSON-KEY-LONGEST", "warning", "lesson",
         "rewrite the lesson's questions whose key is the longest option"),
    Rule("LESSON-KEY-POSITION", "warning", "lesson",
         "move some of the lesson's keys to the positions that hold few"),
    Rule("CATALOG-KEY-LONGEST", "error", "catalog",
         "rewrite questions whose key is the longest option until at most 30% remain"),
    Rule("CATALOG-KEY-RATIO", "error", "catalog",
         "bring keys and distractors to similar lengths across the catalog"),
    Rule("CATALOG-KEY-POSITION", "error", "catalog",
         "move keys to the positions that hold few, until none holds more than 35%"),
    Rule("WAIVER-INVALID", "error", "question",
         "use a question-level code listed by `quizbot content lint --codes`"),
    Rule("WAIVER-UNUSED", "warning", "question",
         "remove the waiver; the check it silences no longer fires"),
]
RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
WAIVABLE = frozenset(code for code, rule in RULES.items() if rule.scope == "question"
                     and code not in ("WAIVER-INVALID", "WAIVER-UNUSED"))


@dataclass(frozen=True)
class Finding:
    code: str
    path: str
    line: int | None
    message: str
    question: str | None = None  # the question id, for question-scoped findings

    def __post_init__(self) -> None:
        if self.code not in RULES:
            raise ValueError(f"unknown lint code {self.code}")

    @property
    def severity(self) -> Severity:
        return RULES[self.code].severity

    @property
    def hint(self) -> str:
        return RULES[self.code].hint

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.code} {self.severity}: {self.message} ({self.hint})"

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "path": self.path, "line": self.line,
                "question": self.question, "message": self.message, "hint": self.hint}

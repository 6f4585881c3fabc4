"""Question kinds, one module each, found by a question's `kind`: the core dispatches through
`kind_of` and never asks which kind a question is. A new kind is one module here (registered
below), its schema class in bot.content.schema, and its renderers in the front doors."""
from __future__ import annotations

from typing import Any

from bot.content.schema import Question
from bot.domain.grading.grades import Grade
from bot.domain.kinds import free_text, numeric, single_choice
from bot.domain.kinds.base import Kind

KINDS: dict[str, Kind[Any]] = {kind.name: kind for kind in (single_choice.KIND, free_text.KIND, numeric.KIND)}


def kind_of(question: Question) -> Kind[Any]:
    return KINDS[question.kind]


def grade(question: Question, answer: str) -> Grade:
    """Grade any question; for a single-choice question `answer` is the choice id."""
    return kind_of(question).grade(question, answer)

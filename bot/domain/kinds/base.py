"""What every question kind provides, so the core handles a question without asking which kind it is."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.domain.grading.grades import Grade

Q = TypeVar("Q")


@dataclass(frozen=True)
class Reading:
    """A learner's raw answer as read by its kind: the choice picked or the text kept, and its grade."""

    choice_id: str | None
    text: str | None
    grade: Grade


@dataclass(frozen=True)
class ShownChoice:
    """A choice as a card numbers it ("1", "2", ...), and whether it is the right one."""

    id: str
    label: str
    text: str
    correct: bool


@dataclass(frozen=True)
class Kind(Generic[Q]):
    name: str  # the `kind:` of a question in a lesson file
    schema: type[Q]
    read: Callable[[Q, str], Reading]  # BadInput when the text cannot be an answer to the question
    grade: Callable[[Q, str], Grade]  # the answer as stored: a choice id, or the typed text
    choices: Callable[[Q], tuple[ShownChoice, ...]]  # what a card offers to pick (none: typed)
    right_answer: Callable[[Q], str]  # the answer a verdict and a reveal show as right
    shown_answer: Callable[[Q, str | None, str | None], str]  # (choice id, text) as the learner gave it
    is_non_answer: Callable[[Q, bool, str | None], bool]  # (correct, text): an "I don't know"
    key_text: Callable[[Q], str]  # what the question holds up as right, in words (for content lint)


AnyKind = Kind[Any]


def given_answer(choice_id: str | None, text: str | None) -> str:
    """An answer shown as it was given, when the kind has nothing better to show."""
    return text or choice_id or ""

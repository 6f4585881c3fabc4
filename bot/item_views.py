"""What item analysis returns to the front doors: per question, its figures (bot.domain.item_stats),
flags with plain reasons, and whether the community retired it from its schedules. Doors render these."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from bot.domain.item_stats import ChoiceFigures, Flag, ItemFigures

__all__ = ["ChoiceFigures", "Flag", "ItemFigures", "ItemReport", "ItemAnalysis", "RetireChange", "ChoiceText"]


@dataclass(frozen=True)
class ChoiceText:
    label: str  # "1", "2", ... as a card shows it
    text: str


@dataclass(frozen=True)
class ItemReport:
    question_id: str
    lesson_id: str
    lesson_title: str
    prompt: str
    kind: str
    figures: ItemFigures
    choices: tuple[ChoiceText, ...]  # in the order of figures.choices
    flags: tuple[Flag, ...]
    retired: bool

    @property
    def to_review(self) -> bool:
        return bool(self.flags)

    def as_dict(self) -> dict:
        figures = asdict(self.figures)
        for shown, text in zip(figures["choices"], self.choices, strict=True):
            shown.update(label=text.label, text=text.text)
        return {"question": self.question_id, "lesson": self.lesson_id, "lesson_title": self.lesson_title,
                "prompt": self.prompt, "kind": self.kind, "retired": self.retired,
                "moodle_dubious": self.figures.moodle_dubious, **figures,
                "flags": [asdict(f) for f in self.flags]}


@dataclass(frozen=True)
class ItemAnalysis:
    """Questions that were answered (or are retired): flagged ones first, then by attempts."""

    community: str | None  # the community's name; None: every community
    items: tuple[ItemReport, ...]
    learners: int

    @property
    def to_review(self) -> tuple[ItemReport, ...]:
        return tuple(item for item in self.items if item.flags)

    def as_dict(self) -> dict:
        return {"community": self.community, "learners": self.learners, "items": [i.as_dict() for i in self.items]}


@dataclass(frozen=True)
class RetireChange:
    question_id: str
    retired: bool  # the state now
    changed: bool  # False: it already was so (a repeat)

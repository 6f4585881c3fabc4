"""The weekly recap's views: what the engine returns for a schedule's week and the doors render."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RecapDay:
    day: date
    answers: int
    correct: int

    @property
    def share_correct(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class RecapLearner:
    name: str  # a display name as typed: the doors escape it (never a mention)
    points: int
    answers: int
    correct: int


@dataclass(frozen=True)
class RecapQuestion:
    question_id: str
    prompt: str
    right_answer: str
    explanation: str
    answers: int
    correct: int


@dataclass(frozen=True)
class RecapImproved:
    name: str
    before: float  # share correct the week before
    after: float  # share correct this week


@dataclass(frozen=True)
class RecapChart:
    """The week's chart as a PNG, with alt text that says the same in words."""

    png: bytes
    width: int
    height: int
    alt_text: str
    filename: str = "weekly-recap.png"


@dataclass(frozen=True)
class RecapView:
    """A schedule's weekly recap: the week from `week_start` to `week_end` (quiz days, community zone)."""

    recap_id: int
    schedule_id: int
    platform: str
    community_id: str
    channel_id: str
    week_start: date
    week_end: date
    days: tuple[RecapDay, ...]  # every day of the week, answered or not
    top_learners: tuple[RecapLearner, ...]
    top_groups: tuple[RecapLearner, ...]  # name: the group's; answers and points of its members
    streaks: tuple[tuple[str, int], ...]
    hardest: RecapQuestion | None
    improved: RecapImproved | None
    chart: RecapChart | None = None

    @property
    def answers(self) -> int:
        return sum(d.answers for d in self.days)

    @property
    def correct(self) -> int:
        return sum(d.correct for d in self.days)

    @property
    def share_correct(self) -> float:
        return self.correct / self.answers if self.answers else 0.0

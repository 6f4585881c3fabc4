"""Platform-neutral results of engine calls. Front doors render these; they decide nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the front door saw it. `is_admin` is the platform's own verdict."""

    platform: str
    community_id: str
    user_id: str
    display_name: str
    is_admin: bool = False
    community_name: str = ""


@dataclass(frozen=True)
class LessonListing:
    number: int
    id: str
    title: str
    summary: str
    snippets: int
    questions: int
    answered: int

    @property
    def completed(self) -> bool:
        return self.answered >= self.questions


@dataclass(frozen=True)
class SnippetCard:
    lesson_id: str
    lesson_title: str
    index: int  # 0-based
    total: int
    title: str
    body: str

    @property
    def is_last(self) -> bool:
        return self.index + 1 >= self.total


@dataclass(frozen=True)
class ChoiceView:
    id: str
    label: str  # "1", "2", ... as shown to the learner
    text: str


@dataclass(frozen=True)
class QuestionCard:
    delivery_id: int
    question_id: str
    lesson_id: str
    lesson_title: str
    prompt: str
    kind: str  # single_choice | free_text
    choices: tuple[ChoiceView, ...]
    difficulty: int
    position: int = 0  # 1-based place in a lesson's check, 0 outside a lesson
    of: int = 0
    closes_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    status: str  # "new" (counted now) | "repeat" (already answered; nothing changed) | "closed"
    question_id: str
    correct: bool = False
    close: bool = False
    your_answer: str = ""
    right_answer: str = ""
    explanation: str = ""
    points: int = 0
    total_points: int = 0
    streak: int = 0
    best_streak: int = 0
    freezes: int = 0
    matched: tuple[str, ...] = ()


@dataclass(frozen=True)
class StreakView:
    current: int
    best: int
    freezes: int
    answered_today: bool
    points: int
    answers: int
    correct: int
    today: date


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    name: str
    points: int
    answers: int
    accuracy: float  # 0..1
    streak: int
    is_me: bool = False
    members: int = 0  # group boards: active members


@dataclass(frozen=True)
class LeaderboardView:
    period: str  # week | month | all
    since: date | None
    group: str | None
    rows: tuple[LeaderRow, ...]
    me: LeaderRow | None
    total: int
    kind: str = "learners"  # learners | groups


@dataclass(frozen=True)
class GroupView:
    name: str
    members: int
    points: int
    is_mine: bool = False


@dataclass(frozen=True)
class GroupChange:
    action: str  # created | joined | left | moved
    group: str
    previous: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

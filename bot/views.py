"""Platform-neutral results of engine calls. Front doors render these; they decide nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain import posting
from bot.domain.statuses import OutcomeStatus, VerdictStatus


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
    mastered: int = 0  # questions whose memory card is in review with a stability of 21 days or more

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
    kind: str  # single_choice | free_text | numeric
    choices: tuple[ChoiceView, ...]
    difficulty: int
    position: int = 0  # 1-based place in a lesson's check, 0 outside a lesson
    of: int = 0
    closes_at: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        """Still taking answers at `now` (a daily question closes; a lesson's questions do not)."""
        return posting.is_open(self.closes_at, now)


@dataclass(frozen=True)
class Verdict:
    status: VerdictStatus
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
    non_answer: bool = False  # "I don't know", "?", "pass": not judged, just answered kindly
    note: str = ""  # when set, what to say first instead of the plain right / close / wrong head
    review: bool = False  # a spaced-review answer: it kept the day's streak and paid no points


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
    freezes_max: int = 2
    reviews_due: int = 0  # memory cards due today (local day)
    mastered: int = 0  # questions mastered, over all lessons
    answered_questions: int = 0  # distinct questions answered: mastery's denominator
    questions: int = 0  # questions in the course


@dataclass(frozen=True)
class ReviewStatus:
    due: int  # cards due on the learner's current local day
    next_due: datetime | None  # when nothing is due: the next card's due instant (UTC); None without cards


@dataclass(frozen=True)
class ReviewCard:
    card: QuestionCard | None  # the most overdue due card, answered with Engine.answer; None when nothing is due
    status: ReviewStatus


@dataclass(frozen=True)
class LessonMastery:
    lesson_id: str
    title: str
    mastered: int
    answered: int
    questions: int


@dataclass(frozen=True)
class MasteryView:
    lessons: tuple[LessonMastery, ...]
    mastered: int
    answered: int
    questions: int


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


@dataclass(frozen=True)
class ScheduleSpec:
    """What an admin asks for. Strings as typed; the engine parses and validates them all."""

    channel_id: str
    time: str  # "HH:MM"
    weekdays: str = "mon-fri"
    timezone: str | None = None  # None: the community's
    lessons: tuple[str, ...] = ()  # lesson ids, numbers or names; empty with no tags: all lessons
    tags: tuple[str, ...] = ()
    shuffle: bool = False
    open_minutes: int | None = None  # None: until the next post
    ping_role: str | None = None
    results_in_thread: bool = False
    channel_name: str = ""
    recap_weekday: str | None = "mon"  # the weekly recap's day ("mon".."sun"); None or "off": no recap


@dataclass(frozen=True)
class ScheduleView:
    id: int
    platform: str
    channel_id: str
    channel_name: str
    time: str
    weekdays: tuple[str, ...]
    timezone: str
    lessons: tuple[str, ...]
    tags: tuple[str, ...]
    shuffle: bool
    open_minutes: int | None
    ping_role: str | None
    results_in_thread: bool
    enabled: bool
    next_local: datetime | None  # aware, in the schedule's zone
    next_utc: datetime | None
    track_size: int
    remaining: int  # questions not yet posted by this schedule
    queued_question_id: str | None = None
    skipped_dates: tuple[date, ...] = ()
    warning: str | None = None  # e.g. the track runs out within a week
    recap_weekday: str | None = "mon"  # None: no weekly recap


@dataclass(frozen=True)
class NextPost:
    at_utc: datetime
    channel_id: str
    channel_name: str = ""


@dataclass(frozen=True)
class PostCard:
    """A daily question as a front door must send it (or edit it at the reveal)."""

    post_id: int
    schedule_id: int
    platform: str
    community_id: str
    channel_id: str
    local_date: date
    question: QuestionCard
    ping_role: str | None
    closes_at: datetime | None
    results_in_thread: bool
    claim_token: str = ""  # who owns the send right now (changes when a crashed claim is retaken)
    message_ref: str | None = None
    nonce: str = ""  # the same for every attempt at this post: a platform nonce against double sends


@dataclass(frozen=True)
class ChoiceShare:
    choice_id: str
    label: str
    text: str
    count: int
    share: float
    correct: bool

    def bar(self, width: int = 10) -> str:
        """The share as a text bar, e.g. ▇▇▇▇▁▁▁▁▁▁ for 42%. Text bars read better than an image in both
        Discord and Slack: no extra upload per reveal, they show in notifications and message previews,
        screen readers read the percentage beside them, and they keep to the theme's own text colour."""
        full = max(0, min(width, round(self.share * width)))
        return "▇" * full + "▁" * (width - full)


@dataclass(frozen=True)
class ResultsView:
    post_id: int
    question_id: str
    prompt: str
    right_answer: str
    explanation: str
    answered: int
    correct: int
    choices: tuple[ChoiceShare, ...]  # empty for free-text questions
    top_streaks: tuple[tuple[str, int], ...]  # (display name, streak), longest first

    @property
    def share_correct(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class PostOutcome:
    """What one scheduler pass did with one slot, for logs, tests and the simulator."""

    schedule_id: int
    local_date: date
    status: OutcomeStatus
    post_id: int | None = None
    detail: str = ""
    retry_at: datetime | None = None  # failed or deferred: when it is tried again (None: not retried)


@dataclass(frozen=True)
class ReminderSetting:
    """A learner's review reminder: the local time (HH:MM) in `timezone`, or None when off."""

    local_time: str | None
    timezone: str


@dataclass(frozen=True)
class ReminderCard:
    """A review reminder a door sends as a direct message: how many cards are due, to whom."""

    platform: str
    community_id: str
    user_id: str
    display_name: str
    due: int
    local_day: date

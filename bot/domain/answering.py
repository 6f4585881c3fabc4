"""The answer rules over plain values: judge (may this answer be taken, and what does it read as),
award (which answers pay) and advance (a learner's counters after an answer).

The group-commit writer (bot.engine.group_commit) reads the facts, calls these in arrival order and
writes what they decide; a batch of one follows the same rules as a batch of hundreds.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.content.schema import Question
from bot.domain import streaks
from bot.domain.calendar import DayCounter
from bot.domain.kinds import kind_of
from bot.domain.kinds.base import Reading
from bot.domain.posting import is_open
from bot.domain.statuses import PERSONAL_KINDS, DeliveryKind, VerdictStatus
from bot.errors import NotFound, QuizError
from bot.timeutil import local_day

POINTS_PER_DIFFICULTY = 10
GONE = "That daily question no longer exists."
NOT_OPEN = "That question isn't open to you here."
RETIRED = "That question has been retired from the course."


@dataclass(frozen=True, slots=True)
class DeliveryFacts:
    """A delivery as the answer path reads it (fields in the order of BatchSql.deliveries), with what
    others may change: whether it closed, and its community's time zone."""

    id: int
    community_id: int
    question_id: str
    kind: str  # a DeliveryKind
    learner_id: int | None  # the one learner it was given to; None for a daily post
    closes_at: datetime | None
    closed_at: datetime | None
    timezone: str
    quiz_day: date | None  # a daily post's quiz day
    post_status: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One answer waiting to be judged."""

    delivery: DeliveryFacts | None  # None: no such delivery (or daily post)
    by_post: bool  # addressed by a daily post's id, not a delivery's
    in_community: bool  # the delivery belongs to the community the person answers from
    learner_id: int | None  # None: the person has not answered in this community before
    user_id: str
    raw: str
    now: datetime


@dataclass(frozen=True, slots=True)
class Judgement:
    """Exactly one of: refused (`error`), a repeat of an earlier attempt in the batch (`twin`), closed,
    or graded (`reading`: a new answer to store)."""

    question_id: str = ""  # none for a refusal
    error: QuizError | None = None
    status: VerdictStatus | None = None  # REPEAT for a twin, CLOSED
    twin: int | None = None  # index of the earlier attempt by the same person at the same delivery
    reading: Reading | None = None
    may_repeat: bool = False  # closed or unreadable: a repeat after all if the learner answered before


def judge(attempts: Sequence[Attempt], question_of: Callable[[str], Question | None]) -> list[Judgement]:
    """Refuse what cannot be answered and grade the rest, in arrival order. A repeat always gets its
    first verdict, so a closed or unreadable answer is marked `may_repeat` when the learner is known."""
    first: dict[tuple[int, str], int] = {}
    out: list[Judgement] = []
    for i, a in enumerate(attempts):
        d = a.delivery
        if a.by_post and d is None:
            out.append(Judgement(error=NotFound(GONE)))
            continue
        if d is None or not a.in_community or d.learner_id not in (None, a.learner_id):
            out.append(Judgement(error=NotFound(NOT_OPEN)))
            continue
        question = question_of(d.question_id)
        if question is None:
            out.append(Judgement(error=NotFound(RETIRED)))
            continue
        twin = first.get((d.id, a.user_id))
        if twin is not None:
            out.append(Judgement(question.id, status=VerdictStatus.REPEAT, twin=twin))
            continue
        judged = _judge_open(question, d, a)
        if judged.reading is None:
            judged = replace(judged, may_repeat=a.learner_id is not None)
        else:
            first[(d.id, a.user_id)] = i
        out.append(judged)
    return out


def _judge_open(question: Question, d: DeliveryFacts, a: Attempt) -> Judgement:
    if not is_open(d.closes_at, a.now, d.closed_at):
        return Judgement(question.id, status=VerdictStatus.CLOSED)
    try:
        return Judgement(question.id, reading=kind_of(question).read(question, a.raw))
    except QuizError as err:  # e.g. an answer out of range: nothing is written for it
        return Judgement(question.id, error=err)


def counted_day(delivery: DeliveryFacts, now: datetime) -> date:
    """A daily post's answer counts for the post's own quiz day; others for the day they were given."""
    if delivery.kind == DeliveryKind.POST and delivery.quiz_day:
        return delivery.quiz_day
    return local_day(now, delivery.timezone)


# --- award ---------------------------------------------------------------------------------------

def points_for(question: Question, correct: bool, delivery_kind: str) -> int:
    """Reviews pay nothing: they are for memory, not for farming points."""
    if not correct or delivery_kind == DeliveryKind.REVIEW:
        return 0
    return POINTS_PER_DIFFICULTY * question.difficulty


@dataclass(frozen=True, slots=True)
class Payable:
    learner_id: int
    question_id: str
    delivery_kind: str
    points: int


@dataclass(frozen=True)
class Award:
    once: list[int]  # indexes of the answers that pay only if first for their learner and question
    claims: dict[tuple[int, str], int]  # (learner, question) -> index of the first such answer here


def award(answers: Sequence[Payable]) -> Award:
    """Lesson and practice questions pay once per learner: of this batch's new answers, the first per
    learner and question claims the points (the stored claims of earlier batches decide between them)."""
    once = [i for i, a in enumerate(answers) if a.points and a.delivery_kind in PERSONAL_KINDS]
    claims: dict[tuple[int, str], int] = {}
    for i in once:
        claims.setdefault((answers[i].learner_id, answers[i].question_id), i)
    return Award(once, claims)


# --- advance -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Tally:
    """A learner's counters."""

    points: int
    answers: int
    correct: int
    streak: streaks.StreakState


@dataclass(frozen=True, slots=True)
class Advance:
    tally: Tally
    replay: bool  # an answer for a day before the last one counted: rebuild the streak from the log


def streak_moves(streak: streaks.StreakState, day: date) -> bool:
    """Only an answer on a later day than the last counted can move a streak (and needs the calendar)."""
    return streak.last_day is None or day > streak.last_day


def advance(tally: Tally, points: int, correct: bool, day: date, calendar: DayCounter | None) -> Advance:
    """The counters after one new answer on quiz day `day`; `calendar` is needed when streak_moves."""
    after = Tally(tally.points + points, tally.answers + 1, tally.correct + int(correct), tally.streak)
    last = tally.streak.last_day
    if last is not None and day < last:
        return Advance(after, replay=True)
    if not streak_moves(tally.streak, day):
        return Advance(after, replay=False)
    if calendar is None:
        raise ValueError("the quiz calendar is needed to move a streak")
    if calendar.is_quiz_day(day):
        missed = 0 if last is None else calendar.missed_between(last, day)
        after = replace(after, streak=streaks.answer_day(tally.streak, day, missed))
    return Advance(after, replay=False)

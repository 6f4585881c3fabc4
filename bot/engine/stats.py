"""Keep each learner's counters (points, streak, freezes) in step with the answer log.

The live update (bot.engine.group_commit) and the rebuild share the pure rules in `bot.domain.streaks`
and the same quiz calendar, so the cache and the log cannot drift apart by construction;
`verify_stats` checks it anyway.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import select_wide
from bot.domain import answering, streaks
from bot.engine import histogram
from bot.engine.calendar import QuizCalendar, ZonedCommunity
from bot.models import Answer, Community, LearnerPeriod, LearnerStats, row_id
from bot.timeutil import periods_of


def state_of(stats: LearnerStats | Counters) -> streaks.StreakState:
    return streaks.StreakState(stats.current_streak, stats.best_streak, stats.freezes,
                               stats.freeze_progress, stats.last_quiz_day)


def store_state(stats: LearnerStats | Counters, state: streaks.StreakState) -> None:
    stats.current_streak, stats.best_streak = state.current, state.best
    stats.freezes, stats.freeze_progress, stats.last_quiz_day = state.freezes, state.progress, state.last_day


def tally_of(stats: Counters) -> answering.Tally:
    return answering.Tally(stats.points, stats.answers, stats.correct, state_of(stats))


def store_tally(stats: Counters, tally: answering.Tally) -> None:
    stats.points, stats.answers, stats.correct = tally.points, tally.answers, tally.correct
    store_state(stats, tally.streak)


async def locked_stats(session: AsyncSession, learner_id: int) -> LearnerStats:
    return (await session.exec(
        select(LearnerStats).where(LearnerStats.learner_id == learner_id).with_for_update())).one()


async def streak_today(session: AsyncSession, calendar: QuizCalendar, community: Community,
                       stats: LearnerStats, today: date) -> streaks.StreakState:
    state = state_of(stats)
    if state.last_day is None or state.last_day >= today:
        return state
    return streaks.as_of(state, await calendar.missed_between(session, community, state.last_day, today))


async def replay_learner(session: AsyncSession, calendar: QuizCalendar, community: ZonedCommunity,
                         learner_id: int) -> streaks.StreakState:
    days = (await session.exec(select(col(Answer.local_day)).where(Answer.learner_id == learner_id).distinct())).all()
    counter = await calendar.offline_counter(session, community)
    return streaks.replay((d for d in days if counter.is_quiz_day(d)), counter.missed_between)


@dataclass(frozen=True)
class StatsMismatch:
    learner_id: int
    field: str
    stored: object
    derived: object


async def derive_stats(session: AsyncSession, calendar: QuizCalendar, community: Community) -> dict[int, LearnerStats]:
    """Every learner's counters computed from the answer log alone."""
    community_id = row_id(community)
    totals = (await session.exec(
        select(Answer.learner_id, func.sum(Answer.points), func.count(col(Answer.id)),
               func.sum(case((col(Answer.correct), 1), else_=0)))
        .where(Answer.community_id == community_id).group_by(col(Answer.learner_id)))).all()
    derived: dict[int, LearnerStats] = {}
    for learner_id, points, answers, correct in totals:
        stats = LearnerStats(learner_id=learner_id, community_id=community_id,
                             points=int(points or 0), answers=int(answers), correct=int(correct or 0))
        store_state(stats, await replay_learner(session, calendar, community, learner_id))
        derived[learner_id] = stats
    return derived


COMPARED = ("points", "answers", "correct", "current_streak", "best_streak", "freezes", "freeze_progress", "last_quiz_day")


@dataclass(slots=True)
class Counters:
    """A learner_stats row as plain data (fields in table order), for the answer path: read once per
    batch, changed in Python, written back with one statement; no ORM instance per learner."""
    learner_id: int
    community_id: int
    points: int
    answers: int
    correct: int
    current_streak: int
    best_streak: int
    freezes: int
    freeze_progress: int
    last_quiz_day: date | None


COUNTER_COLUMNS = ("learner_id", "community_id") + COMPARED
PERIOD_FIELDS = ("points", "answers", "correct")


async def derive_periods(session: AsyncSession, community: Community) -> dict[tuple[int, str, date], tuple[int, int, int]]:
    """Week and month totals per learner, from the answer log alone."""
    rows = (await session.exec(
        select_wide(Answer.learner_id, Answer.local_day, func.sum(Answer.points), func.count(col(Answer.id)),
                    func.sum(case((col(Answer.correct), 1), else_=0)))
        .where(Answer.community_id == row_id(community)).group_by(col(Answer.learner_id), col(Answer.local_day)))).all()
    totals: dict[tuple[int, str, date], list[int]] = {}
    for learner_id, day, points, answers, correct in rows:
        for period, start in periods_of(day):
            acc = totals.setdefault((learner_id, period, start), [0, 0, 0])
            acc[0] += int(points or 0)
            acc[1] += int(answers)
            acc[2] += int(correct or 0)
    return {k: (v[0], v[1], v[2]) for k, v in totals.items()}


async def stored_periods(session: AsyncSession, community: Community) -> dict[tuple[int, str, date], tuple[int, int, int]]:
    rows = (await session.exec(select(LearnerPeriod).where(LearnerPeriod.community_id == row_id(community)))).all()
    return {(r.learner_id, r.period, r.start): (r.points, r.answers, r.correct) for r in rows}


async def verify_stats(session: AsyncSession, calendar: QuizCalendar, community: Community) -> list[StatsMismatch]:
    derived = await derive_stats(session, calendar, community)
    stored = (await session.exec(select(LearnerStats).where(LearnerStats.community_id == row_id(community)))).all()
    problems = []
    for stats in stored:
        want = derived.get(stats.learner_id) or LearnerStats(learner_id=stats.learner_id, community_id=row_id(community))
        for name in COMPARED:
            if getattr(stats, name) != getattr(want, name):
                problems.append(StatsMismatch(stats.learner_id, name, getattr(stats, name), getattr(want, name)))
    want_periods, have_periods = await derive_periods(session, community), await stored_periods(session, community)
    for key in sorted(set(want_periods) | set(have_periods), key=str):
        if want_periods.get(key) != have_periods.get(key):
            problems.append(StatsMismatch(key[0], f"{key[1]} {key[2]}", have_periods.get(key), want_periods.get(key)))
    want_counts, have_counts = board_histogram(derived, want_periods), await histogram.stored(session, row_id(community))
    for key in sorted(set(want_counts) | set(have_counts), key=str):
        if want_counts[key] != have_counts[key]:  # learner 0: a board's count, not one learner's
            problems.append(StatsMismatch(0, "learners at {} {} {} points".format(*key), have_counts[key], want_counts[key]))
    return problems


def board_histogram(stats: dict[int, LearnerStats], periods: dict[tuple[int, str, date], tuple[int, int, int]]):
    """The board histogram these totals give."""
    return histogram.histogram_of(((s.points, s.answers) for s in stats.values()),
                                  ((k[1], k[2], v[0], v[1]) for k, v in periods.items()))


async def rebuild_stats(session: AsyncSession, calendar: QuizCalendar, community: Community) -> int:
    """Overwrite the cache from the log; returns how many learners were rewritten."""
    derived = await derive_stats(session, calendar, community)
    stored = (await session.exec(
        select(LearnerStats).where(LearnerStats.community_id == row_id(community)).with_for_update())).all()
    for stats in stored:
        want = derived.get(stats.learner_id) or LearnerStats(learner_id=stats.learner_id, community_id=row_id(community))
        for name in COMPARED:
            setattr(stats, name, getattr(want, name))
        session.add(stats)
    await session.exec(delete(LearnerPeriod).where(col(LearnerPeriod.community_id) == row_id(community)))
    periods = await derive_periods(session, community)
    session.add_all(LearnerPeriod(learner_id=k[0], period=k[1], start=k[2], community_id=row_id(community),
                                  **dict(zip(PERIOD_FIELDS, v, strict=False))) for k, v in periods.items())
    await histogram.rebuild(session, row_id(community), board_histogram(derived, periods))
    return len(stored)

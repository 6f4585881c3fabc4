"""Leaderboards per community: this week, this month and all time, for learners and groups.

Weeks start on Monday and months on the 1st, in the community's time zone; the answer log
stores each answer's local day, so a period is a plain date range.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.engine.calendar import QuizCalendar
from bot.engine.stats import streak_today
from bot.errors import BadInput
from bot.models import Answer, Community, GroupMembership, Learner, LearnerStats, StudyGroup
from bot.timeutil import month_start, week_start
from bot.views import LeaderboardView, LeaderRow

PERIODS = {"week": "week", "weekly": "week", "w": "week", "month": "month", "monthly": "month", "m": "month",
           "all": "all", "alltime": "all", "all-time": "all", "all_time": "all", "ever": "all", "a": "all"}


def parse_period(text: str | None) -> str:
    if not text:
        return "week"
    period = PERIODS.get(text.strip().lower())
    if period is None:
        raise BadInput(f"Unknown period '{text[:20]}': use week, month or all.")
    return period


def period_start(period: str, today: date) -> date | None:
    return {"week": week_start(today), "month": month_start(today), "all": None}[period]


@dataclass
class Tally:
    learner_id: int
    name: str
    points: int
    answers: int
    correct: int


async def _tallies(session: AsyncSession, community: Community, since: date | None, group_id: int | None) -> list[Tally]:
    stmt = (select(Learner.id, Learner.display_name, func.sum(Answer.points), func.count(Answer.id),
                   func.sum(case((Answer.correct, 1), else_=0)))
            .join(Answer, Answer.learner_id == Learner.id)
            .where(Answer.community_id == community.id))
    if since is not None:
        stmt = stmt.where(Answer.local_day >= since)
    if group_id is not None:
        stmt = stmt.join(GroupMembership, GroupMembership.learner_id == Learner.id).where(GroupMembership.group_id == group_id)
    rows = (await session.exec(stmt.group_by(Learner.id, Learner.display_name))).all()
    return [Tally(i, n, int(p or 0), int(a), int(c or 0)) for i, n, p, a, c in rows]


def _ranked(items: list, score) -> list[tuple[int, object]]:
    """Competition ranking (1, 2, 2, 4): equal scores share a rank."""
    items = sorted(items, key=score, reverse=True)
    ranked, rank, previous = [], 0, None
    for i, item in enumerate(items, 1):
        key = score(item)[0]
        if key != previous:
            rank, previous = i, key
        ranked.append((rank, item))
    return ranked


async def learner_board(session: AsyncSession, calendar: QuizCalendar, community: Community, me: Learner | None,
                        period: str, today: date, group: StudyGroup | None = None, limit: int = 10) -> LeaderboardView:
    since = period_start(period, today)
    tallies = _tallies(session, community, since, group.id if group else None)
    ranked = _ranked(await tallies, lambda t: (t.points, t.correct / t.answers if t.answers else 0, -t.learner_id))
    shown = [(r, t) for r, t in ranked[:limit]]
    mine = next(((r, t) for r, t in ranked if me is not None and t.learner_id == me.id), None)
    wanted = {t.learner_id for _, t in shown} | ({mine[1].learner_id} if mine else set())
    stats = {s.learner_id: s for s in (await session.exec(
        select(LearnerStats).where(LearnerStats.learner_id.in_(wanted)))).all()} if wanted else {}

    async def row(rank: int, t: Tally) -> LeaderRow:
        streak = (await streak_today(session, calendar, community, stats[t.learner_id], today)).current \
            if t.learner_id in stats else 0
        return LeaderRow(rank, t.name, t.points, t.answers, t.correct / t.answers if t.answers else 0.0, streak,
                         me is not None and t.learner_id == me.id)

    rows = tuple([await row(r, t) for r, t in shown])
    me_row = await row(*mine) if mine else None
    return LeaderboardView(period, since, group.name if group else None, rows, me_row, len(ranked))


async def group_board(session: AsyncSession, community: Community, me: Learner | None, period: str, today: date,
                      limit: int = 10) -> LeaderboardView:
    """Groups rank by points per active member (answered in the period), so small groups can win."""
    since = period_start(period, today)
    groups = (await session.exec(select(StudyGroup).where(StudyGroup.community_id == community.id))).all()
    members = (await session.exec(select(GroupMembership.learner_id, GroupMembership.group_id)
                                  .join(StudyGroup, StudyGroup.id == GroupMembership.group_id)
                                  .where(StudyGroup.community_id == community.id))).all()
    group_of = dict(members)
    totals: dict[int, list[int]] = {g.id: [0, 0, 0, 0] for g in groups}  # points, active, answers, correct
    for t in await _tallies(session, community, since, None):
        gid = group_of.get(t.learner_id)
        if gid is None or t.answers == 0:
            continue
        acc = totals[gid]
        acc[0] += t.points; acc[1] += 1; acc[2] += t.answers; acc[3] += t.correct
    my_group = group_of.get(me.id) if me else None
    ranked = _ranked(groups, lambda g: (totals[g.id][0] / max(totals[g.id][1], 1), totals[g.id][1], -g.id))

    def row(rank: int, g: StudyGroup) -> LeaderRow:
        points, active, answers, correct = totals[g.id]
        return LeaderRow(rank, g.name, round(points / max(active, 1)), answers, correct / answers if answers else 0.0,
                         0, g.id == my_group, active)

    rows = tuple(row(r, g) for r, g in ranked[:limit])
    me_row = next((row(r, g) for r, g in ranked if g.id == my_group), None)
    return LeaderboardView(period, since, None, rows, me_row, len(ranked), kind="groups")

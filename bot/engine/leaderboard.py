"""Leaderboards per community: this week, this month and all time, for learners and groups.

Weeks start on Monday and months on the 1st, in the community's time zone. Totals come from
the caches the answer path keeps (learner_stats for all time, learner_period for weeks and
months), so the top ten is the start of an index range, not an aggregate over every answer; a
board's size and a learner's rank come from the points histogram (bot.engine.histogram), not
from counting its learners.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, literal_column
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import select_wide
from bot.domain import streaks
from bot.engine import histogram
from bot.engine.calendar import QuizCalendar
from bot.engine.identity import CommunityRef, LearnerRef
from bot.errors import BadInput
from bot.models import Community, GroupMembership, Learner, LearnerPeriod, LearnerStats, StudyGroup, row_id
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


def totals_source(community: CommunityRef, period: str, since: date | None):
    """The table holding the period's totals, and the filter selecting this community's rows."""
    if period == "all":
        # A literal 0, not a parameter: the planners then know ix_learner_stats_board (partial) applies.
        return LearnerStats, [LearnerStats.community_id == community.id, LearnerStats.answers > literal_column("0")]
    # A period row exists only once its learner answered in it, so no `answers > 0` here.
    return LearnerPeriod, [LearnerPeriod.community_id == community.id, LearnerPeriod.period == period,
                           LearnerPeriod.start == since]


def board_order(src) -> tuple:
    """bot.models.BOARD_ORDER, the key of the board indexes, expression for expression (a literal 1.0:
    a bound parameter would not match the indexed expression, and neither would SQLAlchemy's division)."""
    accuracy = (src.correct * literal_column("1.0")).op("/")(src.answers)  # a plain "/": SQLAlchemy's adds "+ 0.0"
    return src.points.desc(), accuracy.desc(), src.learner_id


# In the order of streaks.StreakState's fields.
STREAK_COLUMNS = (LearnerStats.current_streak, LearnerStats.best_streak, LearnerStats.freezes,
                  LearnerStats.freeze_progress, LearnerStats.last_quiz_day)


def accuracy(correct: int, answers: int) -> float:
    return correct / answers if answers else 0.0


async def learner_board(session: AsyncSession, calendar: QuizCalendar, community: CommunityRef, me: LearnerRef | None,
                        period: str, today: date, group: StudyGroup | None = None, limit: int = 10,
                        zone_remembered: bool = False) -> LeaderboardView | None:
    """The board. With `zone_remembered` (the community's time zone came from this process's memory, and
    an admin may have changed it since), the top-ten statement also checks the zone, and None means
    "look the community up again": the zone changed, or the board is empty."""
    since = period_start(period, today)
    src, where = totals_source(community, period, since)
    # The streak columns come along (learner_stats is the all-time source, or one PK join away), so
    # showing streaks costs no extra statement.
    base = (select_wide(src.learner_id, Learner.display_name, src.points, src.answers, src.correct, *STREAK_COLUMNS)
            .join(Learner, Learner.id == src.learner_id).where(*where))
    if src is not LearnerStats:
        base = base.join(LearnerStats, LearnerStats.learner_id == src.learner_id)
    if group is not None:
        base = base.join(GroupMembership, GroupMembership.learner_id == src.learner_id).where(
            GroupMembership.group_id == group.id)
    ranked = base.order_by(*board_order(src)).limit(limit)
    if zone_remembered:
        ranked = ranked.where(exists().where(col(Community.id) == community.id, col(Community.timezone) == community.timezone))
    top = (await session.exec(ranked)).all()
    if zone_remembered and not top:
        return None
    # Competition ranking (1, 2, 2, 4): the rows above a shown row are all in `top`.
    ranks, previous = {}, None
    for i, row in enumerate(top, 1):
        if row[2] != previous:
            rank, previous = i, row[2]
        ranks[row[0]] = rank
    mine = next((row for row in top if me is not None and row[0] == me.id), None)
    if group is None:  # the whole community: sums over its histogram, not counts over its learners
        mine, total, my_rank = await mine_and_total(session, base, src, community, period, since, me, mine)
    else:  # a group is small: count its members' rows
        if me is not None and mine is None:
            mine = (await session.exec(base.where(src.learner_id == me.id))).first()
        total, my_rank = await group_total_and_rank(session, src, where, group,
                                                 mine[2] if mine is not None and mine[0] not in ranks else None)
    if mine is not None and mine[0] not in ranks and my_rank is not None:  # None only when mine is in the top
        ranks[mine[0]] = my_rank
    current = await current_streaks(session, calendar, community,
                                    {r[0]: streaks.StreakState(*r[5:]) for r in (*top, *([mine] if mine else []))}, today)

    def leader_row(r: Any) -> LeaderRow:
        return LeaderRow(ranks[r[0]], r[1], int(r[2]), int(r[3]), accuracy(r[4], r[3]), current.get(r[0], 0),
                         me is not None and r[0] == me.id)

    return LeaderboardView(period, since, group.name if group else None, tuple(leader_row(r) for r in top),
                           leader_row(mine) if mine else None, int(total))


async def mine_and_total(session: AsyncSession, base, src, community: CommunityRef, period: str, since: date | None,
                         me: LearnerRef | None, mine: Any) -> tuple[Any, int, int | None]:
    """My row (unless `mine`, shown in the top, is it), my rank and the board's total from the histogram,
    in one statement when I am on the board and not in the top: each statement is a round trip."""
    on_board = histogram.learners_on(community.id, period, since)
    if me is not None and mine is None:
        found = (await session.exec(base.add_columns(
            on_board, histogram.learners_above(community.id, period, since, src.points)).where(
            src.learner_id == me.id))).first()
        if found is not None:
            return found[:-2], int(found[-2]), 1 + int(found[-1])
    return mine, int((await session.exec(select(on_board))).one()), None


async def group_total_and_rank(session: AsyncSession, src, where: list, group: StudyGroup,
                               points: int | None) -> tuple[int, int | None]:
    counted = (select(func.count()).select_from(src).where(*where)
               .join(GroupMembership, GroupMembership.learner_id == src.learner_id).where(GroupMembership.group_id == group.id))
    total = (await session.exec(counted)).one()
    return total, (1 + (await session.exec(counted.where(src.points > points))).one() if points is not None else None)


async def current_streaks(session: AsyncSession, calendar: QuizCalendar, community: CommunityRef,
                          stored: dict[int, streaks.StreakState], today: date) -> dict[int, int]:
    """Streaks as shown today, for a few learners, with at most one look at the community's calendar:
    none when all of them last answered today or yesterday, as no day lies between yesterday and
    today that could have been missed (a board's top learners usually answer daily)."""
    stale = {i: (s, s.last_day) for i, s in stored.items() if s.last_day is not None and s.last_day < today - timedelta(days=1)}
    current = {i: s.current for i, s in stored.items()}
    if stale:
        counter = await calendar.offline_counter(session, community)
        current.update({i: streaks.as_of(s, counter.missed_between(last_day, today)).current
                        for i, (s, last_day) in stale.items()})
    return current


async def group_board(session: AsyncSession, community: CommunityRef, me: LearnerRef | None, period: str, today: date,
                      limit: int = 10) -> LeaderboardView:
    """Groups rank by points per active member (answered in the period), so small groups can win."""
    since = period_start(period, today)
    src, where = totals_source(community, period, since)
    totals = {gid: (int(p), int(active), int(a), int(c)) for gid, p, active, a, c in (await session.exec(
        select_wide(GroupMembership.group_id, func.sum(src.points), func.count(), func.sum(src.answers), func.sum(src.correct))
        .join(src, src.learner_id == GroupMembership.learner_id).where(*where)
        .group_by(col(GroupMembership.group_id)))).all()}
    groups = (await session.exec(select(StudyGroup).where(StudyGroup.community_id == community.id))).all()
    my_group = (await session.exec(select(GroupMembership.group_id).where(GroupMembership.learner_id == me.id))).first() \
        if me is not None else None

    def score(g: StudyGroup) -> tuple:
        points, active, _, _ = totals.get(g.id, (0, 0, 0, 0))
        return (points / max(active, 1), active, -row_id(g))

    ordered = sorted(groups, key=score, reverse=True)
    rows, previous, rank = [], None, 0
    for i, g in enumerate(ordered, 1):
        if score(g)[0] != previous:
            rank, previous = i, score(g)[0]
        points, active, answers, correct = totals.get(g.id, (0, 0, 0, 0))
        rows.append(LeaderRow(rank, g.name, round(points / max(active, 1)), answers, accuracy(correct, answers), 0,
                              g.id == my_group, active))
    me_row = next((r for r in rows if r.is_me), None)
    return LeaderboardView(period, since, None, tuple(rows[:limit]), me_row, len(rows), kind="groups")

"""Learners per points value on each board (all time, each week, each month).

Why: a board's total is the number of learners on it and "my rank" is 1 + the number of learners
with more points. Counting those rows costs O(learners) per call (tens of ms at 100,000); summing
this histogram costs O(distinct points values), a few hundred rows.

The histogram is a cache of learner_stats (all time) and learner_period (weeks, months), kept in
the same transaction as they are: `count_answers` on the answer path (one batch, set-based),
`rebuild` from `bot.engine.stats.rebuild_stats`, and migration 0004's backfill. `verify_stats`
compares it with the histogram of the answer log.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import Store, select_wide
from bot.models import BoardHistogram, LearnerPeriod, LearnerStats, table_of
from bot.timeutil import periods_of

if TYPE_CHECKING:  # bot.engine.stats imports this module
    from bot.engine.stats import Counters

ALL = "all"
ALL_TIME = date(1970, 1, 1)  # the all-time board has no start, but the key needs one

# (period, start, points) -> learners
Histogram = Counter


def board_key(period: str, start: date | None) -> tuple[str, date]:
    return (period, start or ALL_TIME) if period != ALL else (ALL, ALL_TIME)


def histogram_of(all_time: Iterable[tuple[int, int]], periods: Iterable[tuple[str, date, int, int]]) -> Histogram:
    """From (points, answers) per learner and (period, start, points, answers) per learner and period.
    A learner is on a board once they answered in it."""
    counted = Histogram((ALL, ALL_TIME, points) for points, answers in all_time if answers > 0)
    counted.update((period, start, points) for period, start, points, answers in periods if answers > 0)
    return counted


async def stored(session: AsyncSession, community_id: int) -> Histogram:
    """Zero rows (learners who all moved on to other points) are left in place by the answer path: skipped."""
    rows = (await session.exec(select(BoardHistogram.period, col(BoardHistogram.start), BoardHistogram.points,
                                      BoardHistogram.learners)
                               .where(BoardHistogram.community_id == community_id, BoardHistogram.learners != 0))).all()
    return Histogram({(p, s, pts): n for p, s, pts, n in rows})


async def rebuild(session: AsyncSession, community_id: int, want: Histogram) -> None:
    await session.exec(delete(BoardHistogram).where(col(BoardHistogram.community_id) == community_id))
    session.add_all(BoardHistogram(community_id=community_id, period=p, start=s, points=pts, learners=n)
                    for (p, s, pts), n in sorted(want.items()) if n)


def _board(community_id: int, period: str, start: date | None) -> tuple:
    p, s = board_key(period, start)
    return BoardHistogram.community_id == community_id, BoardHistogram.period == p, BoardHistogram.start == s


def learners_on(community_id: int, period: str, start: date | None):
    """How many learners are on the board: a scalar subquery, one indexed sum over a few hundred rows."""
    return select(func.coalesce(func.sum(BoardHistogram.learners), 0)).where(
        *_board(community_id, period, start)).scalar_subquery()


def learners_above(community_id: int, period: str, start: date | None, points):
    """How many learners on the board have more than `points` (a value, or a column of the enclosing
    query): a learner's competition rank (1, 2, 2, 4) is one more."""
    return select(func.coalesce(func.sum(BoardHistogram.learners), 0)).where(
        *_board(community_id, period, start), BoardHistogram.points > points).scalar_subquery()


_PERIOD = table_of(LearnerPeriod)
# Built once (per backend for the upsert): building them per batch cost more than running them.
_TOUCHED = (select_wide(_PERIOD.c.community_id, _PERIOD.c.learner_id, _PERIOD.c.period, _PERIOD.c.start, _PERIOD.c.points,
                        _PERIOD.c.answers)
            .where(_PERIOD.c.learner_id.in_(bindparam("learners", expanding=True)),
                   _PERIOD.c.start.in_(bindparam("starts", expanding=True))))
_MOVES: dict[bool, object] = {}


def _moves(store: Store):
    """The upsert that moves learners between points values: + or - learners on each (board, points)."""
    if store.is_sqlite not in _MOVES:
        stmt = store.insert(BoardHistogram)
        _MOVES[store.is_sqlite] = stmt.on_conflict_do_update(
            index_elements=["community_id", "period", "start", "points"],
            set_={"learners": table_of(BoardHistogram).c.learners + stmt.excluded.learners})
    return _MOVES[store.is_sqlite]


async def count_answers(session: AsyncSession, store: Store, answers: list,
                        stats: Mapping[int, LearnerStats | Counters]) -> None:
    """Move each learner who just answered (`answers`: rows with community_id, learner_id, local_day and
    points) from their old points to their new ones, on every board the answers touch.
    Call after the batch's learner_period upsert; `stats` holds the batch's new
    all-time totals. Set-based: one read of the touched learner_period rows, one upsert."""
    if not answers:
        return
    added: dict[tuple, list[int]] = {}  # (community, learner, period, start) -> [points, answers] in this batch
    for a in answers:
        for period, start in ((ALL, ALL_TIME), *periods_of(a.local_day)):
            acc = added.setdefault((a.community_id, a.learner_id, period, start), [0, 0])
            acc[0] += a.points
            acc[1] += 1
    now: dict[tuple[object, ...], tuple[Any, Any]] = {
        (stats[learner].community_id, learner, ALL, ALL_TIME): (stats[learner].points, stats[learner].answers)
        for learner in {a.learner_id for a in answers}}
    conn = await session.connection()
    rows = (await conn.execute(_TOUCHED, {"learners": sorted({k[1] for k in added}),
                                          "starts": sorted({k[3] for k in added if k[2] != ALL})})).all()
    now.update({(c, learner, p, s): (pts, n) for c, learner, p, s, pts, n in rows})
    moves: Counter = Counter()
    for key, (points, count) in added.items():
        new_points, new_answers = now[key]
        community, _, period, start = key
        if new_answers > count:  # on this board before the batch too: leaves its old points
            moves[(community, period, start, new_points - points)] -= 1
        moves[(community, period, start, new_points)] += 1
    changed = sorted((k, n) for k, n in moves.items() if n)  # a fixed order: concurrent batches lock rows alike
    if not changed:
        return
    await conn.execute(_moves(store), [{"community_id": c, "period": p, "start": s, "points": pts, "learners": n}
                                       for (c, p, s, pts), n in changed])

"""Board totals and "my rank" come from the points histogram (bot.engine.histogram): it must follow
every change of points, and verify/rebuild must check and repair it.

The property test compares the engine with an oracle written here from the rules alone: a lesson
question pays 10 × difficulty once per learner (the first right answer), a learner is on a
board once they answered in its period, and ranks are competition ranks (1, 2, 2, 4).
"""
from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from datetime import date, timedelta

import pytest
from conftest import actor, fresh_copy, utc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlmodel import select

from bot.db import Store
from bot.engine import Engine
from bot.models import BoardHistogram
from bot.timeutil import month_start, week_start

# mini.yml's lesson questions: (right answer, wrong answer, difficulty)
QUESTIONS = (("2", "1", 1), ("KL divergence", "cross entropy", 2), ("1", "2", 3))
FIRST_DAY = date(2024, 5, 27)  # a Monday; the days drawn below cross into June


async def answer_on(engine: Engine, who, day: date, question: int, right: bool):
    when = utc(day.year, day.month, day.day, 12)
    card = await engine.lesson_question(who, "mini", question, when)
    return await engine.answer(who, card.delivery_id, QUESTIONS[question][0 if right else 1], when)


def oracle(answers: list[tuple[str, date, int, bool]], period: str, today: date) -> dict[str, int]:
    """Points per learner on one board, for answers given in this order (learner, day, question, right)."""
    paid: set[tuple[str, int]] = set()
    points: dict[str, int] = defaultdict(int)
    start = {"week": week_start(today), "month": month_start(today), "all": None}[period]
    for user, day, question, right in answers:
        pays = right and (user, question) not in paid
        if pays:
            paid.add((user, question))
        if start is None or (week_start(day) if period == "week" else month_start(day)) == start:
            points[user] += 10 * QUESTIONS[question][2] if pays else 0
    return points


def competition_rank(points: dict[str, int], user: str) -> int:
    return 1 + sum(1 for p in points.values() if p > points[user])


async def check_boards(engine: Engine, answers, today: date) -> None:
    """Each learner's own row (limit=1, so the rank of most comes from the histogram) and each total."""
    now = utc(today.year, today.month, today.day, 23)
    for period in ("week", "month", "all"):
        want = oracle(answers, period, today)
        for user in {a[0] for a in answers}:
            board = await engine.leaderboard(actor(user), now, period, limit=1)
            assert board.total == len(want), (period, today)
            if user not in want:
                assert board.me is None
                continue
            assert (board.me.points, board.me.rank) == (want[user], competition_rank(want, user)), (period, today, user)


async def answer_in_batches(engine: Engine, answers) -> None:
    """One day's answers concurrently (so group commit batches them), the days in order."""
    for day in sorted({a[1] for a in answers}):
        todays = [a for a in answers if a[1] == day]
        verdicts = await asyncio.gather(*(answer_on(engine, actor(u), d, q, r) for u, d, q, r in todays))
        assert all(v.status == "new" for v in verdicts)


async def test_ranks_and_totals_follow_the_answers(engine):
    answers = [("ann", FIRST_DAY, 2, True), ("bob", FIRST_DAY, 1, True), ("cid", FIRST_DAY, 0, True),
               ("dee", FIRST_DAY, 0, True), ("eve", FIRST_DAY, 0, False),
               ("bob", FIRST_DAY + timedelta(days=7), 0, True), ("eve", FIRST_DAY + timedelta(days=7), 2, True),
               ("ann", FIRST_DAY + timedelta(days=8), 2, True)]  # a retake: pays nothing
    await answer_in_batches(engine, answers)
    assert await engine.verify_stats(actor("ann")) == []
    for today in (FIRST_DAY, FIRST_DAY + timedelta(days=8)):
        await check_boards(engine, answers, today)


async def test_verify_finds_a_corrupted_histogram_and_rebuild_repairs_it(engine, store):
    answers = [(u, FIRST_DAY, q, True) for u, q in (("ann", 2), ("bob", 1), ("cid", 0), ("dee", 0))]
    await answer_in_batches(engine, answers)
    async with store.write() as session:  # one learner too many at 10 points, all time
        await session.exec(update(BoardHistogram).where(BoardHistogram.period == "all", BoardHistogram.points == 10)
                           .values(learners=BoardHistogram.learners + 1))
    problems = await engine.verify_stats(actor("ann"))
    assert [(p.learner_id, p.field, p.stored, p.derived) for p in problems] == \
        [(0, "learners at all 1970-01-01 10 points", 3, 2)]
    assert (await engine.leaderboard(actor("ann"), utc(2024, 5, 27, 13), "all", limit=1)).total == 5  # wrong, as stored
    await engine.rebuild_stats(actor("ann"))
    assert await engine.verify_stats(actor("ann")) == []
    await check_boards(engine, answers, FIRST_DAY)
    async with store.read() as session:
        rows = (await session.exec(select(BoardHistogram.period, BoardHistogram.points, BoardHistogram.learners)
                                   .where(BoardHistogram.learners != 0)
                                   .order_by(BoardHistogram.period, BoardHistogram.points))).all()
    assert [tuple(r) for r in rows] == [("all", 10, 2), ("all", 20, 1), ("all", 30, 1), ("month", 10, 2),
                                        ("month", 20, 1), ("month", 30, 1), ("week", 10, 2), ("week", 20, 1),
                                        ("week", 30, 1)]


# --- property: the engine against the oracle ------------------------------------------------------

USERS = ("u0", "u1", "u2", "u3", "u4", "u5")


@st.composite
def answer_logs(draw) -> list[tuple[str, date, int, bool]]:
    """Up to 24 answers over about six weeks; a learner answers a question at most once a day."""
    seen, out = set(), []
    for _ in range(draw(st.integers(1, 24))):
        user, offset, question = draw(st.sampled_from(USERS)), draw(st.integers(0, 40)), draw(st.integers(0, 2))
        if (user, offset, question) not in seen:
            seen.add((user, offset, question))
            out.append((user, FIRST_DAY + timedelta(days=offset), question, draw(st.booleans())))
    return sorted(out, key=lambda a: a[1])  # the oracle's order is the days' order, like the engine's


async def run_log(template, catalog, answers) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(fresh_copy(template, tmp))
        try:
            engine = Engine(store, catalog)
            await answer_in_batches(engine, answers)
            assert await engine.verify_stats(actor(answers[0][0])) == []
            for today in sorted({a[1] for a in answers})[-2:]:
                await check_boards(engine, answers, today)
            await engine.rebuild_stats(actor(answers[0][0]))  # the rebuilt histogram gives the same boards
            await check_boards(engine, answers, answers[-1][1])
        finally:
            await store.dispose()


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answer_logs())
def test_boards_match_the_oracle(sqlite_template, mini_catalog, answers):
    asyncio.run(run_log(sqlite_template, mini_catalog, answers))


# --- plans: the top ten is read in index order ----------------------------------------------------

async def board_statements(engine: Engine, store, period: str) -> list[tuple[str, object]]:
    """The SQL (and parameters) a board call runs."""
    from sqlalchemy import event
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))
    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        await engine.leaderboard(actor("ann"), utc(2024, 5, 27, 13), period, limit=2)
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("period", ["week", "all"])
async def test_the_top_ten_needs_no_sort(engine, store, period):
    """With many learners tied on points, sorting them per call is what made boards slow; the board
    index has the board's whole order, so the plan has no sort step at all."""
    await answer_in_batches(engine, [(u, FIRST_DAY, 0, True) for u in USERS])  # six learners tied
    top = next((sql, params) for sql, params in await board_statements(engine, store, period) if "ORDER BY" in sql)
    async with store.engine.connect() as conn:
        if store.is_sqlite:
            plan = " ".join(str(r[-1]) for r in await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + top[0], top[1]))
            assert "ix_" in plan and "TEMP B-TREE" not in plan, (plan, top)
        else:
            await conn.exec_driver_sql("SET enable_seqscan = off")
            await conn.exec_driver_sql("SET enable_sort = off")  # a sort in the plan now means no index can order
            plan = " ".join(r[0] for r in await conn.exec_driver_sql("EXPLAIN " + top[0], top[1]))
            assert "Sort" not in plan and "ix_" in plan, plan

"""Answering through the Engine: once per delivery, grading input, points, access, groups, boards, stats."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import actor, utc
from sqlalchemy import func
from sqlmodel import select

from bot.engine import Engine
from bot.engine.answers import NON_ANSWER_NOTE
from bot.errors import BadInput, NotFound
from bot.models import Answer, Learner, LearnerStats, StudyGroup

NOW = utc(2024, 6, 5, 12)  # a Wednesday
CAPITAL, LOSS, HARD = 0, 1, 2  # mini.yml: single choice (d1, 2 = teacher), free text (d2), single choice (d3, 1 = softens)
RIGHT = {CAPITAL: "2", LOSS: "KL divergence", HARD: "1"}
WRONG = {CAPITAL: "1", LOSS: "cross entropy", HARD: "2"}


async def card(engine: Engine, who, index: int, now: datetime = NOW):
    return await engine.lesson_question(who, "mini", index, now)


async def answer(engine: Engine, who, index: int, raw: str, now: datetime = NOW):
    c = await card(engine, who, index, now)
    return await engine.answer(who, c.delivery_id, raw, now)


async def answer_rows(store) -> int:
    async with store.read() as session:
        return (await session.exec(select(func.count()).select_from(Answer))).one()


async def learner_id(store, user: str) -> int:
    async with store.read() as session:
        return (await session.exec(select(Learner.id).where(Learner.user_id == user))).one()


# --- one answer per delivery ---------------------------------------------------------------------

async def test_second_answer_is_a_repeat_with_the_first_verdict(engine, store):
    me = actor("u1")
    c = await card(engine, me, CAPITAL)
    first = await engine.answer(me, c.delivery_id, "2", NOW)
    assert (first.status, first.correct, first.points, first.total_points) == ("new", True, 10, 10)
    again = await engine.answer(me, c.delivery_id, "1", NOW + timedelta(minutes=1))  # a different choice
    assert again.status == "repeat"
    assert (again.correct, again.points, again.total_points, again.your_answer) == (True, 10, 10, "2. The teacher")
    assert again.right_answer == first.right_answer and again.explanation == first.explanation
    view = await engine.streak(me, NOW)
    assert (view.points, view.answers, view.correct) == (10, 1, 1)
    assert await answer_rows(store) == 1


async def test_fifty_concurrent_answers_store_exactly_one(engine, store):
    me = actor("u1")
    c = await card(engine, me, CAPITAL)
    raws = ["2" if i % 2 else "1" for i in range(50)]  # a double click storm with mixed choices
    verdicts = await asyncio.gather(*(engine.answer(me, c.delivery_id, raw, NOW) for raw in raws))
    assert sorted(v.status for v in verdicts).count("new") == 1
    assert {v.status for v in verdicts} == {"new", "repeat"}
    assert len({(v.correct, v.your_answer, v.points) for v in verdicts}) == 1  # all agree with the winner
    assert await answer_rows(store) == 1
    view = await engine.streak(me, NOW)
    assert (view.answers, view.points) == (1, verdicts[0].points)
    assert await engine.verify_stats(me) == []


# --- grading input -------------------------------------------------------------------------------

async def test_wrong_answer_scores_nothing_and_shows_the_right_one(engine):
    v = await answer(engine, actor("u1"), CAPITAL, "1")
    assert (v.status, v.correct, v.close, v.points, v.total_points) == ("new", False, False, 0, 0)
    assert v.your_answer == "1. The student"
    assert v.right_answer == "2. The teacher"
    assert v.explanation == "The teacher is the large model."


async def test_choice_by_number_id_or_words(engine):
    for i, raw in enumerate(["2", " 2 ", "b", "the teacher", "The Teacher", "teacher"]):
        v = await answer(engine, actor(f"u{i}"), CAPITAL, raw)
        assert (raw, v.correct, v.your_answer, v.points) == (raw, True, "2. The teacher", 10)
    v = await answer(engine, actor("u1"), HARD, "sharpens them")
    assert (v.correct, v.your_answer) == (False, "2. Sharpens them")


async def test_unreadable_choice_raises_bad_input_and_stores_nothing(engine, store):
    me = actor("u1")
    await answer(engine, me, CAPITAL, "2")  # earlier stats: 10 points, 1 answer
    before = await engine.streak(me, NOW)
    c = await card(engine, me, CAPITAL)
    for raw in ["0", "4", "99", "-1", "banana split", "the", "", "   "]:
        with pytest.raises(BadInput):
            await engine.answer(me, c.delivery_id, raw, NOW)
        assert await answer_rows(store) == 1, raw
        assert await engine.streak(me, NOW) == before, raw
    # The delivery is still open: a readable answer is taken afterwards.
    assert (await engine.answer(me, c.delivery_id, "3", NOW)).status == "new"


async def test_empty_free_text_raises_bad_input(engine, store):
    me = actor("u1")
    c = await card(engine, me, LOSS)
    for raw in ["", "   ", "\n\t"]:
        with pytest.raises(BadInput):
            await engine.answer(me, c.delivery_id, raw, NOW)
    assert await answer_rows(store) == 0
    assert (await engine.answer(me, c.delivery_id, "KL divergence", NOW)).points == 20


# --- points --------------------------------------------------------------------------------------

async def test_points_are_ten_times_difficulty(engine):
    me = actor("u1")
    got = [await answer(engine, me, i, RIGHT[i]) for i in (CAPITAL, LOSS, HARD)]
    assert [v.points for v in got] == [10, 20, 30]
    assert [v.total_points for v in got] == [10, 30, 60]


async def test_a_retake_earns_no_points_again(engine):
    me = actor("u1")
    assert (await answer(engine, me, HARD, "1")).points == 30
    retake = await answer(engine, me, HARD, "1", NOW + timedelta(days=1))
    assert (retake.status, retake.correct, retake.points, retake.total_points) == ("new", True, 0, 30)
    # Practice of an already scored question pays nothing either; the others pay once.
    right_by_id = {"mini-capital": "2", "mini-loss": "KL divergence", "mini-hard": "1"}
    paid = {}
    for _ in range(3):
        p = await engine.practice(me, NOW + timedelta(days=2))
        paid[p.question_id] = (await engine.answer(me, p.delivery_id, right_by_id[p.question_id], NOW + timedelta(days=2))).points
    assert paid == {"mini-capital": 10, "mini-loss": 20, "mini-hard": 0}
    assert await engine.verify_stats(me) == []


async def test_a_retake_after_a_wrong_answer_can_still_score_once(engine):
    me = actor("u1")
    assert (await answer(engine, me, CAPITAL, "1")).points == 0
    assert (await answer(engine, me, CAPITAL, "2")).points == 10
    assert (await answer(engine, me, CAPITAL, "2")).points == 0


async def test_points_are_per_learner(engine):
    assert (await answer(engine, actor("u1"), HARD, "1")).points == 30
    assert (await answer(engine, actor("u2"), HARD, "1")).points == 30


async def test_free_text_close_answers_are_marked_close(engine):
    for i, (raw, correct, close) in enumerate([
        ("KL divergence", True, False),
        ("kullback-leibler divergance", True, False),
        ("kullback divergence", False, True),
        ("Kullback-Leibler", False, True),
        ("cross entropy", False, False),
    ]):
        v = await answer(engine, actor(f"u{i}"), LOSS, raw)
        assert (raw, v.correct, v.close, v.points) == (raw, correct, close, 20 if correct else 0)
        assert v.your_answer == raw
        assert v.right_answer == "KL divergence"


async def test_a_non_answer_scores_nothing_and_is_answered_kindly(engine):
    me = actor("u1")
    c = await card(engine, me, LOSS)
    v = await engine.answer(me, c.delivery_id, "I don't know", NOW)
    assert (v.status, v.correct, v.close, v.points, v.non_answer) == ("new", False, False, 0, True)
    assert v.note == NON_ANSWER_NOTE and v.right_answer == "KL divergence"
    again = await engine.answer(me, c.delivery_id, "KL divergence", NOW + timedelta(minutes=1))
    assert (again.status, again.correct, again.non_answer, again.note) == ("repeat", False, True, NON_ANSWER_NOTE)
    wrong = await answer(engine, actor("u2"), LOSS, "cross entropy")
    assert (wrong.non_answer, wrong.note) == (False, "")


# --- access ---------------------------------------------------------------------------------------

async def test_someone_elses_lesson_question_is_refused(engine, store):
    mine = await card(engine, actor("u1"), CAPITAL)
    with pytest.raises(NotFound):
        await engine.answer(actor("u2"), mine.delivery_id, "2", NOW)
    practice = await engine.practice(actor("u1"), NOW)
    with pytest.raises(NotFound):
        await engine.answer(actor("u2"), practice.delivery_id, "1", NOW)
    assert await answer_rows(store) == 0
    assert (await engine.answer(actor("u1"), mine.delivery_id, "2", NOW)).status == "new"


async def test_a_delivery_from_another_community_is_refused(engine, store):
    c = await card(engine, actor("u1", community="c1"), CAPITAL)
    with pytest.raises(NotFound):
        await engine.answer(actor("u1", community="c2"), c.delivery_id, "2", NOW)
    with pytest.raises(NotFound):
        await engine.answer(actor("u1", community="c1", platform="slack"), c.delivery_id, "2", NOW)
    with pytest.raises(NotFound):
        await engine.answer(actor("u1"), c.delivery_id + 1000, "2", NOW)
    assert await answer_rows(store) == 0


# --- groups ---------------------------------------------------------------------------------------

async def test_group_create_join_move_leave(engine, store):
    a, b = actor("ann"), actor("bob")
    made = await engine.group_create(a, "  Night   Owls ", NOW)
    assert (made.action, made.group, made.previous) == ("created", "Night Owls", None)
    assert (await engine.group_create(b, "Early Birds", NOW)).action == "created"
    listing = await engine.groups(a)
    assert [(g.name, g.members, g.is_mine) for g in listing] == [("Early Birds", 1, False), ("Night Owls", 1, True)]

    moved = await engine.group_join(b, "night owls", NOW)  # case-insensitive lookup
    assert (moved.action, moved.group, moved.previous) == ("moved", "Night Owls", "Early Birds")
    assert [(g.name, g.members) for g in await engine.groups(b)] == [("Night Owls", 2)]  # empty old group removed
    async with store.read() as session:
        assert (await session.exec(select(func.count()).select_from(StudyGroup))).one() == 1

    again = await engine.group_join(b, "Night Owls", NOW)
    assert (again.action, again.previous) == ("joined", None) and again.notes

    left = await engine.group_leave(a, NOW)
    assert (left.action, left.group, left.notes) == ("left", "Night Owls", ())
    assert [(g.name, g.members, g.is_mine) for g in await engine.groups(a)] == [("Night Owls", 1, False)]
    last = await engine.group_leave(b, NOW)
    assert last.action == "left" and last.notes  # the group was removed
    assert await engine.groups(a) == []
    with pytest.raises(BadInput):
        await engine.group_leave(a, NOW)
    with pytest.raises(NotFound):
        await engine.group_join(a, "Night Owls", NOW)


async def test_creating_while_in_a_group_moves_you(engine):
    a = actor("ann")
    await engine.group_create(a, "First", NOW)
    second = await engine.group_create(a, "Second", NOW)
    assert (second.action, second.previous) == ("created", "First")
    assert [g.name for g in await engine.groups(a)] == ["Second"]


async def test_duplicate_group_name_is_refused(engine):
    await engine.group_create(actor("ann"), "Night Owls", NOW)
    for name in ["night owls", "NIGHT OWLS", " Night  Owls ", "Night Owls"]:
        with pytest.raises(BadInput):
            await engine.group_create(actor("bob"), name, NOW)
    assert [(g.name, g.members) for g in await engine.groups(actor("ann"))] == [("Night Owls", 1)]


async def test_bad_group_names_are_refused(engine):
    for name in ["", "   ", "x", "a" * 41, "bad/name", "-dash", "<b>owls</b>", "owls!", "nul\x00here"]:
        with pytest.raises(BadInput):
            await engine.group_create(actor("ann"), name, NOW)
    assert await engine.groups(actor("ann")) == []
    assert (await engine.group_create(actor("ann"), "Ok", NOW)).group == "Ok"  # 2 characters is enough
    assert (await engine.group_create(actor("bob"), "b" * 40, NOW)).group == "b" * 40


# --- leaderboards ---------------------------------------------------------------------------------

async def test_group_board_ranks_by_points_per_active_member(engine):
    solo, trio = actor("solo"), [actor(f"t{i}") for i in range(3)]
    await engine.group_create(solo, "Solo", NOW)
    await engine.group_create(trio[0], "Trio", NOW)
    for t in trio[1:]:
        await engine.group_join(t, "Trio", NOW)
    assert (await answer(engine, solo, HARD, "1")).points == 30
    for t in trio:
        assert (await answer(engine, t, LOSS, "KL divergence")).points == 20  # 60 in total
    board = await engine.group_leaderboard(trio[1], NOW, "all")
    assert board.kind == "groups"
    assert [(r.rank, r.name, r.points, r.members) for r in board.rows] == [(1, "Solo", 30, 1), (2, "Trio", 20, 3)]
    assert board.me is not None and board.me.name == "Trio" and board.me.is_me
    listing = {g.name: g.points for g in await engine.groups(solo)}
    assert listing == {"Solo": 30, "Trio": 60}


async def test_learner_board_ties_share_a_rank_and_me_is_always_shown(engine):
    p = [actor(f"p{i}", name=f"Player {i}") for i in range(1, 5)]
    await answer(engine, p[0], HARD, "1")  # 30
    await answer(engine, p[1], LOSS, "KL divergence")  # 20
    await answer(engine, p[2], CAPITAL, "2")  # 10
    await answer(engine, p[3], CAPITAL, "2")  # 10
    full = await engine.leaderboard(p[0], NOW, "all")
    assert [(r.rank, r.points) for r in full.rows] == [(1, 30), (2, 20), (3, 10), (3, 10)]
    assert full.total == 4
    top = await engine.leaderboard(p[3], NOW, "all", limit=2)
    assert [r.name for r in top.rows] == ["Player 1", "Player 2"]
    assert top.me is not None
    assert (top.me.name, top.me.rank, top.me.points, top.me.is_me) == ("Player 4", 3, 10, True)
    assert not any(r.is_me for r in top.rows)
    outsider = await engine.leaderboard(actor("nobody"), NOW, "all", limit=2)
    assert outsider.me is None and outsider.total == 4


async def test_board_streaks_are_shown_as_of_today(engine):
    """Stored streaks are as of each learner's last answer; the board shows them as of today."""
    day = utc(2024, 6, 3, 12)
    for i in range(3):
        await answer(engine, actor("old"), i, RIGHT[i], day + timedelta(days=i))
    await answer(engine, actor("new"), CAPITAL, RIGHT[CAPITAL], day + timedelta(days=2))
    board = await engine.leaderboard(actor("new"), day + timedelta(days=2), "all")
    assert [(r.name, r.streak) for r in board.rows] == [("old", 3), ("new", 1)]
    board = await engine.leaderboard(actor("new"), day + timedelta(days=3), "all")  # yesterday's streaks live on
    assert [(r.name, r.streak) for r in board.rows] == [("old", 3), ("new", 1)]
    board = await engine.leaderboard(actor("new"), day + timedelta(days=5), "all", limit=1)  # two days missed
    assert ([(r.name, r.streak) for r in board.rows], board.me.streak) == ([("old", 0)], 0)


async def test_board_periods_follow_the_community_time_zone(engine):
    """2024-06-30 is a Sunday and the last day of June: 23:30 and 00:30 Berlin time are 1 h apart."""
    await engine.set_timezone(actor("admin", admin=True), "Europe/Berlin", utc(2024, 6, 1))
    berlin = ZoneInfo("Europe/Berlin")
    sunday = datetime(2024, 6, 30, 23, 30, tzinfo=berlin).astimezone(UTC)
    monday = datetime(2024, 7, 1, 0, 30, tzinfo=berlin).astimezone(UTC)
    assert sunday.date() == monday.date()  # both on Sunday in UTC
    await answer(engine, actor("sun", name="Sun"), CAPITAL, "2", sunday)
    late_sunday = datetime(2024, 6, 30, 23, 45, tzinfo=berlin).astimezone(UTC)
    week = await engine.leaderboard(actor("sun"), late_sunday, "week")
    assert [r.name for r in week.rows] == ["Sun"] and str(week.since) == "2024-06-24"
    await answer(engine, actor("mon", name="Mon"), HARD, "1", monday)

    later = monday + timedelta(hours=10)
    week = await engine.leaderboard(actor("sun"), later, "week")
    assert ([r.name for r in week.rows], str(week.since), week.me) == (["Mon"], "2024-07-01", None)
    month = await engine.leaderboard(actor("sun"), later, "month")
    assert ([r.name for r in month.rows], str(month.since)) == (["Mon"], "2024-07-01")
    everything = await engine.leaderboard(actor("sun"), later, "all")
    assert [r.name for r in everything.rows] == ["Mon", "Sun"] and everything.since is None


async def test_a_remembered_zone_changed_by_another_process_is_not_used(engine):
    """Boards remember the reader's community and its zone; an admin's change made through another
    process must show on the very next board (its statement checks the remembered zone)."""
    await answer(engine, actor("early", name="Early"), CAPITAL, "2", utc(2024, 6, 24, 12))  # a Monday
    await answer(engine, actor("late", name="Late"), CAPITAL, "2", utc(2024, 6, 30, 11))  # Sunday in UTC
    noon = utc(2024, 6, 30, 12)
    before = await engine.leaderboard(actor("early"), noon, "week")
    assert (sorted(r.name for r in before.rows), str(before.since)) == (["Early", "Late"], "2024-06-24")
    other_process = Engine(engine.store, engine.catalog)
    await other_process.set_timezone(actor("admin", admin=True), "Pacific/Kiritimati", noon)  # UTC+14: Monday there
    await answer(engine, actor("next", name="Next"), CAPITAL, "2", noon + timedelta(minutes=30))  # counts for 1 July
    after = await engine.leaderboard(actor("early"), noon + timedelta(hours=1), "week")
    # With the remembered zone (UTC) the board would be the week of 24 June: Early and Late.
    assert ([r.name for r in after.rows], str(after.since), after.me) == (["Next"], "2024-07-01", None)


async def test_board_periods_in_utc_by_default(engine):
    sunday_late = utc(2024, 6, 30, 23, 30)
    await answer(engine, actor("a"), CAPITAL, "2", sunday_late - timedelta(hours=1))
    await answer(engine, actor("b"), CAPITAL, "2", sunday_late)
    week = await engine.leaderboard(actor("a"), sunday_late, "week")
    assert len(week.rows) == 2 and str(week.since) == "2024-06-24"
    assert (await engine.leaderboard(actor("a"), utc(2024, 7, 1, 0, 30), "week")).rows == ()


async def test_bad_period_is_refused(engine):
    await answer(engine, actor("a"), CAPITAL, "2")
    with pytest.raises(BadInput):
        await engine.leaderboard(actor("a"), NOW, "fortnight")


async def test_board_group_filter(engine):
    a, b, c = actor("a", name="A"), actor("b", name="B"), actor("c", name="C")
    await engine.group_create(a, "Alpha", NOW)
    await engine.group_join(b, "alpha", NOW)
    await engine.group_create(c, "Gamma", NOW)
    for who in (a, b, c):
        await answer(engine, who, CAPITAL, "2")
    alpha = await engine.leaderboard(c, NOW, "all", group="ALPHA")
    assert (alpha.group, [r.name for r in alpha.rows], alpha.me, alpha.total) == ("Alpha", ["A", "B"], None, 2)
    gamma = await engine.leaderboard(c, NOW, "all", group="Gamma")
    assert [r.name for r in gamma.rows] == ["C"] and gamma.me is not None
    with pytest.raises(NotFound):
        await engine.leaderboard(c, NOW, "all", group="Delta")


# --- the cache equals the log ---------------------------------------------------------------------

async def test_verify_and_rebuild_stats(engine, store):
    a, b = actor("a"), actor("b")
    day = utc(2024, 6, 3, 12)
    for i in range(9):
        await answer(engine, a, i % 3, RIGHT[i % 3] if i % 2 else WRONG[i % 3], day + timedelta(days=i))
    c = await card(engine, b, LOSS, day)
    await engine.answer(b, c.delivery_id, "kullback divergence", day)
    await engine.answer(b, c.delivery_id, "KL divergence", day)  # a repeat: changes nothing
    with pytest.raises(BadInput):
        await answer(engine, b, CAPITAL, "7", day + timedelta(days=1))
    await answer(engine, b, HARD, "1", day + timedelta(days=3))
    await engine.group_create(b, "Bees", day)
    assert await engine.verify_stats(a) == []

    before = await engine.streak(a, day + timedelta(days=8))
    assert (before.current, before.freezes, before.answers) == (9, 1, 9)
    ida = await learner_id(store, "a")
    async with store.write() as session:
        row = await session.get(LearnerStats, ida)
        row.points, row.current_streak = row.points + 999, 42
        session.add(row)
    problems = await engine.verify_stats(a)
    assert {(p.learner_id, p.field) for p in problems} == {(ida, "points"), (ida, "current_streak")}
    bad = next(p for p in problems if p.field == "points")
    assert bad.stored == before.points + 999 and bad.derived == before.points

    assert await engine.rebuild_stats(a) == 2  # both learners rewritten
    assert await engine.verify_stats(a) == []
    assert await engine.streak(a, day + timedelta(days=8)) == before


async def test_verify_stats_needs_a_community(engine):
    with pytest.raises(NotFound):
        await engine.verify_stats(actor("ghost", community="nowhere"))

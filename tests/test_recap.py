"""The weekly recap through the engine: a fortnight of daily posts answered by a seeded crowd (the
injected clock, no waiting), then the recap's figures against a direct computation on the answer
log; exactly once across restarts and two engines on one database; nothing for an empty week; recap
off and a moved day respected."""
from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import actor
from recording_sender import RecordingSender
from sqlalchemy import text

from bot.db import Store
from bot.engine import Engine
from bot.engine.recaps import recap_ledger
from bot.ports import SendError, SenderRouter
from bot.recap_views import RecapView
from bot.views import ScheduleSpec

ADMIN = actor("boss", admin=True)
FIRST = date(2026, 1, 5)  # a Monday
LEARNERS = [f"l{i}" for i in range(9)]
GROUPS = {"l0": "Owls", "l1": "Owls", "l2": "Foxes", "l3": "Foxes", "l4": "Bees", "l5": "Ants"}


class RecapRecorder(RecordingSender):
    def __init__(self):
        super().__init__()
        self.recaps: list[RecapView] = []

    async def post_recap(self, recap: RecapView) -> str:
        self.recaps.append(recap)
        return f"recap-{recap.recap_id}"


def slot(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


async def fortnight(engine: Engine, sender: RecapRecorder, days: int = 14, seed: int = 7) -> int:
    """Creates a daily schedule and answers its posts for `days` days; returns the schedule id."""
    setup = slot(FIRST) - timedelta(days=1)
    view = await engine.schedules.create(ADMIN, ScheduleSpec("general", "09:00", "daily"), setup)
    for user, group in GROUPS.items():
        try:
            await engine.group_join(actor(user, f"Name {user}"), group, setup)
        except Exception:
            await engine.group_create(actor(user, f"Name {user}"), group, setup)
    rng = random.Random(seed)
    for i in range(days):
        day = FIRST + timedelta(days=i)
        await engine.tick(slot(day))
        post = sender.posts[-1]
        for n, user in enumerate(LEARNERS):
            if rng.random() < 0.8:
                choices = [c.label for c in post.question.choices] or ["free text"]
                # l3 learns: right more often in the second week (choice 1 is not always right, so luck stays)
                pick = choices[0] if (user == "l3" and i >= 7) or rng.random() < n / 10 else rng.choice(choices)
                await engine.answer_post(actor(user, f"Name {user}"), post.post_id, pick, slot(day) + timedelta(hours=1))
    return view.id


async def direct(engine: Engine, schedule_id: int, first: date, last: date) -> dict:
    """The figures straight from the answer log, in SQL, without the recap's code."""
    q = ("SELECT a.local_day, l.display_name, a.learner_id, a.correct, a.points, a.question_id, g.name FROM answer a "
         "JOIN post p ON p.delivery_id = a.delivery_id JOIN learner l ON l.id = a.learner_id "
         "LEFT JOIN group_membership m ON m.learner_id = a.learner_id LEFT JOIN study_group g ON g.id = m.group_id "
         "WHERE p.schedule_id = :s AND a.local_day BETWEEN :a AND :b")
    async with engine.store.read() as session:
        rows = (await session.execute(text(q), dict(s=schedule_id, a=first, b=last))).all()
    days = {first + timedelta(days=i): [0, 0] for i in range(7)}
    learners: dict[str, list[int]] = {}
    groups: dict[str, int] = {}
    questions: dict[str, list[int]] = {}
    for day, name, _lid, correct, points, qid, group in rows:
        day = day if isinstance(day, date) else date.fromisoformat(day)
        days[day][0] += 1
        days[day][1] += bool(correct)
        learners.setdefault(name, [0, 0, 0])
        learners[name][0] += points
        learners[name][1] += 1
        learners[name][2] += bool(correct)
        if group:
            groups[group] = groups.get(group, 0) + points
        questions.setdefault(qid, [0, 0])
        questions[qid][0] += 1
        questions[qid][1] += bool(correct)
    return dict(days=days, learners=learners, groups=groups, questions=questions)


async def test_recap_figures_match_the_answer_log(store, mini_catalog):
    sender = RecapRecorder()
    engine = Engine(store, mini_catalog, router=SenderRouter({"console": sender}))
    sid = await fortnight(engine, sender)
    monday = FIRST + timedelta(days=14)
    outcomes = await engine.tick(slot(monday))
    assert [o.status for o in outcomes].index("recapped") < [o.status for o in outcomes].index("posted")  # before the question
    assert len(sender.recaps) == 2  # the Mondays after each week; the first Monday had an empty week before it
    recap = sender.recaps[-1]
    assert (recap.week_start, recap.week_end) == (date(2026, 1, 12), date(2026, 1, 18))
    this, before = (await direct(engine, sid, date(2026, 1, 12), date(2026, 1, 18)),
                    await direct(engine, sid, date(2026, 1, 5), date(2026, 1, 11)))
    assert [(d.day, d.answers, d.correct) for d in recap.days] == [(k, *v) for k, v in sorted(this["days"].items())]
    best = sorted(this["learners"].items(), key=lambda kv: (-kv[1][0], -kv[1][2], kv[0].casefold()))[:5]
    assert [(r.name, r.points, r.answers, r.correct) for r in recap.top_learners] == [(n, *v) for n, v in best]
    assert [g.points for g in recap.top_groups] == sorted(this["groups"].values(), reverse=True)[:3]
    assert all(this["groups"][g.name] == g.points for g in recap.top_groups)
    lowest = min(c / n for n, c in this["questions"].values())
    assert recap.hardest is not None and recap.hardest.correct / recap.hardest.answers == lowest
    assert recap.hardest.right_answer and recap.hardest.prompt == mini_catalog.questions[recap.hardest.question_id].prompt
    rises = {name: v[2] / v[1] - before["learners"][name][2] / before["learners"][name][1]
             for name, v in this["learners"].items()
             if name in before["learners"] and v[1] >= 3 and before["learners"][name][1] >= 3}
    if max(rises.values(), default=0) > 0:
        assert recap.improved is not None and rises[recap.improved.name] == max(rises.values())
    else:
        assert recap.improved is None
    assert recap.chart is not None and recap.chart.png.startswith(b"\x89PNG")
    assert await recap_ledger(engine.store, sid) == [(date(2025, 12, 29), "empty"), (date(2026, 1, 5), "posted"),
                                                    (date(2026, 1, 12), "posted")]


async def test_exactly_once_across_restarts_and_two_engines(store, mini_catalog, tmp_path):
    sender = RecapRecorder()
    engine = Engine(store, mini_catalog, router=SenderRouter({"console": sender}))
    await fortnight(engine, sender, days=7)
    monday = slot(FIRST + timedelta(days=7))
    others = [RecapRecorder() for _ in range(2)]
    # Another process: its own connection pool on the same file (PostgreSQL: connections of one pool, each
    # engine's transactions their own, so the unique key still decides).
    second = Store(store.url) if store.is_sqlite else store
    engines = [Engine(s, mini_catalog, router=SenderRouter({"console": r})) for s, r in zip((store, second), others, strict=True)]
    try:
        await asyncio.gather(*(e.tick(monday) for e in engines), engines[1].tick(monday + timedelta(seconds=1)))
        restarted = Engine(second, mini_catalog, router=SenderRouter({"console": sender}))  # a restart later that day
        await restarted.tick(monday + timedelta(minutes=3))  # past the claim timeout: a settled row is not retaken
        await restarted.tick(monday + timedelta(hours=1))
    finally:
        if second is not store:
            await second.dispose()
    assert sum(len(s.recaps) for s in [sender, *others]) == 1


async def test_made_up_inside_the_grace_window_only(store, mini_catalog):
    sender = RecapRecorder()
    engine = Engine(store, mini_catalog, router=SenderRouter({"console": sender}))
    await fortnight(engine, sender, days=7)
    await engine.tick(slot(FIRST + timedelta(days=7)) + timedelta(hours=2))  # down at 09:00, back at 11:00
    assert len(sender.recaps) == 1
    await engine.tick(slot(FIRST + timedelta(days=14)) + timedelta(hours=4))  # down past the grace window
    assert len(sender.recaps) == 1


async def test_nothing_when_nobody_answered(store, mini_catalog):
    sender = RecapRecorder()
    engine = Engine(store, mini_catalog, router=SenderRouter({"console": sender}))
    sid = await fortnight(engine, sender, days=7, seed=1)
    async with engine.store.write() as session:  # the week's answers gone: an empty week
        await session.execute(text("DELETE FROM answer"))
    await engine.tick(slot(FIRST + timedelta(days=7)))
    assert sender.recaps == []
    assert (await recap_ledger(engine.store, sid))[-1] == (date(2026, 1, 5), "empty")


async def test_recap_off_and_moved_day(store, mini_catalog):
    sender = RecapRecorder()
    engine = Engine(store, mini_catalog, router=SenderRouter({"console": sender}))
    sid = await fortnight(engine, sender, days=7)
    view = await engine.schedule_set_recap(ADMIN, sid, "off", slot(FIRST + timedelta(days=6, hours=2)))
    assert view.recap_weekday is None
    await engine.tick(slot(FIRST + timedelta(days=7)))
    assert sender.recaps == []
    view = await engine.schedule_set_recap(ADMIN, sid, "Wednesday", slot(FIRST + timedelta(days=7, hours=2)))
    assert view.recap_weekday == "wed"
    await engine.tick(slot(FIRST + timedelta(days=8)))  # Tuesday: not yet
    assert sender.recaps == []
    await engine.tick(slot(FIRST + timedelta(days=9)))  # Wednesday: the seven days before it
    assert [(r.week_start, r.week_end) for r in sender.recaps] == [(date(2026, 1, 7), date(2026, 1, 13))]
    with pytest.raises(Exception, match="one day a week"):
        await engine.schedule_set_recap(ADMIN, sid, "mon-fri", slot(FIRST + timedelta(days=9)))


class FailingOnce(RecapRecorder):
    def __init__(self):
        super().__init__()
        self.refuse = 1

    async def post_recap(self, recap: RecapView) -> str:
        if self.refuse:
            self.refuse -= 1
            raise SendError("platform said 503")
        return await super().post_recap(recap)


async def test_a_failed_send_is_retried_and_a_crashed_claim_retaken(store, mini_catalog):
    sender = FailingOnce()
    engine = Engine(store, mini_catalog, router=SenderRouter({"console": sender}))
    sid = await fortnight(engine, sender, days=7)
    monday = slot(FIRST + timedelta(days=7))
    failed = [o for o in await engine.tick(monday) if o.detail.startswith("recap:")]
    assert [o.status for o in failed] == ["failed"] and failed[0].retry_at == monday + timedelta(seconds=30)
    await engine.tick(failed[0].retry_at)
    assert len(sender.recaps) == 1 and (await recap_ledger(engine.store, sid))[-1][1] == "posted"
    # A claim left by a crash (claimed, never recorded) is taken over once the claim timeout has passed.
    async with engine.store.write() as session:
        await session.execute(text("UPDATE recap SET status = 'claimed', claimed_at = :at WHERE schedule_id = :s "
                                   "AND week_start = :w"), dict(at=monday, s=sid, w=date(2026, 1, 5)))
    await engine.tick(monday + timedelta(minutes=1))
    assert len(sender.recaps) == 1  # a live claim is left alone
    await engine.tick(monday + timedelta(minutes=3))
    assert len(sender.recaps) == 2 and (await recap_ledger(engine.store, sid))[-1][1] == "posted"

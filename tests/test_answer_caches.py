"""The answer path keeps ids in memory (bot/engine/known_ids.py), never what another process can change:
closing, time zones and first answers are read in each batch, so a warm cache still sees them."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from conftest import actor, utc
from recording_sender import RecordingSender
from sqlmodel import select

import bot.engine.group_commit as group_commit
from bot.engine import Engine
from bot.models import Answer
from bot.ports import SenderRouter
from bot.views import ScheduleSpec

ADMIN = actor("boss", admin=True)
SLOT = utc(2026, 5, 4, 9)  # a Monday, 09:00 UTC


def process(store, catalog) -> Engine:
    """One bot process: its own engine, so its own caches, on the shared database."""
    return Engine(store, catalog, router=SenderRouter({"console": RecordingSender()}))


async def posted(engine: Engine) -> int:
    await engine.schedules.create(ADMIN, ScheduleSpec("ch1", "09:00", "daily"), SLOT - timedelta(days=1))
    return [o.post_id for o in await engine.tick(SLOT) if o.status == "posted"][0]


async def test_a_post_closed_by_another_process_is_closed_here_too(store, mini_catalog):
    here, there = process(store, mini_catalog), process(store, mini_catalog)
    post_id = await posted(here)
    first = await here.answer_post(actor("ann"), post_id, "2", SLOT + timedelta(minutes=5))
    assert first.status == "new" and post_id in here.committer.known.post_deliveries  # the cache is warm
    await there.poster.reveal(post_id, SLOT + timedelta(hours=1))  # the other process closes the post
    late = await here.answer_post(actor("bob"), post_id, "2", SLOT + timedelta(hours=1, minutes=1))
    again = await here.answer_post(actor("ann"), post_id, "1", SLOT + timedelta(hours=1, minutes=2))
    assert late.status == "closed"
    assert (again.status, again.points, again.your_answer) == ("repeat", first.points, first.your_answer)


async def test_a_restarted_process_still_gives_the_first_verdict(store, mini_catalog):
    before = process(store, mini_catalog)
    post_id = await posted(before)
    first = await before.answer_post(actor("ann"), post_id, "2", SLOT + timedelta(minutes=5))
    await before.poster.reveal(post_id, SLOT + timedelta(hours=1))
    after = process(store, mini_catalog)  # nothing in memory: closed post, bad input, and still a repeat
    for raw in ("1", "9"):
        verdict = await after.answer_post(actor("ann"), post_id, raw, SLOT + timedelta(hours=2))
        assert (verdict.status, verdict.points, verdict.total_points) == ("repeat", first.points, first.total_points)


async def test_a_time_zone_changed_elsewhere_decides_the_next_answers_day(store, mini_catalog):
    here, there = process(store, mini_catalog), process(store, mini_catalog)
    ann = actor("ann")
    late_evening = utc(2026, 5, 4, 22, 30)
    card = await here.lesson_question(ann, "mini", 0, late_evening)
    assert (await here.answer(ann, card.delivery_id, "2", late_evening)).status == "new"
    await there.set_timezone(ADMIN, "Pacific/Auckland", late_evening)
    card = await here.lesson_question(ann, "mini", 2, late_evening)
    assert (await here.answer(ann, card.delivery_id, "1", late_evening)).status == "new"
    async with store.read() as session:
        days = (await session.exec(select(Answer.local_day).order_by(Answer.id))).all()
    auckland = late_evening.astimezone(ZoneInfo("Pacific/Auckland")).date()
    assert days == [date(2026, 5, 4), auckland] and auckland == date(2026, 5, 5)
    assert await here.verify_stats(ADMIN) == []


async def test_ids_seen_by_a_failed_batch_are_not_remembered(store, mini_catalog, monkeypatch):
    engine = process(store, mini_catalog)
    card = await engine.lesson_question(actor("ann"), "mini", 0, SLOT)

    def broken(*args):
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(group_commit, "verdict_for", broken)
    try:
        await engine.answer(actor("ann"), card.delivery_id, "2", SLOT)
    except RuntimeError:
        pass
    known = engine.committer.known
    assert known.communities == {} and known.learners == {}
    monkeypatch.undo()
    assert (await engine.answer(actor("ann"), card.delivery_id, "2", SLOT)).status == "new"
    assert len(known.learners) == 1 and len(known.communities) == 1

"""Review across the community's midnight and a DST change, within one session, and with two
processes (two engines, each with its own connection pool) reviewing the same card."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from conftest import actor
from sqlmodel import select
from test_review import ME, WRONG, answer_lesson, cards

from bot.db import Store
from bot.engine import Engine
from bot.models import Answer, Delivery

ADMIN = actor("boss", admin=True)


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)


async def test_a_card_is_due_from_the_start_of_the_communitys_local_day(engine, store):
    berlin = "Europe/Berlin"
    await engine.set_timezone(ADMIN, berlin, local(berlin, 2026, 3, 9, 12, 0))
    await answer_lesson(engine, 0, WRONG["mini-capital"], local(berlin, 2026, 3, 10, 22, 0))  # due 22:00 on the 11th
    assert (await engine.review_status(ME, local(berlin, 2026, 3, 10, 23, 50))).due == 0
    just_after_midnight = local(berlin, 2026, 3, 11, 0, 10)  # still the 10th in UTC
    assert just_after_midnight.day == 10
    got = await engine.review_next(ME, just_after_midnight)
    assert got.card is not None and got.status.due == 1
    verdict = await engine.answer(ME, got.card.delivery_id, "2", just_after_midnight)
    assert verdict.review and verdict.status == "new"


async def test_a_card_answered_on_the_25_hour_day_is_not_due_again_that_day(engine, store):
    ny = "America/New_York"
    await engine.set_timezone(ADMIN, ny, local(ny, 2026, 10, 30, 12, 0))
    await answer_lesson(engine, 0, WRONG["mini-capital"], local(ny, 2026, 10, 31, 0, 30))
    fall_back_day = local(ny, 2026, 11, 1, 0, 30)  # clocks go back at 02:00: this day has 25 hours
    got = await engine.review_next(ME, fall_back_day)
    assert got.card is not None
    await engine.answer(ME, got.card.delivery_id, "1", fall_back_day)  # wrong again: FSRS says one day
    late_that_day = local(ny, 2026, 11, 1, 23, 45)  # 23 h 15 min later, the same local day
    assert (await engine.review_next(ME, late_that_day)).card is None
    status = await engine.review_status(ME, late_that_day)
    assert status.due == 0 and status.next_due == local(ny, 2026, 11, 2, 0, 0)
    assert (await engine.review_status(ME, local(ny, 2026, 11, 2, 0, 5))).due == 1


async def test_nothing_is_due_twice_in_one_review_session(engine, store):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for index, question_id in enumerate(("mini-capital", "mini-loss", "mini-hard")):
        await answer_lesson(engine, index, WRONG[question_id], start)
    session = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)
    seen = []
    while (got := await engine.review_next(ME, session)).card is not None:
        assert got.status.due == 3 - len(seen)
        assert (await engine.review_next(ME, session)).card == got.card  # asked twice: the same delivery
        seen.append(got.card.question_id)
        await engine.answer(ME, got.card.delivery_id, WRONG[got.card.question_id], session)  # wrong: due tomorrow
    assert sorted(seen) == ["mini-capital", "mini-hard", "mini-loss"]
    assert got.status.due == 0 and got.status.next_due is not None and got.status.next_due.date() > session.date()


async def test_two_processes_reviewing_the_same_card_count_once(store, mini_catalog):
    first = Engine(store, mini_catalog)
    await answer_lesson(first, 0, WRONG["mini-capital"], datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    other_store = Store(store.url)
    second = Engine(other_store, mini_catalog)
    try:
        now = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
        a, b = await asyncio.gather(first.review_next(ME, now), second.review_next(ME, now))
        assert a.card is not None and b.card is not None and a.card.delivery_id == b.card.delivery_id
        verdicts = await asyncio.gather(first.answer(ME, a.card.delivery_id, "2", now),
                                        second.answer(ME, b.card.delivery_id, "2", now))
        assert sorted(v.status for v in verdicts) == ["new", "repeat"] and all(v.review for v in verdicts)
    finally:
        await other_store.dispose()
    card = (await cards(store))["mini-capital"]
    assert card.reviews == 2  # the lesson answer and one review
    async with store.read() as session:
        reviews = (await session.exec(select(Delivery).where(Delivery.kind == "review"))).all()
        answers = (await session.exec(select(Answer).where(Answer.delivery_id == reviews[0].id))).all()
    assert len(reviews) == 1 and len(answers) == 1

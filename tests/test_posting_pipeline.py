"""A pass claims the next batch of due slots while the batch before is being sent (bot/engine/posting.py),
whatever was sent is recorded even when a later claim fails, and reveals are recorded as they are sent
(bot/engine/reveals.py), not when the whole batch is done."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import actor, utc
from sqlalchemy import func
from sqlmodel import select
from waiting import GUARD, eventually

from bot.engine import Engine, posting
from bot.models import Post, Schedule
from bot.ports import SenderRouter
from bot.views import PostCard, ScheduleSpec

ADMIN = actor("boss", admin=True)
SLOT = datetime(2026, 5, 4, 9, 0, tzinfo=ZoneInfo("UTC")).astimezone(UTC)
CHANNELS = ("c1", "c2", "c3", "c4")


class GatedSender:
    """Holds every post until `gate` opens, and the results for channels in `held` until `results_gate`
    opens; records what went out."""

    def __init__(self):
        self.gate, self.sent, self.started = asyncio.Event(), [], asyncio.Event()
        self.results_gate, self.held, self.revealed = asyncio.Event(), set(), []

    async def post_question(self, card: PostCard) -> str:
        self.started.set()
        await self.gate.wait()
        self.sent.append(card.channel_id)
        return f"msg-{card.post_id}"

    async def post_results(self, card, results) -> None:
        if card.channel_id in self.held:
            await self.results_gate.wait()
        self.revealed.append(card.channel_id)
        return None


async def engine_with_schedules(store, catalog, sender) -> Engine:
    engine = Engine(store, catalog, router=SenderRouter({"console": sender}))
    await engine.set_timezone(ADMIN, "UTC", utc(2026, 5, 1, 12))
    for channel in CHANNELS:
        await engine.schedules.create(ADMIN, ScheduleSpec(channel, "09:00", "daily"), utc(2026, 5, 1, 12))
    return engine


async def revealed_channels(store) -> set[str]:
    async with store.read() as session:
        return set((await session.exec(select(Schedule.channel_id).join(Post, Post.schedule_id == Schedule.id)
                                       .where(Post.revealed_at != None))).all())  # noqa: E711


async def statuses(store) -> dict[str, int]:
    async with store.read() as session:
        return dict((await session.exec(select(Post.status, func.count()).group_by(Post.status))).all())


async def claimed_four(store) -> bool:
    return (await statuses(store)).get("claimed") == 4


async def three_revealed(store) -> bool:
    return len(await revealed_channels(store)) == 3


async def test_the_next_batch_is_claimed_while_the_one_before_is_being_sent(store, mini_catalog, monkeypatch):
    monkeypatch.setattr(posting, "CLAIM_BATCH", 2)
    sender = GatedSender()
    engine = await engine_with_schedules(store, mini_catalog, sender)
    tick = asyncio.create_task(engine.tick(SLOT))
    await asyncio.wait_for(sender.started.wait(), GUARD)
    # the first batch is held at the platform; the second gets claimed meanwhile
    await eventually(lambda: claimed_four(store), "the second batch's claims")
    assert await statuses(store) == {"claimed": 4}
    sender.gate.set()
    outcomes = await asyncio.wait_for(tick, GUARD)
    assert sorted(o.status for o in outcomes) == ["posted"] * 4
    assert sorted(sender.sent) == list(CHANNELS)  # each once
    assert await statuses(store) == {"posted": 4}


async def test_a_failed_claim_still_records_what_the_batch_before_sent(store, mini_catalog, monkeypatch):
    monkeypatch.setattr(posting, "CLAIM_BATCH", 2)
    sender = GatedSender()
    engine = await engine_with_schedules(store, mini_catalog, sender)
    claim, calls = engine.poster.claimer.claim, []

    async def second_claim_fails(session, dues, now):
        calls.append(len(dues))
        if len(calls) == 2:
            asyncio.get_running_loop().call_later(0.2, sender.gate.set)  # the first batch is still being sent
            raise RuntimeError("database went away")
        return await claim(session, dues, now)

    monkeypatch.setattr(engine.poster.claimer, "claim", second_claim_fails)
    with pytest.raises(RuntimeError, match="database went away"):
        await asyncio.wait_for(engine.tick(SLOT), GUARD)
    assert len(sender.sent) == 2
    assert await statuses(store) == {"posted": 2}  # recorded before the error came out; the rest never claimed


async def test_reveals_are_recorded_while_later_ones_are_still_being_sent(store, mini_catalog):
    sender = GatedSender()
    sender.gate.set()
    engine = await engine_with_schedules(store, mini_catalog, sender)
    await engine.tick(SLOT)  # four posts, open until tomorrow's
    sender.held = {"c4"}  # c4's results hang at the platform
    tick = asyncio.create_task(engine.tick(SLOT + timedelta(days=1)))
    await eventually(lambda: three_revealed(store), "the first three reveals recorded")
    assert await revealed_channels(store) == {"c1", "c2", "c3"}  # a crash now would re-send c4's alone
    assert not tick.done()
    sender.results_gate.set()
    outcomes = await asyncio.wait_for(tick, GUARD)
    assert sorted(o.status for o in outcomes) == ["posted"] * 4 + ["revealed"] * 4
    assert await revealed_channels(store) == set(CHANNELS) and sorted(sender.revealed) == list(CHANNELS)

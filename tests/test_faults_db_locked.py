"""Another process holds SQLite's write lock for longer than the busy timeout: during an answer, during a
scheduled pass, and between a daily post's send and its record. Each test says what the user sees
and what is stored afterwards."""
from __future__ import annotations

from datetime import timedelta

import pytest_asyncio
from conftest import actor, utc
from db_faults import WriteLock, sqlite_store
from fake_slack.harness import start_http
from recording_sender import RecordingSender
from sqlmodel import select
from test_slack_posting import buttons, click, post, schedule

from bot.engine import Engine
from bot.models import Answer, Post
from bot.ports import SenderRouter
from bot.scheduler import SchedulerService
from bot.views import ScheduleSpec

ADMIN = actor("boss", admin=True)
SETUP, SLOT = utc(2026, 5, 1, 12), utc(2026, 5, 4, 9)  # a Monday 09:00 UTC
CLAIM_TIMEOUT = timedelta(minutes=2)


@pytest_asyncio.fixture
async def locked(tmp_path, sqlite_template):
    store, path = sqlite_store(sqlite_template, tmp_path)
    lock = WriteLock(path)
    yield store, lock
    lock.release()
    await store.dispose()


async def rows(store, model) -> list:
    async with store.read() as session:
        return list((await session.exec(select(model))).all())


async def test_an_answer_while_the_database_is_locked(locked, mini_catalog):
    """The learner sees a private notice to try again (no traceback); no answer is stored. Once the lock
    is gone, the same click counts as their first answer."""
    store, lock = locked
    h = await start_http(Engine(store, mini_catalog))
    try:
        await schedule(h)
        await post(h)
        [message] = await h.fake.wait_for("chat.postMessage")
        h.clock.at(8, 5)
        lock.take()
        notice, _ = await click(h, message, "b")
        assert notice["response_type"] == "ephemeral" and "try again" in notice["text"]
        assert "Traceback" not in notice["text"] + str(notice.get("blocks"))
        lock.release()
        assert await rows(store, Answer) == []
        verdict, _ = await click(h, message, "b")
        assert "Correct!" in verdict["text"] + str(verdict.get("blocks"))
        [stored] = await rows(store, Answer)
        assert stored.correct and stored.choice_id == "b"
        assert buttons(message.body)  # the post itself was never touched
    finally:
        lock.release()
        await h.close()


async def engine_with_schedule(store, catalog, sender) -> Engine:
    engine = Engine(store, catalog, router=SenderRouter({"console": sender}))
    await engine.set_timezone(ADMIN, "UTC", SETUP)
    await engine.schedules.create(ADMIN, ScheduleSpec("daily-ch", "09:00", "daily"), SETUP)
    return engine


async def test_a_scheduled_pass_while_the_database_is_locked(locked, mini_catalog):
    """The channel sees nothing while the lock is held (the pass cannot claim the slot, so it sends
    nothing), then exactly one daily question on the next pass. Stored: no ledger row, then one posted."""
    store, lock = locked
    sender = RecordingSender()
    engine = await engine_with_schedule(store, mini_catalog, sender)
    now = [SLOT]
    service = SchedulerService(engine, clock=lambda: now[0])
    lock.take()
    assert await service.run_tick() == []  # logged; the timer lives on
    lock.release()
    assert sender.posts == [] and await rows(store, Post) == []
    now[0] = SLOT + timedelta(minutes=1)  # the safety tick
    assert [o.status for o in await service.run_tick()] == ["posted"]
    now[0] = SLOT + CLAIM_TIMEOUT + timedelta(minutes=1)
    await service.run_tick()
    [row] = await rows(store, Post)
    assert row.status == "posted" and len(sender.posts) == 1 and row.message_ref == f"msg-{row.id}"


class LockedWhileSending(RecordingSender):
    """A platform that accepts the post while another process takes the database's write lock."""

    def __init__(self, lock: WriteLock):
        super().__init__()
        self.lock = lock

    async def post_question(self, card):
        ref = await super().post_question(card)
        self.lock.take()
        return ref


async def test_a_lock_between_send_and_record_does_not_post_twice(locked, mini_catalog, monkeypatch):
    """The channel sees one daily question. Stored: the post as posted with its message reference. The
    first attempt to record the send meets the lock (held past the busy timeout); the send went out,
    so the record is made again rather than left for a retaken claim to send a second copy."""
    store, lock = locked
    sender = LockedWhileSending(lock)
    engine = await engine_with_schedule(store, mini_catalog, sender)
    record, attempts = engine.poster._record, []

    async def record_then_let_go(results, now):
        attempts.append(lock.held)
        try:
            return await record(results, now)
        finally:
            lock.release()  # the other process is done after our first attempt

    monkeypatch.setattr(engine.poster, "_record", record_then_let_go)
    assert [o.status for o in await engine.tick(SLOT)] == ["posted"]
    assert attempts == [True, False]
    await engine.tick(SLOT + CLAIM_TIMEOUT + timedelta(minutes=1))  # a claim left unrecorded would be retaken now
    [row] = await rows(store, Post)
    assert (row.status, row.message_ref, len(sender.posts)) == ("posted", f"msg-{row.id}", 1)

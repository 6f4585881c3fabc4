"""Live answer counts, in the core: the group commit reports each batch's daily posts and counts, and
the service asks the door's sender to show them (coalesced, paced per post, never after the reveal).
No platform: a recording sender stands in for the door."""
from __future__ import annotations

import asyncio
from datetime import date

import pytest
from conftest import actor, utc
from recording_sender import RecordingSender

from bot.engine import Engine
from bot.engine.post_counts import PostCount
from bot.ports import SenderRouter
from bot.runtime import Runtime
from bot.services.live_counts import LiveCounts
from bot.views import PostCard, QuestionCard, ScheduleSpec

OPEN_UNTIL = utc(2026, 3, 2, 10, 0)


class CountingSender(RecordingSender):
    """Records each count edit; an edit can be held in flight until the test releases it."""

    def __init__(self, count_interval: float = 0.0):
        super().__init__()
        self.count_interval = count_interval
        self.shown: list[tuple[int, int]] = []
        self.hold: asyncio.Event | None = None
        self.editing = asyncio.Event()

    async def show_answer_count(self, card: PostCard, count: int) -> None:
        self.editing.set()
        if self.hold is not None:
            await self.hold.wait()
        self.shown.append((card.post_id, count))


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def card(post_id: int, closes_at=OPEN_UNTIL) -> PostCard:
    question = QuestionCard(0, "q", "l", "Lesson", "Which?", "single_choice", (), "easy")
    return PostCard(post_id, 1, "fake", "c1", "chan", date(2026, 3, 2), question, None, closes_at, False,
                    message_ref=f"chan:{post_id}")


class FakeEngine:
    """What the service reads from the engine: the post as sent, and the router to its door's sender."""

    def __init__(self, sender: CountingSender):
        self.router = SenderRouter({"fake": sender})
        self.lookups = 0

    async def open_post_card(self, post_id: int) -> PostCard | None:
        self.lookups += 1
        return card(post_id)


@pytest.fixture
def counts():
    sender = CountingSender()
    engine = FakeEngine(sender)
    service = LiveCounts(engine, Clock(utc(2026, 3, 2, 9, 30)))  # type: ignore[arg-type]
    service.start()
    return service, sender, engine


async def test_reports_coalesce_and_the_latest_count_wins(counts):
    service, sender, engine = counts
    sender.hold = asyncio.Event()
    service.counted([PostCount(7, 1)])
    await sender.editing.wait()  # the first edit is in flight: one edit per post at a time
    service.counted([PostCount(7, 2)])
    service.counted([PostCount(7, 4), PostCount(8, 1)])
    service.counted([PostCount(7, 3)])  # an older batch's count arriving late never lowers it
    sender.hold.set()
    await service.drain()
    assert sorted(sender.shown) == [(7, 1), (7, 4), (8, 1)]
    assert engine.lookups == 2  # the post is looked up once, not per edit


async def test_a_count_already_shown_is_not_sent_again(counts):
    service, sender, _ = counts
    service.counted([PostCount(7, 2)])
    await service.drain()
    service.counted([PostCount(7, 2)])
    await service.drain()
    assert sender.shown == [(7, 2)]


async def test_edits_of_one_post_keep_the_senders_interval(counts):
    service, sender, _ = counts
    sender.count_interval = 0.3
    loop = asyncio.get_running_loop()
    service.counted([PostCount(7, 1)])
    await service.drain()
    first = loop.time()
    service.counted([PostCount(7, 2)])
    await service.drain()
    assert loop.time() - first >= 0.25 and sender.shown == [(7, 1), (7, 2)]


async def test_no_edit_after_the_reveal_and_one_in_flight_finishes_first(counts):
    service, sender, _ = counts
    sender.hold = asyncio.Event()
    service.counted([PostCount(7, 1)])
    await sender.editing.wait()
    closing = asyncio.create_task(service.closing(7))
    await asyncio.sleep(0.05)
    assert not closing.done()  # the reveal waits for the edit in flight
    sender.hold.set()
    await closing
    service.counted([PostCount(7, 5)])  # a late report for a closed post
    await service.drain()
    assert sender.shown == [(7, 1)]


async def test_no_edit_once_the_post_closes_by_the_clock(counts):
    service, sender, _ = counts
    service.clock.now = OPEN_UNTIL  # revealed in another process, maybe: the reveal owns the message now
    service.counted([PostCount(7, 1)])
    await service.drain()
    assert sender.shown == []


async def test_stop_sends_what_is_owed_without_waiting_for_the_interval(counts):
    service, sender, _ = counts
    sender.count_interval = 60
    service.counted([PostCount(7, 1)])
    await service.drain()
    service.counted([PostCount(7, 2)])  # due only in a minute
    loop = asyncio.get_running_loop()
    started = loop.time()
    await service.stop()
    assert sender.shown == [(7, 1), (7, 2)] and loop.time() - started < 5
    service.counted([PostCount(7, 3)])  # stopped: no more reports taken
    await service.drain()
    assert sender.shown[-1] == (7, 2)


async def test_a_failed_edit_is_logged_and_the_next_count_tries_again(counts, caplog):
    service, sender, _ = counts

    async def refuse(card: PostCard, count: int) -> None:
        raise OSError("connection reset")
    sender.show_answer_count = refuse  # type: ignore[method-assign]
    service.counted([PostCount(7, 1)])
    await service.drain()
    assert "answer count edit failed" in caplog.text
    del sender.show_answer_count
    service.counted([PostCount(7, 2)])
    await service.drain()
    assert sender.shown == [(7, 2)]


async def test_answers_on_a_daily_post_reach_the_sender_through_the_runtime(store, mini_catalog):
    sender = CountingSender()
    engine = Engine(store, mini_catalog, router=SenderRouter({"console": sender}))
    clock = Clock(utc(2026, 3, 2, 8, 0))
    runtime = Runtime(engine, clock=clock)
    await runtime.start(timer=False)
    admin = actor("boss", admin=True)
    view = await engine.schedule_create(admin, ScheduleSpec("chan", "09:00", "mon-fri", "UTC", open_minutes=60), clock())
    clock.now = utc(2026, 3, 2, 9, 0)
    [posted] = await engine.tick(clock())
    assert posted.status == "posted" and posted.schedule_id == view.id
    clock.now = utc(2026, 3, 2, 9, 5)
    await asyncio.gather(*(engine.answer_post(actor(f"u{i}"), posted.post_id, "b", clock()) for i in range(3)))
    await engine.answer_post(actor("u0"), posted.post_id, "a", clock())  # a repeat: no new count
    await runtime.live_counts.drain()
    assert sender.shown[-1] == (posted.post_id, 3) and len(sender.shown) <= 3
    clock.now = utc(2026, 3, 2, 10, 1)
    assert [o.status for o in await engine.tick(clock())] == ["revealed"]
    await engine.answer_post(actor("late"), posted.post_id, "b", clock())  # closed: no count
    await runtime.stop()
    assert sender.shown[-1] == (posted.post_id, 3) and len(sender.results) == 1

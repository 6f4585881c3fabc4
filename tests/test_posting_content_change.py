"""The lesson content changes while a daily question is open (an admin edits the files and restarts
the bot): a post whose question is gone is closed without results, and a failed one is not sent again.
Nothing else in the pass is held up by it."""
from __future__ import annotations

from datetime import timedelta

from conftest import actor, utc
from recording_sender import RecordingSender

from bot.engine import Engine
from bot.models import Delivery, Post
from bot.ports import SenderRouter
from bot.views import ScheduleSpec

ADMIN = actor("boss", admin=True)
SETUP, SLOT = utc(2026, 5, 1, 12), utc(2026, 5, 4, 9)


async def posted_with_old_content(store, catalog, sender, fail: bool = False) -> int:
    engine = Engine(store, catalog, router=SenderRouter({"console": sender}))
    await engine.set_timezone(ADMIN, "UTC", SETUP)
    await engine.schedules.create(ADMIN, ScheduleSpec("ch1", "09:00", "daily", open_minutes=60), SETUP)
    sender.fail_next = 1 if fail else 0
    [outcome] = await engine.tick(SLOT)
    return outcome.post_id


async def test_an_open_post_whose_question_left_the_content_closes_without_results(store, mini_catalog, real_catalog):
    post_id = await posted_with_old_content(store, mini_catalog, RecordingSender())
    sender = RecordingSender()
    restarted = Engine(store, real_catalog, router=SenderRouter({"console": sender}))  # the mini lesson is gone
    [outcome] = await restarted.tick(SLOT + timedelta(hours=1))
    assert (outcome.status, outcome.post_id) == ("revealed", post_id) and "no longer in the content" in outcome.detail
    assert sender.results == []
    async with store.read() as session:
        post = await session.get(Post, post_id)
        delivery = await session.get(Delivery, post.delivery_id)
    assert post.revealed_at is not None and delivery.closed_at is not None  # closed: late clicks get "closed"
    assert await restarted.tick(SLOT + timedelta(hours=2)) == []


async def test_a_failed_post_whose_question_left_the_content_is_not_sent_again(store, mini_catalog, real_catalog):
    post_id = await posted_with_old_content(store, mini_catalog, RecordingSender(), fail=True)
    sender = RecordingSender()
    restarted = Engine(store, real_catalog, router=SenderRouter({"console": sender}))
    assert await restarted.tick(SLOT + timedelta(minutes=5)) == []
    assert sender.posts == []
    async with store.read() as session:
        post = await session.get(Post, post_id)
    assert post.status == "failed" and post.next_attempt_at is None and "no longer in the content" in post.error

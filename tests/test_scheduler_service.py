"""The apscheduler timer: jobs mirror the schedule table and are rebuilt after every change."""
from __future__ import annotations

import pytest
from conftest import actor, utc
from recording_sender import RecordingSender

from bot.engine import Engine
from bot.ports import SenderRouter
from bot.runtime import Runtime
from bot.scheduler import post_job_id, reveal_job_id
from bot.views import ScheduleSpec


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
async def timed(store, mini_catalog):
    sender = RecordingSender()
    engine = Engine(store, mini_catalog, router=SenderRouter({"console": sender}))
    clock = Clock(utc(2026, 3, 2, 7, 0))  # a Monday, before the 09:00 Berlin slot
    service = Runtime(engine, clock=clock).scheduler  # the runtime wires schedule changes to the timer
    yield engine, service, clock, sender
    await service.stop()


ADMIN = actor("boss", admin=True)


async def test_jobs_follow_the_schedule_table(timed):
    engine, service, clock, _ = timed
    await service.start()
    assert service.job_ids() == ["safety"]
    view = await engine.schedules.create(ADMIN, ScheduleSpec("chan", "09:00", "mon-fri", "Europe/Berlin"), clock())
    job_id = post_job_id("09:00", ("mon", "tue", "wed", "thu", "fri"), "Europe/Berlin")
    assert service.job_ids() == [job_id, "safety"]  # rebuilt by the change itself
    twin = await engine.schedules.create(ADMIN, ScheduleSpec("other", "09:00", "mon-fri", "Europe/Berlin"), clock())
    assert service.job_ids() == [job_id, "safety"]  # one wake-up serves every schedule due at that instant
    await engine.schedules.remove(ADMIN, twin.id)
    job = service.scheduler.get_job(job_id)
    assert job.trigger.fields[4].name == "day_of_week" and str(job.trigger.fields[4]) == "mon,tue,wed,thu,fri"
    assert str(job.trigger.timezone) == "Europe/Berlin"
    await engine.schedules.set_enabled(ADMIN, view.id, False, clock())
    assert service.job_ids() == ["safety"]


async def test_a_tick_posts_and_adds_the_reveal_timer(timed):
    engine, service, clock, sender = timed
    await service.start()
    await engine.schedules.create(ADMIN, ScheduleSpec("chan", "09:00", "mon-fri", "Europe/Berlin", open_minutes=30),
                                         clock())
    clock.now = utc(2026, 3, 2, 8, 0)
    outcomes = await service.run_tick()
    assert [o.status for o in outcomes] == ["posted"] and len(sender.posts) == 1
    assert sender.posts[0].closes_at == utc(2026, 3, 2, 8, 30)
    job_id = reveal_job_id(utc(2026, 3, 2, 8, 30))
    assert job_id in service.job_ids()
    assert service.scheduler.get_job(job_id).trigger.run_date == utc(2026, 3, 2, 8, 30)
    clock.now = utc(2026, 3, 2, 8, 30)
    assert [o.status for o in await service.run_tick()] == ["revealed"]
    assert len(sender.results) == 1 and len(sender.posts) == 1


async def test_start_makes_up_a_post_missed_while_down(timed):
    engine, service, clock, sender = timed
    await engine.schedules.create(ADMIN, ScheduleSpec("chan", "09:00", "daily", "Europe/Berlin"), clock())
    clock.now = utc(2026, 3, 2, 9, 30)  # the bot was down at 08:00 UTC and starts inside the grace window
    outcomes = await service.start()
    assert [o.status for o in outcomes] == ["posted"] and len(sender.posts) == 1
    assert sender.posts[0].local_date.isoformat() == "2026-03-02"


async def test_a_failing_pass_does_not_stop_the_timer(timed, monkeypatch):
    engine, service, clock, _ = timed
    await service.start()

    async def broken(now):
        raise RuntimeError("database went away")
    monkeypatch.setattr(engine, "tick", broken)
    assert await service.run_tick() == []  # logged, not raised
    assert service.scheduler.running


async def test_a_safety_tick_after_the_day_is_posted_writes_nothing(timed, monkeypatch):
    engine, service, clock, sender = timed
    for i in range(5):
        await engine.schedules.create(ADMIN, ScheduleSpec(f"chan{i}", "09:00", "daily", "Europe/Berlin"), clock())
    assert len(await engine.tick(utc(2026, 3, 2, 8, 0))) == 5
    writes = []
    real_write = engine.store.write

    def counting_write():
        writes.append(1)
        return real_write()
    monkeypatch.setattr(engine.store, "write", counting_write)
    assert await engine.tick(utc(2026, 3, 2, 8, 1)) == []
    assert writes == []  # every schedule is settled for today: one read decides that

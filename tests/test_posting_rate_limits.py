"""A platform's "too many requests" (RateLimited, HTTP 429 + Retry-After) through the engine: the poster
pauses the channel or the whole platform, spends no attempt, sends nothing while paused, and every
post and reveal goes out exactly once after the pauses. Virtual time: the fake platform counts its
one-second windows on the `now` the test gives, as the engine does."""
from __future__ import annotations

from datetime import date, timedelta

from conftest import actor, utc
from sqlmodel import select

from bot.bench.fakes import RateLimitedSender
from bot.domain.posting import PostingPolicy
from bot.engine import Engine
from bot.engine.posting import SEND_CONCURRENCY, earliest_retry
from bot.models import Post
from bot.ports import RateLimited, SenderRouter
from bot.scheduler import SchedulerService
from bot.views import PostCard, ScheduleSpec

ADMIN = actor("boss", admin=True)
SETUP = utc(2026, 5, 1, 12)
SLOT = utc(2026, 5, 4, 9)  # Monday 09:00 UTC


async def engine_with(store, catalog, sender, channels: int) -> Engine:
    engine = Engine(store, catalog, router=SenderRouter({"console": sender}))
    await engine.set_timezone(ADMIN, "UTC", SETUP)
    for i in range(channels):
        await engine.schedules.create(ADMIN, ScheduleSpec(f"ch{i}", "09:00", "daily"), SETUP)
    return engine


async def ledger(store) -> list[Post]:
    async with store.read() as session:
        return list((await session.exec(select(Post).order_by(Post.id))).all())


async def run_until_settled(engine: Engine, sender: RateLimitedSender, start, limit: int = 200) -> tuple[int, object]:
    """Tick when the engine says something is due again (as bot.scheduler wakes), until nothing waits."""
    now, ticks = start, 0
    while ticks < limit:
        sender.now = now
        outcomes = await engine.tick(now)
        ticks += 1
        wake = earliest_retry(outcomes)
        if wake is None:
            return ticks, now
        assert wake > now, "a pause must move time forward"
        now = wake
    raise AssertionError("never settled")


async def test_a_global_limit_pauses_the_whole_platform_and_loses_nothing(store, mini_catalog):
    sender = RateLimitedSender(SLOT, per_channel=1, overall=5)
    engine = await engine_with(store, mini_catalog, sender, 12)
    first = await engine.tick(SLOT)
    assert sum(o.status == "posted" for o in first) == 5
    # Only the sends already in flight when the first 429 came back were refused; the rest waited.
    assert 1 <= sender.limited["global"] <= SEND_CONCURRENCY - 5
    waiting = [o for o in first if o.status == "deferred"]
    assert len(waiting) == 7 and {o.retry_at for o in waiting} == {SLOT + timedelta(seconds=1)}

    ticks, _ = await run_until_settled(engine, sender, SLOT + timedelta(seconds=1))
    rows = await ledger(store)
    assert [r.status for r in rows] == ["posted"] * 12
    assert all(count == 1 for count in sender.posts.values()) and len(sender.posts) == 12
    assert max(r.attempts for r in rows) == 1, "a deferral is not an attempt"
    assert ticks <= 2  # 5 a second: the 7 left go out in the next two windows, one tick each


async def test_a_channel_limit_defers_only_that_channel(store, mini_catalog):
    class OneBusyChannel:
        def __init__(self):
            self.sent: list[str] = []

        async def post_question(self, card: PostCard) -> str:
            if card.channel_id == "ch0" and not self.sent.count("ch0-refused"):
                self.sent.append("ch0-refused")
                raise RateLimited("429 (channel)", retry_after=30)
            self.sent.append(card.channel_id)
            return f"m{card.post_id}"

        async def post_results(self, card, results):
            return None

    sender = OneBusyChannel()
    engine = await engine_with(store, mini_catalog, sender, 3)
    outcomes = {o.status: o for o in await engine.tick(SLOT)}
    assert sorted(sender.sent) == ["ch0-refused", "ch1", "ch2"]
    assert outcomes["deferred"].retry_at == SLOT + timedelta(seconds=30)
    row = next(r for r in await ledger(store) if r.id == outcomes["deferred"].post_id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 0, SLOT + timedelta(seconds=30))
    assert await engine.tick(SLOT + timedelta(seconds=29)) == []
    [again] = await engine.tick(SLOT + timedelta(seconds=30))
    assert again.status == "posted" and sender.sent.count("ch0") == 1


async def test_reveals_and_posts_of_the_same_minute_all_go_out_once(store, mini_catalog):
    """Yesterday's posts close at today's slot: every channel needs a reveal and a post at once."""
    unlimited = RateLimitedSender(SLOT - timedelta(days=1), per_channel=100, overall=1000)
    engine = await engine_with(store, mini_catalog, unlimited, 8)
    await engine.tick(SLOT - timedelta(days=1))
    sender = RateLimitedSender(SLOT, per_channel=1, overall=3)
    engine.router.register("console", sender)
    _, finished = await run_until_settled(engine, sender, SLOT)
    rows = await ledger(store)
    today = [r for r in rows if r.local_date == date(2026, 5, 4)]
    assert [r.status for r in today] == ["posted"] * 8 and all(r.attempts == 1 for r in today)
    assert all(r.revealed_at is not None for r in rows if r.local_date == date(2026, 5, 3))
    assert sorted(sender.results.values()) == [1] * 8 and sorted(sender.posts.values()) == [1] * 8
    assert finished - SLOT <= timedelta(seconds=8)  # 16 sends at 3 a second, paced by the pauses alone


async def test_a_pause_past_the_grace_window_gives_the_post_up(store, mini_catalog):
    class LimitedForHours:
        async def post_question(self, card):
            raise RateLimited("429", retry_after=4 * 3600)

        async def post_results(self, card, results):
            return None

    engine = await engine_with(store, mini_catalog, LimitedForHours(), 1)
    [outcome] = await engine.tick(SLOT)
    assert outcome.status == "deferred" and outcome.retry_at is None
    [row] = await ledger(store)
    assert row.status == "failed" and row.next_attempt_at is None


async def test_the_scheduler_wakes_when_the_pause_ends(store, mini_catalog):
    sender = RateLimitedSender(SLOT, per_channel=1, overall=1)
    engine = await engine_with(store, mini_catalog, sender, 2)
    service = SchedulerService(engine, clock=lambda: SLOT)
    service.scheduler.start()
    try:
        await service.run_tick()
        [job] = [j for j in service.scheduler.get_jobs() if j.id == "retry"]
        assert job.trigger.run_date == SLOT + timedelta(seconds=1)
        await service.rebuild()  # a schedule change rebuilds every job: the wake-up survives it
        assert "retry" in service.job_ids()
    finally:
        await service.stop()


async def test_claims_not_sent_within_half_the_claim_timeout_are_handed_back(store, mini_catalog):
    """Another process may retake a claim older than claim_timeout: a slow platform must not leave a
    batch of claims waiting that long, so the rest of the batch goes back to the ledger, due at once.
    Leases run on a virtual clock that each send moves on by 60 ms as it starts: with 0.2 s claims, half
    of that has passed once two sends started, so two go and the other 18 are handed back."""
    import asyncio

    class SlowPlatform:
        def __init__(self):
            self.sent: list[int] = []
            self.elapsed = 0.0

        async def post_question(self, card):
            self.elapsed += 0.06
            await asyncio.sleep(0)
            self.sent.append(card.post_id)
            return f"m{card.post_id}"

        async def post_results(self, card, results):
            return None

    sender = SlowPlatform()
    engine = Engine(store, mini_catalog, router=SenderRouter({"console": sender}),
                    policy=PostingPolicy(claim_timeout=timedelta(seconds=0.2)))
    engine.poster.pacer.monotonic = lambda: sender.elapsed
    await engine.set_timezone(ADMIN, "UTC", SETUP)
    for i in range(20):
        await engine.schedules.create(ADMIN, ScheduleSpec(f"ch{i}", "09:00", "daily"), SETUP)
    first = await engine.tick(SLOT)
    handed_back = [o for o in first if o.status == "deferred"]
    assert len(handed_back) == 18 and {o.retry_at for o in handed_back} == {SLOT}
    assert all(r.attempts == 0 and r.next_attempt_at == SLOT for r in await ledger(store) if r.status == "failed")
    later = SLOT + timedelta(seconds=1)
    while [o for o in await engine.tick(later) if o.status == "deferred"]:
        later += timedelta(seconds=1)
    assert sorted(sender.sent) == sorted({r.id for r in await ledger(store)})  # all sent, each once
    assert all(r.status == "posted" for r in await ledger(store))


async def test_the_scheduler_never_comes_back_sooner_than_a_second(store, mini_catalog):
    """A pass that ran long reports pauses counted from its start, possibly over already: the next pass
    still waits a second, so passes that each meet a 429 at once do not run back to back."""
    sender = RateLimitedSender(SLOT, per_channel=1, overall=1)
    engine = await engine_with(store, mini_catalog, sender, 2)
    later = SLOT + timedelta(seconds=30)  # the wall clock when the pass ends, well past the pause it reports
    readings = iter([SLOT])
    service = SchedulerService(engine, clock=lambda: next(readings, later))
    service.scheduler.start()
    try:
        outcomes = await service.run_tick()  # the pass runs at SLOT; everything after it reads `later`
        [job] = [j for j in service.scheduler.get_jobs() if j.id == "retry"]
        assert earliest_retry(outcomes) < later and job.trigger.run_date == later + timedelta(seconds=1)
    finally:
        await service.stop()

"""Scenario 3: thousands of schedules due in the same minute.

Set-up (not timed): communities in several time zones with `fanout_per_community` channels each; every
schedule is daily at the local time that falls on the same UTC minute. Rows go in through the raw
driver, with the column values the engine's own validation gives (`bot.engine.schedules.validated`).

- one tick: the time of one `engine.tick(now)` that claims every ledger row and hands every post to a
  no-op front door; checked: every schedule posted, each post sent once. Then (not a target) the
  next day's tick, which reveals every post of the first day and posts the second day's (on
  PostgreSQL after an ANALYZE: autovacuum would have run in the day between).
- rate limited: a smaller set of channels, whose posts of the day before are revealed (results) in
  the same minute; the front door allows 1 message/s per channel and 50/s overall and answers 429
  with Retry-After (RateLimited) beyond that. Ticks run in virtual time when bot.scheduler would wake:
  at the earliest retry or rate-limit pause a tick reported, else on the 60-second safety grid (grid
  points where nothing can be due are skipped: they would change nothing), until every post and
  reveal went out, or nothing is left to retry. Checked: nothing dropped (every post 'posted',
  every reveal done) and nothing doubled (one send per post id).
"""
from __future__ import annotations

import asyncio
import math
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from bot.bench.databases import Backend, FreshDb
from bot.bench.fakes import PLATFORM, NoopSender, RateLimitedSender
from bot.bench.leaderboard import BASE_REVISION, COLUMNS, sqlite_value
from bot.bench.measure import ScenarioResult, Target
from bot.bench.sizes import Sizes
from bot.content import Catalog
from bot.db import Store
from bot.domain.posting import PostingPolicy
from bot.engine import Engine
from bot.engine.posting import earliest_retry
from bot.engine.schedules import validated
from bot.migrate import upgrade
from bot.models import Post
from bot.ports import SenderRouter
from bot.timeutil import zone as tz
from bot.views import ScheduleSpec

SLOT = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # a Tuesday
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata",
         "Asia/Tokyo", "Australia/Sydney")
TARGET_S = 2.0
GRID = timedelta(seconds=60)  # bot.scheduler's safety tick
PER_CHANNEL, OVERALL = 1.0, 50.0


def rows_for(catalog: Catalog, schedules: int, per_community: int, created: datetime) -> tuple[list[tuple], list[tuple]]:
    communities: list[tuple] = []
    rows: list[tuple] = []
    template: dict[str, dict] = {}
    for i in range(schedules):
        cid = i // per_community + 1
        zone = ZONES[(cid - 1) % len(ZONES)]
        if len(communities) < cid:
            communities.append((cid, PLATFORM, f"fan-{cid}", f"Community {cid}", zone, created))
        local = SLOT.astimezone(tz(zone)).strftime("%H:%M")
        channel = f"fan-{cid}-{i}"
        key = f"{zone}{local}"
        if key not in template:  # the engine's own parsing and validation, once per distinct spec
            template[key] = validated(catalog, ScheduleSpec(channel, local, "daily"), zone)
        v = {**template[key], "channel_id": channel, "channel_name": channel}
        rows.append((i + 1, cid, PLATFORM, v["channel_id"], v["channel_name"], v["local_time"], v["weekdays"],
                     v["timezone"], v["track_lessons"], v["track_tags"], v["shuffle"], v["shuffle_seed"],
                     v["open_minutes"], v["ping_role"], v["results_in_thread"], True, None, "admin", created, created,
                     created))
    return communities, rows


async def load(db: FreshDb, catalog: Catalog, schedules: int, per_community: int) -> int:
    """Bulk-load at the base revision, then migrate to the newest (as for scenario 2)."""
    await upgrade(db.url, BASE_REVISION)
    count = await _load(db, catalog, schedules, per_community)
    await upgrade(db.url)
    await analyze(db)
    return count


async def analyze(db: FreshDb) -> None:
    """PostgreSQL: fresh planner statistics, as autovacuum keeps them (after a bulk load, or in the day
    between two mornings). SQLite: nothing (the app never runs ANALYZE there)."""
    if db.kind == "postgresql":
        conn = await db.pg_connect()
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()


async def _load(db: FreshDb, catalog: Catalog, schedules: int, per_community: int) -> int:
    created = SLOT - timedelta(days=7)
    communities, rows = rows_for(catalog, schedules, per_community, created)
    community_cols = COLUMNS["community"]
    if db.kind == "sqlite":
        def write() -> None:
            conn = db.sqlite_connect()
            try:
                conn.execute("BEGIN")
                for table, data in (("community", communities), ("schedule", rows)):
                    cols = COLUMNS[table]
                    conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                     [tuple(map(sqlite_value, r)) for r in data])
                conn.execute("COMMIT")
            finally:
                conn.close()
        await asyncio.to_thread(write)
    else:
        conn = await db.pg_connect()
        try:
            await conn.copy_records_to_table("community", records=communities, columns=community_cols)
            await conn.copy_records_to_table("schedule", records=rows, columns=COLUMNS["schedule"])
            for table in ("community", "schedule"):
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        finally:
            await conn.close()
    return len(communities)


async def posted_count(store: Store) -> dict[str, int]:
    async with store.read() as session:
        rows = (await session.exec(select(Post.status, func.count(col(Post.id))).group_by(Post.status))).all()
    return dict(rows)


async def one_tick(db: FreshDb, catalog: Catalog, sizes: Sizes, result: ScenarioResult) -> None:
    communities = await load(db, catalog, sizes.fanout_schedules, sizes.fanout_per_community)
    store = Store(db.url)
    sender = NoopSender()
    engine = Engine(store, catalog, router=SenderRouter({PLATFORM: sender}))
    try:
        started = time.perf_counter()
        outcomes = await engine.tick(SLOT)
        wall = time.perf_counter() - started
        statuses = await posted_count(store)
        # The next morning every post closes as the next one is due: one pass reveals and posts them all.
        await analyze(db)  # a day has passed
        started = time.perf_counter()
        next_day = await engine.tick(SLOT + timedelta(days=1))
        next_wall = time.perf_counter() - started
    finally:
        await store.dispose()
    n = sizes.fanout_schedules
    result.figures.update({"schedules": n, "communities": communities, "tick_s": wall, "posts_per_s": n / wall,
                           "ms_per_post": wall * 1000 / n, "next_day_tick_s": next_wall})
    result.checks.update({"next_day_revealed": sum(o.status == "revealed" for o in next_day),
                          "next_day_posted": sum(o.status == "posted" for o in next_day)})
    result.checks.update({"tick_posted": sum(o.status == "posted" for o in outcomes),
                          "tick_not_posted": n - statuses.get("posted", 0),
                          "tick_doubled": sum(1 for c in sender.posts.values() if c > 1)})
    result.targets.append(Target(f"one tick posting {n} schedules", f"<= {TARGET_S:g} s", wall, wall <= TARGET_S))


async def _next_due(store: Store, policy: PostingPolicy, after: datetime) -> datetime | None:
    """The earliest instant at which a tick could do something: a failed post's retry, a reveal whose claim
    went stale. (A superset of what the engine acts on, so skipping to it never skips work.)"""
    async with store.read() as session:
        retry = (await session.exec(select(func.min(Post.next_attempt_at)).where(Post.status == "failed"))).one()
        stale = (await session.exec(select(func.min(Post.reveal_claimed_at)).where(
            Post.status == "posted", col(Post.revealed_at).is_(None), col(Post.closes_at) <= after,
            col(Post.reveal_claimed_at).is_not(None)))).one()
        unclaimed = (await session.exec(select(func.count(col(Post.id))).where(
            Post.status == "posted", col(Post.revealed_at).is_(None), col(Post.closes_at) <= after,
            col(Post.reveal_claimed_at).is_(None)))).one()
    candidates = [t for t in (retry, stale + policy.claim_timeout if stale else None) if t is not None]
    if unclaimed:
        candidates.append(after)
    return min(candidates) if candidates else None


def _on_grid(start: datetime, at: datetime) -> datetime:
    steps = math.ceil(max((at - start).total_seconds(), 0) / GRID.total_seconds())
    return start + steps * GRID


async def rate_limited(db: FreshDb, catalog: Catalog, sizes: Sizes, result: ScenarioResult) -> None:
    n = sizes.limited_schedules
    await load(db, catalog, n, sizes.fanout_per_community)
    store = Store(db.url)
    policy = PostingPolicy()
    day_before = SLOT - timedelta(days=1)
    setup = Engine(store, catalog, router=SenderRouter({PLATFORM: NoopSender()}), policy=policy)
    try:
        await setup.tick(day_before)  # yesterday's posts, sent without limits: today they close and are revealed
        sender = RateLimitedSender(SLOT, PER_CHANNEL, OVERALL)
        engine = Engine(store, catalog, router=SenderRouter({PLATFORM: sender}), policy=policy)
        now, ticks, started = SLOT, 0, time.perf_counter()
        limit = SLOT + policy.grace + timedelta(hours=1)
        while now <= limit:
            sender.now = now
            outcomes = await engine.tick(now)
            ticks += 1
            async with store.read() as session:
                today_posted = (await session.exec(select(func.count(col(Post.id))).where(
                    Post.slot_at == SLOT, Post.status == "posted"))).one()
                unrevealed = (await session.exec(select(func.count(col(Post.id))).where(
                    Post.slot_at == day_before, col(Post.revealed_at).is_(None)))).one()
            if today_posted == n and unrevealed == 0:
                break
            # The next wake-up, as bot.scheduler plans it: the earliest retry or rate-limit pause the pass
            # reported, else the safety grid (skipping grid points where nothing can be due).
            due = await _next_due(store, policy, now)
            wakes = [t for t in (earliest_retry(outcomes), due and max(_on_grid(SLOT, due), now + GRID)) if t]
            if not wakes:
                break  # nothing left that any tick would retry
            now = max(min(wakes), now + timedelta(milliseconds=1))
        wall = time.perf_counter() - started
        async with store.read() as session:
            statuses = dict((await session.exec(select(Post.status, func.count(col(Post.id)))
                                                .where(Post.slot_at == SLOT).group_by(Post.status))).all())
            last_posted = (await session.exec(select(func.max(Post.posted_at)).where(Post.slot_at == SLOT))).one()
            last_revealed = (await session.exec(select(func.max(Post.revealed_at))
                                                .where(Post.slot_at == day_before))).one()
    finally:
        await store.dispose()
    finished = max(t for t in (last_posted, last_revealed, SLOT) if t is not None)
    posted = statuses.get("posted", 0)
    doubled_posts = sum(1 for c in sender.posts.values() if c > 1)
    doubled_reveals = sum(1 for c in sender.results.values() if c > 1)
    dropped_posts, dropped_reveals = n - posted, unrevealed
    ok = dropped_posts == 0 and dropped_reveals == 0 and doubled_posts == 0 and doubled_reveals == 0 \
        and len(sender.posts) == posted
    result.figures.update({"limited_schedules": n, "limited_virtual_s": (finished - SLOT).total_seconds(),
                           "limited_ticks": ticks, "limited_wall_s": wall})
    result.checks.update({"limited_posted": posted, "limited_posts_dropped": dropped_posts,
                          "limited_posts_doubled": doubled_posts, "limited_reveals_sent": len(sender.results),
                          "limited_reveals_dropped": dropped_reveals, "limited_reveals_doubled": doubled_reveals,
                          "limited_429_global": sender.limited.get("global", 0),
                          "limited_429_channel": sender.limited.get("channel", 0),
                          "limited_failed_for_good": statuses.get("failed", 0)})
    result.targets.append(Target("rate-limited: none dropped or doubled", "dropped = doubled = 0",
                                 float(dropped_posts + dropped_reveals + doubled_posts + doubled_reveals), ok))
    result.notes.append(
        f"rate-limited front door: {PER_CHANNEL:g} msg/s per channel, {OVERALL:g}/s overall (fixed one-second windows), "
        "429 → RateLimited(retry_after); virtual time, every send of a tick at the tick's instant; ticks when the "
        "scheduler would wake (the earliest retry or pause the tick reported, else the 60 s safety grid); yesterday's "
        "posts close at today's slot, so each channel gets a reveal and a post in the same minute; "
        "limited_virtual_s = last post or reveal minus the slot")


async def run(backend: Backend, catalog: Catalog, sizes: Sizes) -> ScenarioResult:
    result = ScenarioResult("fanout", "3. Fan-out: schedules due in the same minute", backend.kind)
    async with backend.fresh("fanout", migrate=False) as db:
        await one_tick(db, catalog, sizes, result)
    async with backend.fresh("limited", migrate=False) as db:
        await rate_limited(db, catalog, sizes, result)
    return result

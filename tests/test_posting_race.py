"""Several bot processes on one database race to post the same daily slot: the ledger's
UNIQUE(schedule_id, local_date) claim lets exactly one of them send, every day.

Eight Engines, each with its own Store (its own connection pool) on the same database, tick
concurrently (asyncio.gather) at each day's slot instant for 40 virtual days across the spring
change to daylight saving time; some tick twice. Outcome: exactly 40 posted ledger rows, exactly 40
sends across all senders, each local date once, and every closed post revealed exactly once.

Runtime: a tick costs ~10-40 ms of Python, and on SQLite a contended BEGIN IMMEDIATE waits in
SQLite's sleeping busy handler. So a seeded, changing group of engines races on most days (4 on
SQLite, 6 on PostgreSQL) and all eight, two of them twice, race every tenth day. 200 days took
40-140 s, against the suite's 120 s timeout: on a loaded machine (-n 8 on two cores) it ran out.
40 days keep every kind of race (all eight on four of them) and take a fifth of that.
"""
from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from conftest import PG_URL_VAR, actor
from recording_sender import RecordingSender
from sqlmodel import select

from bot.db import Store
from bot.engine import Engine
from bot.migrate import upgrade
from bot.models import Post
from bot.ports import SenderRouter
from bot.views import ScheduleSpec

ENGINES = 8
DAYS = 40
ZONE = "Europe/Berlin"  # 40 days from mid-March cross the spring-forward change (2026-03-29)
FIRST_DAY = date(2026, 3, 16)
ADMIN = actor("boss", admin=True)


def slot(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def racers(day_index: int, per_day: int, all_every: int) -> list[tuple[int, int]]:
    """(engine index, seconds after the slot) of the ticks racing on one day."""
    if day_index % all_every == 0:
        # Everyone at the slot instant, and two engines again a moment later (a retrying timer, a safety tick).
        return [(e, 0) for e in range(ENGINES)] + [((day_index // all_every + k) % ENGINES, 1 + k) for k in range(2)]
    # A group that changes every day (seeded, so runs repeat): every engine races with every other one.
    group = random.Random(day_index).sample(range(ENGINES), per_day)
    return [(e, 0) for e in group]


async def race(first: Store, make_store, catalog, per_day: int, all_every: int) -> None:
    stores = [first] + [make_store() for _ in range(ENGINES - 1)]
    senders = [RecordingSender() for _ in range(ENGINES)]
    engines = [Engine(s, catalog, router=SenderRouter({"console": r})) for s, r in zip(stores, senders, strict=False)]
    setup = slot(FIRST_DAY) - timedelta(days=1)
    await engines[0].set_timezone(ADMIN, ZONE, setup)
    await engines[0].schedules.create(ADMIN, ScheduleSpec("race", "09:00", "daily"), setup)
    started, ticked = time.monotonic(), Counter()
    try:
        for i in range(DAYS):
            at = slot(FIRST_DAY + timedelta(days=i))
            plan = racers(i, per_day, all_every)
            ticked.update(e for e, _ in plan)
            outcomes = await asyncio.gather(*(engines[e].tick(at + timedelta(seconds=s)) for e, s in plan))
            assert sum(o.status == "posted" for out in outcomes for o in out) == 1, (i, outcomes)
            assert not any(o.status in ("failed", "missed") for out in outcomes for o in out), (i, outcomes)
        elapsed = time.monotonic() - started
        assert set(ticked) == set(range(ENGINES))

        async with first.read() as session:
            rows = (await session.exec(select(Post))).all()
        assert len(rows) == DAYS
        assert all(r.status == "posted" for r in rows)
        expected_days = {FIRST_DAY + timedelta(days=i) for i in range(DAYS)}
        assert {r.local_date for r in rows} == expected_days

        sent = [card for s in senders for card in s.posts]
        assert len(sent) == DAYS
        assert Counter(card.local_date for card in sent) == Counter(expected_days)
        assert len({card.post_id for card in sent}) == DAYS
        # Each send is the one the ledger recorded (its claim token and message reference).
        by_id = {r.id: r for r in rows}
        for card in sent:
            assert by_id[card.post_id].claim_token == card.claim_token
            assert by_id[card.post_id].message_ref == f"msg-{card.post_id}"
        # Every post but the last closed at the next day's slot and was revealed exactly once.
        revealed = [card.post_id for s in senders for card, _ in s.results]
        assert len(revealed) == DAYS - 1 and len(set(revealed)) == DAYS - 1
        assert sum(r.revealed_at is not None for r in rows) == DAYS - 1
        assert sum(1 for s in senders if s.posts) >= 2  # the race really was one
        print(f"\n{DAYS} days, {sum(ticked.values())} ticks, {elapsed:.1f}s on {first.dialect}")
    finally:
        for s in stores[1:]:
            await s.dispose()


async def test_eight_engines_race_on_sqlite(store, mini_catalog):
    await race(store, lambda: Store(store.url), mini_catalog, per_day=4, all_every=10)


@pytest_asyncio.fixture
async def pg_database_url():
    """A fresh, empty PostgreSQL database (not a schema) per test; dropped afterwards.

    conftest's `pg_store` selects its schema with a libpq `options=-csearch_path=...` URL query,
    which asyncpg.connect() rejects (TypeError: unexpected keyword argument 'options'), so
    bot.migrate.upgrade and bot.db.Store cannot open it; a database of its own needs no options.
    """
    base = os.environ.get(PG_URL_VAR)
    if not base:
        pytest.skip(f"{PG_URL_VAR} is not set")
    import asyncpg
    from sqlalchemy.engine import make_url

    name = f"race_{uuid.uuid4().hex[:12]}"
    plain = make_url(base).set(drivername="postgresql")
    admin = await asyncpg.connect(plain.render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield plain.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest_asyncio.fixture
async def pg_race_store(pg_database_url):
    await upgrade(pg_database_url)
    s = Store(pg_database_url)
    yield s
    await s.dispose()


async def test_migrations_upgrade_a_fresh_postgres_database(pg_database_url):
    """Boolean server defaults must be portable (sa.false()/sa.true(), not text('0'))."""
    await upgrade(pg_database_url)
    s = Store(pg_database_url)
    try:
        async with s.read() as session:
            assert (await session.exec(select(Post))).all() == []
    finally:
        await s.dispose()


async def test_eight_engines_race_on_postgres(pg_race_store, mini_catalog):
    # Row locks instead of one database-wide write lock: six race on most days, all eight every tenth.
    await race(pg_race_store, lambda: Store(pg_race_store.url), mini_catalog, per_day=6, all_every=10)

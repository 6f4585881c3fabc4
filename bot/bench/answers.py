"""Scenario 1: many learners answer the open daily questions at once, through the engine.

Set-up (not timed): an admin creates one daily schedule per channel and one `engine.tick` posts them
(a no-op front door). Then:

- sequential: `sequential_answers` learners answer one more post one at a time: the engine's own
  service time per answer, with the SQL statements and commits it takes;
- concurrent: N learners (asyncio tasks, all started together) each answer every open post with
  `engine.answer_post`; an answer counts when the call returned, i.e. its transaction committed.
  Latency is per answer, from call to return (so it includes waiting for a pooled connection and
  for SQLite's write lock).

The floor: the raw driver committing one row per transaction into the real `answer` table of a
freshly migrated database (same columns, constraints, indexes and foreign keys; on SQLite the
stdlib sqlite3 module with the app's pragmas and BEGIN IMMEDIATE; on PostgreSQL asyncpg, one
autocommitted INSERT per row).
"""
from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from bot.bench import bare_writer
from bot.bench.databases import Backend, FreshDb
from bot.bench.fakes import PLATFORM, NoopSender
from bot.bench.learners import answer_text, create_daily_schedules, post_due, post_questions
from bot.bench.measure import (
    ScenarioResult,
    StatementCounter,
    Target,
    peak_rss_since_reset_mib,
    reset_peak_rss,
    rss_now_mib,
    ru_maxrss_mib,
    summary_ms,
)
from bot.bench.sizes import Sizes
from bot.content import Catalog
from bot.content.schema import Question, SingleChoiceQuestion
from bot.db import Store
from bot.engine import Engine
from bot.engine.batch_sql import ANSWER_COLUMNS  # the order the floor's rows are built in
from bot.models import Answer
from bot.ports import SenderRouter
from bot.views import Actor

SLOT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
COMMUNITY = "answers"
TARGET_RATIO = 1.0
# A closed burst is bounded by throughput (Little's law: latency ~ learners / answers per second), so its
# target is the platforms' deadline, not a p99: Discord and Slack allow 3 s before a reply must have started.
TARGET_MAX_MS = 1000.0


async def _open_posts(engine: Engine, channels: int) -> list[int]:
    await create_daily_schedules(engine, COMMUNITY, channels, SLOT - timedelta(days=1))
    return await post_due(engine, SLOT, channels)


@dataclass
class Burst:
    """What the concurrent phase saw: each answer's latency, the verdicts, and what failed."""
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0
    peak_rss: float | None = None
    rss_before: float | None = None


async def _sequential(engine: Engine, counter: StatementCounter, post_ids: dict[int, Question], post: int, answers: int,
                      answered_at: datetime) -> tuple[list[float], float]:
    """One answer at a time, nothing queued: the engine's own service time per answer."""
    rng = random.Random(1)
    latencies: list[float] = []
    counter.active = True
    started = time.perf_counter()
    for i in range(answers):
        who = Actor(PLATFORM, COMMUNITY, f"seq{i}", f"Sequential {i}")
        t0 = time.perf_counter()
        verdict = await engine.answer_post(who, post, answer_text(post_ids[post], rng), answered_at)
        latencies.append(time.perf_counter() - t0)
        assert verdict.status == "new", verdict
    wall = time.perf_counter() - started
    counter.active = False
    return latencies, wall


async def _concurrent(engine: Engine, counter: StatementCounter, post_ids: dict[int, Question], open_posts: list[int],
                      learners: int, answered_at: datetime) -> Burst:
    """N learners at once, each answering every open post (in its own order)."""
    burst = Burst()

    def plan(i: int) -> tuple[Actor, list[tuple[int, str]]]:
        lrng = random.Random(1000 + i)
        order = lrng.sample(open_posts, len(open_posts))
        return Actor(PLATFORM, COMMUNITY, f"user{i}", f"Learner {i}"), [(pid, answer_text(post_ids[pid], lrng))
                                                                        for pid in order]

    # Who answers what is drawn before the clock starts, as the floor prepares its rows: the timed
    # part is the engine's work, not the simulation's random numbers.
    plans = [plan(i) for i in range(learners)]

    async def learner(i: int) -> None:
        who, clicks = plans[i]
        for pid, raw in clicks:
            t0 = time.perf_counter()
            try:
                verdict = await engine.answer_post(who, pid, raw, answered_at + timedelta(seconds=i % 600))
            except Exception as err:  # counted and reported, never hidden
                burst.errors[f"{type(err).__name__}: {(str(err).splitlines() or [''])[0][:100]}"] += 1
                continue
            burst.latencies.append(time.perf_counter() - t0)
            burst.statuses[verdict.status] += 1

    burst.rss_before = rss_now_mib()
    reset = reset_peak_rss()
    counter.statements = counter.commits = 0
    counter.active = True
    started = time.perf_counter()
    await asyncio.gather(*(learner(i) for i in range(learners)))
    burst.wall = time.perf_counter() - started
    counter.active = False
    burst.peak_rss = peak_rss_since_reset_mib() if reset else None
    return burst


async def engine_run(db: FreshDb, catalog: Catalog, sizes: Sizes, result: ScenarioResult) -> float:
    """Returns the concurrent answers/s."""
    store = Store(db.url)
    engine = Engine(store, catalog, router=SenderRouter({PLATFORM: NoopSender()}))
    counter = StatementCounter(store)
    try:
        post_ids = await post_questions(engine, await _open_posts(engine, sizes.posts + 1))
        seq_post, open_posts = list(post_ids)[0], list(post_ids)[1:]
        answered_at = SLOT + timedelta(minutes=30)
        seq_lat, seq_wall = await _sequential(engine, counter, post_ids, seq_post, sizes.sequential_answers, answered_at)
        seq_statements, seq_commits = counter.statements, counter.commits
        burst = await _concurrent(engine, counter, post_ids, open_posts, sizes.learners, answered_at)
        async with store.read() as session:
            stored = (await session.exec(select(func.count(col(Answer.id))))).one()
        mismatches = await engine.verify_stats(Actor(PLATFORM, COMMUNITY, "admin", "Admin", is_admin=True))
    finally:
        await store.dispose()

    latencies, statuses, wall = burst.latencies, burst.statuses, burst.wall
    done = statuses.get("new", 0)
    rate = done / wall if wall > 0 else 0.0
    lat = summary_ms(latencies)
    seq = summary_ms(seq_lat)
    result.figures.update({
        "learners": sizes.learners, "open_posts": len(open_posts), "answers": done,
        "wall_s": wall, "answers_per_s": rate,
        "latency_p50_ms": lat.get("p50_ms"), "latency_p95_ms": lat.get("p95_ms"), "latency_p99_ms": lat.get("p99_ms"),
        "latency_max_ms": lat.get("max_ms"), "latency_mean_ms": lat.get("mean_ms"),
        "latency_within_1s_share": sum(t <= TARGET_MAX_MS / 1000 for t in latencies) / max(len(latencies), 1),
        "sequential_answers": sizes.sequential_answers, "sequential_answers_per_s": sizes.sequential_answers / seq_wall,
        "sequential_p50_ms": seq.get("p50_ms"), "sequential_p95_ms": seq.get("p95_ms"),
        "sequential_p99_ms": seq.get("p99_ms"),
        "sql_statements_per_answer": seq_statements / max(sizes.sequential_answers, 1),
        "commits_per_answer": seq_commits / max(sizes.sequential_answers, 1),
        # Under load: one commit per batch, so answers per commit is the mean batch size.
        "concurrent_commits": counter.commits, "answers_per_commit": done / max(counter.commits, 1),
        "sql_statements_per_commit": counter.statements / max(counter.commits, 1),
        "peak_rss_mib": burst.peak_rss if burst.peak_rss is not None else ru_maxrss_mib(),
        "rss_before_mib": burst.rss_before, "ru_maxrss_mib": ru_maxrss_mib(),
    })
    result.checks.update({
        "errors": sum(burst.errors.values()), "repeats": statuses.get("repeat", 0), "closed": statuses.get("closed", 0),
        "rows_in_answer_table": stored, "rows_expected": done + sizes.sequential_answers,
        "stats_mismatches": len(mismatches),
    })
    if burst.errors:
        result.notes.append("errors: " + "; ".join(f"{n}× {e}" for e, n in burst.errors.most_common(3)))
    result.notes.append(
        "peak_rss_mib: the process's resident-set high-water mark during the concurrent phase (Linux VmHWM, reset via "
        "/proc/self/clear_refs just before it; interpreter and imports included, no tracemalloc); ru_maxrss_mib: "
        "getrusage peak of the whole process" if burst.peak_rss is not None else
        "peak_rss_mib: getrusage ru_maxrss of the whole process (interpreter and imports included, no tracemalloc)")
    return rate


def _floor_rows(catalog: Catalog, rows: int, learners: int) -> tuple[int, int, list[tuple]]:
    """(deliveries, learners, answer rows) such that every (delivery, learner) pair is distinct."""
    deliveries = math.ceil(rows / learners)
    questions = [q for q in catalog.questions.values() if isinstance(q, SingleChoiceQuestion)]
    rng = random.Random(7)
    out = []
    at = SLOT + timedelta(minutes=30)
    for n in range(rows):
        d, learner = n // learners + 1, n % learners + 1
        q = questions[(d - 1) % len(questions)]
        choice = rng.choice(q.choices)
        out.append((d, learner, 1, q.id, choice.id, None, choice.correct, False,
                    10 * q.difficulty if choice.correct else 0, at + timedelta(microseconds=n), at.date()))
    return deliveries, learners, out


def _sqlite_ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_row(row: tuple) -> tuple:
    return tuple(_sqlite_ts(v) if isinstance(v, datetime) else v.isoformat() if isinstance(v, date)
                 else int(v) if isinstance(v, bool) else v for v in row)


def sqlite_floor(db: FreshDb, catalog: Catalog, rows: int, learners: int) -> dict:
    deliveries, learners, data = _floor_rows(catalog, rows, learners)
    conn = db.sqlite_connect()
    try:
        bare_writer.seed(conn, learners, list(range(1, deliveries + 1)), data[0][3], _sqlite_ts(SLOT))
        sql = f"INSERT INTO answer ({', '.join(ANSWER_COLUMNS)}) VALUES ({', '.join('?' * len(ANSWER_COLUMNS))})"
        prepared = [_sqlite_row(r) for r in data]
        started = time.perf_counter()
        for row in prepared:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, row)
            conn.execute("COMMIT")
        wall = time.perf_counter() - started
        stored = conn.execute("SELECT count(*) FROM answer").fetchone()[0]
    finally:
        conn.close()
    assert stored == len(data)
    return {"rows": len(data), "wall_s": wall, "rows_per_s": len(data) / wall}


async def pg_floor(db: FreshDb, catalog: Catalog, rows: int, learners: int) -> dict:
    deliveries, learners, data = _floor_rows(catalog, rows, learners)
    conn = await db.pg_connect()
    try:
        async with conn.transaction():
            await conn.execute("INSERT INTO community (id, platform, external_id, name, timezone, created_at) "
                               "VALUES (1, 'bench', 'floor', 'floor', 'UTC', $1)", SLOT)
            await conn.executemany("INSERT INTO learner (id, community_id, user_id, display_name, created_at) "
                                   "VALUES ($1, 1, $2, $3, $4)",
                                   [(i, f"u{i}", f"Learner {i}", SLOT) for i in range(1, learners + 1)])
            await conn.executemany("INSERT INTO delivery (id, community_id, question_id, kind, created_at) "
                                   "VALUES ($1, 1, $2, 'post', $3)", [(d, data[0][3], SLOT) for d in range(1, deliveries + 1)])
        sql = (f"INSERT INTO answer ({', '.join(ANSWER_COLUMNS)}) "
               f"VALUES ({', '.join(f'${i}' for i in range(1, len(ANSWER_COLUMNS) + 1))})")
        started = time.perf_counter()
        for row in data:
            await conn.execute(sql, *row)  # autocommit: one transaction per row
        wall = time.perf_counter() - started
        stored = await conn.fetchval("SELECT count(*) FROM answer")
    finally:
        await conn.close()
    assert stored == len(data)
    return {"rows": len(data), "wall_s": wall, "rows_per_s": len(data) / wall}


async def run(backend: Backend, catalog: Catalog, sizes: Sizes) -> ScenarioResult:
    result = ScenarioResult("answers", "1. Answers: concurrent learners through the engine", backend.kind)
    async with backend.fresh("answers") as db:
        rate = await engine_run(db, catalog, sizes, result)
    rows = max(sizes.learners * sizes.posts, sizes.floor_rows_min)
    learners = max(sizes.learners, 100)
    async with Backend(None).fresh("floor") as db:
        sqlite_raw = await asyncio.to_thread(sqlite_floor, db, catalog, rows, learners)
    result.figures.update({"floor_sqlite3_rows": sqlite_raw["rows"], "floor_sqlite3_rows_per_s": sqlite_raw["rows_per_s"],
                           "ratio_engine_to_sqlite3": rate / sqlite_raw["rows_per_s"]})
    floor_rate, floor_name = sqlite_raw["rows_per_s"], "sqlite3"
    _, learners, burst_rows = _floor_rows(catalog, sizes.learners * sizes.posts, sizes.learners)
    async with Backend(None).fresh("bare") as db:
        bare = await bare_writer.burst(db, [_sqlite_row(r) for r in burst_rows], learners, _sqlite_ts(SLOT))
    result.figures.update({"bare_writer_answers_per_s": bare["answers_per_s"],
                           "bare_writer_p50_ms": bare.get("p50_ms"), "bare_writer_p99_ms": bare.get("p99_ms")})
    result.notes.append("bare_writer: the same burst through a group-commit writer with no rules (raw sqlite3 "
                        "executemany of the rows the engine writes per answer, one transaction per batch): the p99 "
                        "the engine cannot beat on this machine; see bot/bench/bare_writer.py")
    if backend.kind == "postgresql":
        async with backend.fresh("pgfloor") as db:
            pg_raw = await pg_floor(db, catalog, rows, learners)
        result.figures.update({"floor_asyncpg_rows": pg_raw["rows"], "floor_asyncpg_rows_per_s": pg_raw["rows_per_s"],
                               "ratio_engine_to_asyncpg": rate / pg_raw["rows_per_s"]})
        floor_rate, floor_name = pg_raw["rows_per_s"], "asyncpg"
        result.notes.append("on PostgreSQL the target ratio uses the asyncpg floor (same server, one autocommitted "
                            "INSERT per row, one connection); the sqlite3 floor (a local file) is shown for reference")
    ratio = rate / floor_rate
    worst = result.figures.get("latency_max_ms")
    result.figures["ratio_engine_to_floor"] = ratio
    result.targets += [
        Target(f"answers/s ÷ raw {floor_name} rows/s", f">= {TARGET_RATIO}", ratio, ratio >= TARGET_RATIO),
        Target("every verdict of the burst (max latency)", f"<= {TARGET_MAX_MS:g} ms", worst,
               worst is not None and worst <= TARGET_MAX_MS and not result.checks["errors"]),
    ]
    result.notes.append("floor: one row per transaction into the migrated `answer` table (same columns, unique key, "
                        "indexes, foreign keys), single connection, sequential")
    return result

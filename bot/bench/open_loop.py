"""Scenario 5: after the daily posts, answers arrive as a Poisson process (an open loop).

The closed burst of scenario 1 (every learner waits for a verdict before the next click) is bounded
by throughput. Real channels are open: people click when they read the post, whether or not others
have had their verdict. So here, at a given rate for a given time:

- arrival instants are drawn with exponential gaps (a seeded RNG: every run offers the same load);
  each arrival is one learner answering one of the open posts, every (learner, post) pair at most
  once (the answer table's unique key would refuse a second), so there are ceil(arrivals / posts)
  learners;
- a pacer on the event loop starts each answer as its own task at its instant and never waits for
  replies; when the loop is busy and the pacer wakes late, everything due is started at once;
- latency runs from the scheduled instant (not from when the task got to run) to the verdict, so a
  stalled loop or a queue in the engine shows in the figures instead of delaying the load
  (no coordinated omission). `pacer_lag` says how late the pacer started answers;
- the engine's `now` is the virtual clock: the posts' slot plus the arrival's offset.

The learners are returning ones: each answered one of yesterday's posts (set-up, not timed), as on
any day after the first, so learner rows, counters and the committer's ids exist as in a running bot.
Each rate runs on a fresh database.
"""
from __future__ import annotations

import asyncio
import math
import random
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from bot.bench.databases import Backend, FreshDb
from bot.bench.fakes import PLATFORM, NoopSender
from bot.bench.learners import admin, answer_text, create_daily_schedules, post_due, post_questions
from bot.bench.measure import ScenarioResult, StatementCounter, Target, cpu_times, summary_ms
from bot.bench.sizes import Sizes
from bot.content import Catalog
from bot.content.schema import FreeTextQuestion
from bot.db import Store
from bot.engine import Engine
from bot.models import Answer
from bot.ports import SenderRouter
from bot.views import Actor

SLOT = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday: today's posts
COMMUNITY = "arrivals"
TARGET_P99_MS = {100.0: 25.0, 300.0: 50.0}  # answers/s -> p99 (the targets)


@dataclass(frozen=True)
class Arrival:
    at: float  # seconds after the posts went out
    learner: int
    post: int  # index into the open posts


def poisson_arrivals(rate: float, seconds: float, posts: int, seed: int) -> tuple[list[Arrival], int]:
    """Arrivals at `rate` a second for `seconds`, each a distinct (learner, post) pair; and the learner count."""
    rng = random.Random(seed)
    instants, t = [], rng.expovariate(rate)
    while t < seconds:
        instants.append(t)
        t += rng.expovariate(rate)
    learners = max(math.ceil(len(instants) / posts), 1)
    pairs = [(learner, post) for learner in range(learners) for post in range(posts)]
    rng.shuffle(pairs)
    return [Arrival(at, learner, post) for at, (learner, post) in zip(instants, pairs, strict=False)], learners


async def pace(instants: list[float], start: Callable[[int, float], Coroutine[Any, Any, None]]) -> list[float]:
    """Starts `start(n, due)` as a task at the n-th instant (seconds from now; `due` in loop time) without
    waiting for earlier ones; returns how late each was started (seconds). Returns when all have finished."""
    loop = asyncio.get_running_loop()
    origin = loop.time()
    tasks: list[asyncio.Task[None]] = []
    lags: list[float] = []
    for n, at in enumerate(instants):
        due = origin + at
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        lags.append(max(loop.time() - due, 0.0))
        tasks.append(loop.create_task(start(n, due)))
    await asyncio.gather(*tasks)
    return lags


def learner(i: int) -> Actor:
    return Actor(PLATFORM, COMMUNITY, f"learner{i}", f"Learner {i}")


async def _returning_learners(engine: Engine, learners: int, posts: int) -> list[int]:
    """Yesterday's posts, each learner answering one of them; then today's posts. Returns today's post ids."""
    await create_daily_schedules(engine, COMMUNITY, posts, SLOT - timedelta(days=2))
    yesterday = list((await post_questions(engine, await post_due(engine, SLOT - timedelta(days=1), posts))).items())
    rng = random.Random(11)
    answered_at = SLOT - timedelta(days=1) + timedelta(minutes=30)
    clicks = [(learner(i), *yesterday[i % posts]) for i in range(learners)]
    await asyncio.gather(*(engine.answer_post(who, pid, answer_text(q, rng), answered_at) for who, pid, q in clicks))
    return await post_due(engine, SLOT, posts)


@dataclass
class RateRun:
    """What one rate's run measured (latencies and lags in seconds)."""
    arrivals: int
    learners: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    wall: float = 0.0  # from the first instant until every verdict was in
    last_verdict: float = 0.0  # seconds after the first instant
    commits: int = 0
    cpu: tuple[float, float] | None = None  # (on a CPU, waiting for one), seconds, during the run
    seeded: int = 0  # answers stored by the set-up
    stored: int = 0  # answers stored at the end
    mismatches: int = 0  # learners whose counters disagree with the answer log
    free_text_posts: int = 0  # of today's posts (typed answers, graded by the fuzzy matcher); the rest are choices


async def one_rate(db: FreshDb, catalog: Catalog, rate: float, seconds: float, posts: int) -> RateRun:
    arrivals, learners = poisson_arrivals(rate, seconds, posts, seed=int(rate))
    run = RateRun(len(arrivals), learners, seconds)
    store = Store(db.url)
    engine = Engine(store, catalog, router=SenderRouter({PLATFORM: NoopSender()}))
    counter = StatementCounter(store)
    loop = asyncio.get_running_loop()
    try:
        questions = await post_questions(engine, await _returning_learners(engine, learners, posts))
        run.seeded = await _answers_stored(store)
        run.free_text_posts = sum(isinstance(q, FreeTextQuestion) for q in questions.values())
        post_ids = list(questions)
        rng = random.Random(int(rate) + 1)
        # Drawn before the clock starts: the timed part is the engine's work, not the simulation's.
        clicks = [(learner(a.learner), post_ids[a.post], answer_text(questions[post_ids[a.post]], rng),
                   SLOT + timedelta(seconds=a.at)) for a in arrivals]

        async def answer(n: int, due: float) -> None:
            who, pid, raw, now = clicks[n]
            try:
                verdict = await engine.answer_post(who, pid, raw, now)
            except Exception as err:  # counted and reported, never hidden
                run.errors[f"{type(err).__name__}: {(str(err).splitlines() or [''])[0][:100]}"] += 1
                return
            run.latencies.append(loop.time() - due)
            run.last_verdict = max(run.last_verdict, loop.time() - began)
            run.statuses[verdict.status] += 1

        counter.active = True
        cpu_before, began = cpu_times(), loop.time()
        run.lags = await pace([a.at for a in arrivals], answer)
        cpu_after, run.wall = cpu_times(), loop.time() - began
        counter.active = False
        run.commits = counter.commits
        if cpu_before and cpu_after:
            run.cpu = (cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1])
        run.stored = await _answers_stored(store)
        run.mismatches = len(await engine.verify_stats(admin(COMMUNITY)))
    finally:
        await store.dispose()
    return run


async def _answers_stored(store: Store) -> int:
    async with store.read() as session:
        return (await session.exec(select(func.count(col(Answer.id))))).one()


def record(result: ScenarioResult, rate: float, run: RateRun) -> None:
    key, done = f"at{rate:g}", run.statuses.get("new", 0)
    lat, lag = summary_ms(run.latencies), summary_ms(run.lags)
    result.figures.update({
        f"{key}_arrivals": run.arrivals, f"{key}_learners": run.learners,
        f"{key}_offered_per_s": run.arrivals / run.seconds,
        f"{key}_verdicts_per_s": done / run.last_verdict if run.last_verdict else None,
        f"{key}_p50_ms": lat.get("p50_ms"), f"{key}_p95_ms": lat.get("p95_ms"), f"{key}_p99_ms": lat.get("p99_ms"),
        f"{key}_max_ms": lat.get("max_ms"),
        f"{key}_answers_per_commit": done / max(run.commits, 1),
        f"{key}_pacer_lag_p99_ms": lag.get("p99_ms"), f"{key}_pacer_lag_max_ms": lag.get("max_ms"),
    })
    if run.cpu is not None:
        result.figures[f"{key}_cpu_used_share"] = run.cpu[0] / run.wall
        result.figures[f"{key}_cpu_wait_share"] = run.cpu[1] / run.wall
    result.checks.update({
        f"{key}_answers": done, f"{key}_errors": sum(run.errors.values()),
        f"{key}_repeats_or_closed": run.statuses.get("repeat", 0) + run.statuses.get("closed", 0),
        f"{key}_rows_in_answer_table": run.stored, f"{key}_rows_expected": run.seeded + done,
        f"{key}_stats_mismatches": run.mismatches, f"{key}_free_text_posts": run.free_text_posts,
    })
    if run.errors:
        result.notes.append(f"errors at {rate:g}/s: " + "; ".join(f"{n}× {e}" for e, n in run.errors.most_common(3)))
    p99, target = lat.get("p99_ms"), TARGET_P99_MS.get(rate)
    if target is not None:
        result.targets.append(Target(f"answer latency p99 at {rate:g} answers/s (open loop)", f"<= {target:g} ms",
                                     p99, p99 is not None and p99 <= target and not run.errors))


async def run(backend: Backend, catalog: Catalog, sizes: Sizes) -> ScenarioResult:
    result = ScenarioResult("open_loop", "5. Answers arriving as a Poisson process (open loop)", backend.kind)
    for rate in sizes.open_loop_rates:
        async with backend.fresh(f"open{rate:g}") as db:
            record(result, rate, await one_rate(db, catalog, rate, sizes.open_loop_seconds, sizes.open_loop_posts))
    result.notes.append(
        f"{sizes.open_loop_posts} daily posts open at once; arrivals with exponential gaps (seeded) for "
        f"{sizes.open_loop_seconds:g} s per rate, each started at its instant without waiting for earlier ones; "
        "latency from the scheduled instant to the verdict (queueing and event-loop stalls included); "
        "returning learners (each answered yesterday's post); a fresh database per rate")
    result.notes.append(
        "pacer_lag: how late the pacer started answers (the event loop was busy); cpu_used_share / cpu_wait_share: "
        "this process's time on a CPU / runnable but waiting for a CPU, per second of the run (Linux schedstat, all "
        "threads): a wait share well above 0 means other work on the machine took the CPUs and slowed the figures")
    return result

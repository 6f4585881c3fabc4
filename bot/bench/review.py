"""Scenario 6: spaced review in one community of `review_learners` learners with memory cards.

Data (timed separately as "generation"): one community, its learners (with their empty counters), and
`review_cards` memory cards each (questions drawn from the catalog), in review with due instants
spread from 10 days ago to 60 days ahead, so about one card in seven is due. Rows go in through the
raw driver (sqlite3 executemany in one transaction, or asyncpg COPY and then VACUUM ANALYZE).

Measured:
- "what is due for me": `engine.review_status(actor, now)` for learners drawn at random, p50 <= 5 ms;
  and `engine.review_next`, which also hands out the card (a write when one is due).
- answering a review against answering a practice question: for the same learners, one of each in
  alternating order, only the `engine.answer` call timed. Both review the learner's memory card in
  the answer's transaction; a review pays no points. Target: review p50 <= practice p50 within noise
  (10%).
"""
from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from bot.bench.databases import Backend, FreshDb
from bot.bench.fakes import PLATFORM
from bot.bench.leaderboard import COLUMNS as BOARD_COLUMNS
from bot.bench.leaderboard import sqlite_value
from bot.bench.measure import ScenarioResult, Target, say, summary_ms
from bot.bench.sizes import Sizes
from bot.content import Catalog
from bot.content.schema import FreeTextQuestion, NumericQuestion, Question
from bot.db import Store
from bot.engine import Engine
from bot.views import Actor

COMMUNITY = "review"
NOW = datetime(2026, 3, 26, 11, 0, tzinfo=UTC)
TARGET_STATUS_P50_MS = 5.0
NOISE = 1.10  # a review answer may measure up to 10% above a practice answer and still count as "no more"
COLUMNS = {
    **{table: BOARD_COLUMNS[table] for table in ("community", "learner", "learner_stats")},
    "memory_card": ("learner_id", "question_id", "state", "step", "stability", "difficulty", "due", "last_review",
                    "reviews", "lapses"),
}


def rows(catalog: Catalog, sizes: Sizes) -> tuple[dict[str, list[tuple]], int]:
    """The tables' rows, and how many cards are due at NOW."""
    rng = random.Random(6)
    created = datetime(2025, 12, 1, tzinfo=UTC)
    questions = sorted(catalog.questions)
    n, per = sizes.review_learners, min(sizes.review_cards, len(questions))
    cards, due = [], 0
    for learner in range(1, n + 1):
        for question_id in rng.sample(questions, per):
            when = NOW + timedelta(minutes=rng.randrange(-10 * 1440, 60 * 1440))
            due += when < NOW
            stability = rng.uniform(1, 60)
            cards.append((learner, question_id, 2, None, stability, rng.uniform(1, 10), when,
                          when - timedelta(days=max(1, round(stability))), rng.randrange(1, 9), rng.randrange(0, 3)))
    return {
        "community": [(1, PLATFORM, COMMUNITY, "Review community", "UTC", created)],
        "learner": [(i, 1, f"u{i}", f"Learner {i}", created) for i in range(1, n + 1)],
        "learner_stats": [(i, 1, 0, 0, 0, 0, 0, 0, 0, None) for i in range(1, n + 1)],
        "memory_card": cards,
    }, due


def load_sqlite(db: FreshDb, tables: dict[str, list[tuple]]) -> None:
    conn = db.sqlite_connect()
    try:
        conn.execute("BEGIN")
        for table, cols in COLUMNS.items():
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            conn.executemany(sql, [tuple(map(sqlite_value, r)) for r in tables[table]])
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


async def load_pg(db: FreshDb, tables: dict[str, list[tuple]]) -> None:
    conn = await db.pg_connect()
    try:
        for table, cols in COLUMNS.items():
            await conn.copy_records_to_table(table, records=tables[table], columns=cols)
        for table in ("community", "learner"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        await conn.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    finally:
        await conn.close()


def right_answer(question: Question) -> str:
    if isinstance(question, FreeTextQuestion):
        return question.accepted[0] if question.accepted else question.rubric[0].keywords[0]
    if isinstance(question, NumericQuestion):
        first = question.answers[0]
        return f"{first.value if first.value is not None else first.min}"
    return next(c.id for c in question.choices if c.correct)


def learner(i: int) -> Actor:
    return Actor(PLATFORM, COMMUNITY, f"u{i}", f"Learner {i}")


async def measure(db: FreshDb, catalog: Catalog, sizes: Sizes, result: ScenarioResult) -> None:
    store = Store(db.url)
    engine = Engine(store, catalog)
    rng = random.Random(7)
    try:
        picks = [rng.randrange(1, sizes.review_learners + 1) for _ in range(sizes.review_runs)]
        status: list[float] = []
        due_seen = 0
        for i in picks:
            t0 = time.perf_counter()
            due_seen += (await engine.review_status(learner(i), NOW)).due
            status.append(time.perf_counter() - t0)
        nexts: list[float] = []
        review_answers: list[float] = []
        practice_answers: list[float] = []
        errors = 0
        for k, i in enumerate(rng.sample(range(1, sizes.review_learners + 1), sizes.review_runs)):
            t0 = time.perf_counter()
            got = await engine.review_next(learner(i), NOW)
            nexts.append(time.perf_counter() - t0)
            if got.card is None:
                continue
            review_card = got.card
            practice_card = await engine.practice(learner(i), NOW, random.Random(k))
            order = ((review_card, review_answers), (practice_card, practice_answers))
            for card, timings in order if k % 2 == 0 else order[::-1]:
                t0 = time.perf_counter()
                verdict = await engine.answer(learner(i), card.delivery_id, right_answer(catalog.questions[card.question_id]), NOW)
                timings.append(time.perf_counter() - t0)
                errors += verdict.status != "new"
    finally:
        await store.dispose()
    s, nx, rv, pr = summary_ms(status), summary_ms(nexts), summary_ms(review_answers), summary_ms(practice_answers)
    result.figures.update({"status_p50_ms": s["p50_ms"], "status_p99_ms": s["p99_ms"], "next_p50_ms": nx["p50_ms"],
                           "next_p99_ms": nx["p99_ms"], "review_answer_p50_ms": rv.get("p50_ms"),
                           "practice_answer_p50_ms": pr.get("p50_ms"), "review_answer_p99_ms": rv.get("p99_ms"),
                           "practice_answer_p99_ms": pr.get("p99_ms")})
    result.checks.update({"status_calls": len(status), "due_cards_seen": due_seen, "review_answers": len(review_answers),
                          "practice_answers": len(practice_answers), "answers_not_new": errors})
    result.targets.append(Target("what is due for me (review_status) p50", f"<= {TARGET_STATUS_P50_MS:g} ms", s["p50_ms"],
                                 s["p50_ms"] <= TARGET_STATUS_P50_MS))
    if rv.get("n") and pr.get("n"):
        ratio = rv["p50_ms"] / pr["p50_ms"]
        result.figures["review_to_practice_p50"] = ratio
        result.targets.append(Target("review answer p50 / practice answer p50", f"<= {NOISE:g} (no more, within noise)",
                                     ratio, ratio <= NOISE))


async def run(backend: Backend, catalog: Catalog, sizes: Sizes) -> ScenarioResult:
    result = ScenarioResult("review", "6. Spaced review: what is due, and answering a review", backend.kind)
    async with backend.fresh("review") as db:
        say(f"review: generating {sizes.review_learners:,} learners with {sizes.review_cards} cards each")
        started = time.perf_counter()
        tables, due = rows(catalog, sizes)
        if db.kind == "sqlite":
            load_sqlite(db, tables)
        else:
            await load_pg(db, tables)
        result.figures.update({"learners": sizes.review_learners, "cards": len(tables["memory_card"]),
                               "generation_s": time.perf_counter() - started})
        result.checks["cards_due_at_start"] = due
        say("review: measuring")
        await measure(db, catalog, sizes, result)
    result.notes.append(f"{sizes.review_runs} review_status calls for learners drawn at random; then, for as many other "
                        "learners, review_next and one review answer and one practice answer each (alternating which "
                        "goes first), only the answer call timed")
    if backend.kind == "sqlite":
        result.notes.append("SQLite: no ANALYZE after the load (the app never runs it)")
    return result

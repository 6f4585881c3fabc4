"""The answer burst's latency floor (SQLite): the same closed-loop burst as the engine run, through a bare
group-commit writer that has no rules at all.

Why: in a burst where N learners each wait for their answer before sending the next, the latency is
about N ÷ throughput (Little's law), whatever the batching. This writer shows what that floor is on
this machine: each waiting answer is written as the rows the engine writes for it (the answer, the
learner's counters, the week and month totals, three leaderboard histogram bins) with raw sqlite3
`executemany`, one transaction per batch in a worker thread, the app's pragmas. No grading, no
learner or delivery lookups, no streaks, no verdicts: the engine cannot be faster than this.
"""
from __future__ import annotations

import asyncio
import sqlite3
import time

from bot.bench.databases import FreshDb
from bot.bench.measure import summary_ms
from bot.engine.batch_sql import ANSWER_COLUMNS

BEGIN = "BEGIN IMMEDIATE"
ANSWER = (f"INSERT INTO answer ({', '.join(ANSWER_COLUMNS)}) VALUES ({', '.join('?' * len(ANSWER_COLUMNS))}) "
          "ON CONFLICT DO NOTHING")
STATS = "UPDATE learner_stats SET points = points + ?, answers = answers + 1, correct = correct + ? WHERE learner_id = ?"
PERIOD = ("INSERT INTO learner_period (learner_id, period, start, community_id, points, answers, correct) "
          "VALUES (?, ?, ?, 1, ?, 1, ?) ON CONFLICT DO UPDATE SET points = points + excluded.points, "
          "answers = answers + 1, correct = correct + excluded.correct")
HISTOGRAM = ("INSERT INTO board_histogram (community_id, period, start, points, learners) VALUES (1, ?, ?, ?, 1) "
             "ON CONFLICT DO UPDATE SET learners = learners + 1")
PERIODS = (("week", "2026-03-02"), ("month", "2026-03-01"))
BOARDS = (("all", "0001-01-01"),) + PERIODS


def _write(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    conn.execute(BEGIN)
    conn.executemany(ANSWER, rows)
    conn.executemany(STATS, [(r[8], r[6], r[1]) for r in rows])
    conn.executemany(PERIOD, [(r[1], period, start, r[8], r[6]) for r in rows for period, start in PERIODS])
    conn.executemany(HISTOGRAM, [(board, start, r[8]) for r in rows for board, start in BOARDS])
    conn.execute("COMMIT")


def seed(conn: sqlite3.Connection, learners: int, deliveries: list[int], question_id: str, created: str) -> None:
    """Community 1, learners 1..learners and the daily-post deliveries the raw rows point at."""
    conn.execute(BEGIN)
    conn.execute("INSERT INTO community (id, platform, external_id, name, timezone, created_at) "
                 "VALUES (1, 'bench', 'raw', 'raw', 'UTC', ?)", (created,))
    conn.executemany("INSERT INTO learner (id, community_id, user_id, display_name, created_at) VALUES (?, 1, ?, ?, ?)",
                     [(i, f"u{i}", f"Learner {i}", created) for i in range(1, learners + 1)])
    conn.executemany("INSERT INTO delivery (id, community_id, question_id, kind, created_at) VALUES (?, 1, ?, 'post', ?)",
                     [(d, question_id, created) for d in deliveries])
    conn.execute("COMMIT")


async def burst(db: FreshDb, rows: list[tuple], learners: int, created: str) -> dict:
    """`rows`: answer rows (sqlite3 values in ANSWER_COLUMNS order) with distinct (delivery, learner) pairs,
    learner ids 1..learners; learner i sends its rows one after another, all learners at once."""
    conn = db.sqlite_connect(any_thread=True)  # the batches are written in a worker thread
    seed(conn, learners, sorted({r[0] for r in rows}), rows[0][3], created)
    with conn:  # one transaction (the connection autocommits otherwise)
        conn.execute(BEGIN)
        conn.executemany("INSERT INTO learner_stats (learner_id, community_id) VALUES (?, 1)",
                         [(i,) for i in range(1, learners + 1)])
    waiting: list[tuple[tuple, asyncio.Future]] = []
    writer: list[asyncio.Task] = []

    async def drain() -> None:
        nonlocal waiting
        while waiting:
            batch, waiting = waiting, []
            await asyncio.to_thread(_write, conn, [row for row, _ in batch])
            for _, future in batch:
                future.set_result(None)

    async def submit(row: tuple) -> None:
        future = asyncio.get_running_loop().create_future()
        waiting.append((row, future))
        if not writer or writer[0].done():
            writer[:] = [asyncio.create_task(drain())]
        await future

    by_learner: dict[int, list[tuple]] = {}
    for row in rows:
        by_learner.setdefault(row[1], []).append(row)
    latencies: list[float] = []

    async def learner(own: list[tuple]) -> None:
        for row in own:
            t0 = time.perf_counter()
            await submit(row)
            latencies.append(time.perf_counter() - t0)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(learner(own) for own in by_learner.values()))
        wall = time.perf_counter() - started
        stored = conn.execute("SELECT count(*), (SELECT sum(answers) FROM learner_stats) FROM answer").fetchone()
    finally:
        conn.close()
    assert stored == (len(rows), len(rows)), stored  # every row written, and the counters moved with it
    return {"answers": len(rows), "answers_per_s": len(rows) / wall, **summary_ms(latencies)}

"""Two real bot processes on one PostgreSQL: each scheduled question is posted once, each answer counted once."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from conftest import actor
from sqlalchemy import func
from sqlmodel import select

from bot.engine import Engine
from bot.models import Answer, LearnerStats, Post

SCRIPT = Path(__file__).resolve().parent / "two_process_bot.py"
DAYS, LEARNERS = 12, 15


async def test_two_processes_post_once_and_count_once(pg_store, mini_catalog, tmp_path):
    sent = tmp_path / "sent.txt"
    procs = [await asyncio.create_subprocess_exec(sys.executable, str(SCRIPT), pg_store.url, str(sent), str(DAYS),
                                                  str(LEARNERS), stdout=asyncio.subprocess.PIPE,
                                                  stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    results = [await asyncio.wait_for(p.communicate(), 120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [r[1].decode()[-2000:] for r in results]
    new = sum(int(part.split("=")[1]) for out, _ in results for part in out.decode().split() if part.startswith("new="))

    lines = sent.read_text().splitlines()
    days = [line.split()[1] for line in lines]
    assert len(lines) == DAYS and len(set(days)) == DAYS  # one send per day, across both processes
    async with pg_store.read() as session:
        posted = (await session.exec(select(func.count()).select_from(Post).where(Post.status == "posted"))).one()
        answers = (await session.exec(select(func.count()).select_from(Answer))).one()
        per_learner = (await session.exec(select(LearnerStats.answers))).all()
    assert posted == DAYS
    # Every click reached both processes; each counted answer is exactly one "new" verdict and one row.
    assert answers == new and answers >= (DAYS - 1) * LEARNERS
    assert sum(per_learner) == answers
    engine = Engine(pg_store, mini_catalog)
    assert await engine.verify_stats(actor("u0", community="team")) == []

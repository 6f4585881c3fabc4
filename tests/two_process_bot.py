"""One of two bot processes sharing a database (tests/test_two_processes.py).

    python tests/two_process_bot.py DB_URL SENT_FILE DAYS LEARNERS

Both processes run the same schedule in the same virtual time: each tick tries to post, and
every learner answers each posted question in both processes (as if two Slack HTTP workers got
the same click). The database must make every post and every answer count once.
"""
from __future__ import annotations

import asyncio
import fcntl
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sqlmodel import select  # noqa: E402

from bot.content import load_catalog  # noqa: E402
from bot.db import Store  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.errors import BadInput  # noqa: E402
from bot.models import Post  # noqa: E402
from bot.ports import SenderRouter  # noqa: E402
from bot.views import Actor, PostCard, ResultsView, ScheduleSpec  # noqa: E402

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
ADMIN = Actor("console", "team", "boss", "Boss", is_admin=True)


class FileSender:
    def __init__(self, path: Path):
        self.path = path

    async def post_question(self, card: PostCard) -> str:
        with open(self.path, "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write(f"{card.post_id} {card.local_date}\n")
        return f"msg-{card.post_id}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        return None


async def main(url: str, sent: Path, days: int, learners: int) -> None:
    engine = Engine(Store(url), load_catalog([HERE / "fixtures" / "content"]),
                    router=SenderRouter({"console": FileSender(sent)}))
    try:
        await engine.schedules.create(ADMIN, ScheduleSpec("channel", "09:00", "daily", "UTC"), START)
    except BadInput:
        pass  # the other process created it first: one schedule per channel is a database rule
    counted: dict[str, int] = {}
    for day in range(days):
        slot = START + timedelta(days=day, hours=3)
        await engine.tick(slot)
        await engine.tick(slot)  # a doubled timer run
        async with engine.store.read() as session:
            post = (await session.exec(select(Post).where(Post.local_date == slot.date(), Post.status == "posted"))).first()
        if post is None:
            continue  # the other process is still posting; its learners answer there
        verdicts = await asyncio.gather(*(engine.answer_post(Actor("console", "team", f"u{i}", f"U{i}"), post.id, "b",
                                                             slot + timedelta(minutes=5)) for i in range(learners)))
        for v in verdicts:
            counted[v.status] = counted.get(v.status, 0) + 1
    await engine.store.dispose()
    # The processes run the same days but not in lockstep: one may already have closed a day the
    # other is still answering ("closed"). What matters is that every "new" is exactly one row.
    print(" ".join(f"{k}={v}" for k, v in sorted(counted.items())), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))

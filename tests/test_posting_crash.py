"""A bot process killed with SIGKILL in the middle of posting, then restarted: no double post,
no lost post. The ledger row claimed before the send is what survives the crash; a restart leaves
a fresh claim alone and retakes it once it is older than the claim timeout (2 minutes). The same
holds for the reveal that edits yesterday's post to show its results.

Each run is a real process (tests/crash_poster.py) on one SQLite file, given its virtual `now`.
"""
from __future__ import annotations

import asyncio
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT, actor, utc
from recording_sender import RecordingSender
from sqlmodel import select

from bot.db import Store, sqlite_file_url
from bot.domain.posting import PostingPolicy
from bot.engine import Engine
from bot.migrate import upgrade
from bot.models import Post
from bot.ports import SenderRouter
from bot.views import ScheduleSpec

SCRIPT = Path(__file__).resolve().parent / "crash_poster.py"
ADMIN = actor("boss", admin=True)
SLOT = datetime(2026, 5, 4, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)  # Monday
CLAIM_TIMEOUT = PostingPolicy().claim_timeout
RUN_TIMEOUT = 60


class Bot:
    """Start crash_poster.py runs against one database and read what the 'platform' received."""

    def __init__(self, tmp_path: Path):
        self.url = sqlite_file_url(tmp_path / "crash.db")
        self.sent = tmp_path / "sent.txt"

    async def start(self, now: datetime, delay: float, mode: str = "before") -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(SCRIPT), self.url, now.isoformat(), str(self.sent), str(delay), mode,
            cwd=str(ROOT), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)

    async def run(self, now: datetime, mode: str = "before") -> list[str]:
        """A run that is not killed: returns its stdout lines."""
        proc = await self.start(now, 0, mode)
        out, err = await asyncio.wait_for(proc.communicate(), RUN_TIMEOUT)
        assert proc.returncode == 0, err.decode()
        lines = out.decode().splitlines()
        assert lines[-1] == "DONE", lines
        return lines

    async def kill_when(self, proc: asyncio.subprocess.Process, marker: str) -> None:
        """Wait until the run prints `marker`, then SIGKILL it."""
        seen = []
        try:
            while True:
                line = (await asyncio.wait_for(proc.stdout.readline(), RUN_TIMEOUT)).decode()
                if not line:
                    err = (await proc.stderr.read()).decode()
                    pytest.fail(f"the run ended before printing {marker!r}: {seen} {err}")
                seen.append(line.strip())
                if line.startswith(marker):
                    break
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGKILL)
            await proc.wait()
        assert proc.returncode == -signal.SIGKILL

    def deliveries(self) -> list[list[str]]:
        return [line.split() for line in self.sent.read_text().splitlines()] if self.sent.exists() else []

    def results_shown(self) -> list[list[str]]:
        """Each edit of a post to show its results: post id, message reference, answered."""
        path = self.sent.with_suffix(".results")
        return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


async def ledger(url: str) -> list[Post]:
    store = Store(url)
    try:
        async with store.read() as session:
            return list((await session.exec(select(Post).order_by(Post.local_date))).all())
    finally:
        await store.dispose()


@pytest.fixture
async def bot(tmp_path, mini_catalog) -> Bot:
    b = Bot(tmp_path)
    await upgrade(b.url)
    store = Store(b.url)
    try:
        engine = Engine(store, mini_catalog, router=SenderRouter({"console": RecordingSender()}))
        setup = utc(2026, 5, 1, 12)
        await engine.set_timezone(ADMIN, "Europe/Berlin", setup)
        await engine.schedules.create(ADMIN, ScheduleSpec("daily-ch", "09:00", "daily"), setup)
    finally:
        await store.dispose()
    return b


def sending(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("SENDING")]


async def test_killed_while_sending_then_restarted(bot):
    # Run 1 claims the slot, enters the send and is killed before the platform got anything.
    proc = await bot.start(SLOT, delay=30)
    await bot.kill_when(proc, "SENDING")
    [row] = await ledger(bot.url)
    assert (row.status, row.attempts, row.claimed_at, row.posted_at) == ("claimed", 1, SLOT, None)
    assert row.question_id == "mini-capital" and row.delivery_id is not None
    assert bot.deliveries() == []

    # Run 2, a minute later: the claim is still fresh (it could be a slow live sender): hands off.
    lines = await bot.run(SLOT + timedelta(minutes=1))
    assert sending(lines) == []
    assert [(r.status, r.attempts) for r in await ledger(bot.url)] == [("claimed", 1)]
    assert bot.deliveries() == []

    # Run 3, past the claim timeout: the crash's claim is retaken and the question sent, once.
    later = SLOT + CLAIM_TIMEOUT + timedelta(minutes=1)
    lines = await bot.run(later)
    assert sending(lines) == [f"SENDING {row.id}"]
    assert f"OUTCOME posted {row.id} {row.local_date}" in lines
    [sent] = bot.deliveries()
    assert sent[:3] == [str(row.id), str(row.local_date), "mini-capital"]
    [after] = await ledger(bot.url)
    assert (after.status, after.attempts, after.posted_at, after.message_ref) == ("posted", 2, later, sent[4])
    assert after.claim_token == sent[3] and after.delivery_id == row.delivery_id  # same question, same delivery

    # Run 4: nothing more to send.
    lines = await bot.run(later + timedelta(minutes=1))
    assert sending(lines) == []
    assert len(bot.deliveries()) == 1
    assert [r.status for r in await ledger(bot.url)] == ["posted"]


async def test_two_crashes_in_a_row_still_post_once(bot):
    proc = await bot.start(SLOT, delay=30)
    await bot.kill_when(proc, "SENDING")
    retake = SLOT + CLAIM_TIMEOUT + timedelta(seconds=1)
    proc = await bot.start(retake, delay=30)  # the retake crashes too
    await bot.kill_when(proc, "SENDING")
    [row] = await ledger(bot.url)
    assert (row.status, row.attempts, row.claimed_at) == ("claimed", 2, retake)
    assert sending(await bot.run(retake + timedelta(minutes=1))) == []  # the second claim is fresh
    final = retake + CLAIM_TIMEOUT + timedelta(seconds=1)
    assert sending(await bot.run(final)) == [f"SENDING {row.id}"]
    assert sending(await bot.run(final + timedelta(minutes=5))) == []
    assert len(bot.deliveries()) == 1
    [row] = await ledger(bot.url)
    assert (row.status, row.attempts) == ("posted", 3)


async def test_killed_before_sending_past_the_grace_window_is_not_posted_late(bot):
    # The crash's claim is never retaken once the slot is older than the grace window (3 h).
    proc = await bot.start(SLOT, delay=30)
    await bot.kill_when(proc, "SENDING")
    lines = await bot.run(SLOT + PostingPolicy().grace + timedelta(minutes=1))
    assert sending(lines) == []
    assert bot.deliveries() == []


async def test_killed_after_the_platform_accepted_is_not_posted_twice(bot):
    proc = await bot.start(SLOT, delay=30, mode="after")
    await bot.kill_when(proc, "SENT")
    assert len(bot.deliveries()) == 1
    assert [r.status for r in await ledger(bot.url)] == ["claimed"]
    await bot.run(SLOT + CLAIM_TIMEOUT + timedelta(minutes=1))
    assert [r.status for r in await ledger(bot.url)] == ["posted"]
    assert len(bot.deliveries()) == 1  # the platform saw the same nonce again and did not post twice


# Reveals: the post is edited to show the results; a crash must neither lose nor repeat that for good.
async def test_killed_while_revealing_then_restarted(bot):
    """Channel: yesterday's question stays up (clicks are told it closed) until a run past the claim
    timeout edits it to show the results, once. Stored: the reveal's claim survives the crash and is
    retaken then; the post ends revealed."""
    await bot.run(SLOT)
    [posted] = await ledger(bot.url)
    next_day = SLOT + timedelta(days=1)
    proc = await bot.start(next_day, delay=30, mode="reveal-before")
    await bot.kill_when(proc, "REVEALING")
    row = (await ledger(bot.url))[0]
    assert (row.revealed_at, row.reveal_claimed_at, bot.results_shown()) == (None, next_day, [])

    await bot.run(next_day + timedelta(minutes=1), mode="reveal-before")  # a fresh claim: left alone
    assert bot.results_shown() == [] and (await ledger(bot.url))[0].revealed_at is None
    later = next_day + CLAIM_TIMEOUT + timedelta(minutes=1)
    lines = await bot.run(later, mode="reveal-before")
    assert f"REVEALED {posted.id}" in lines
    assert bot.results_shown() == [[str(posted.id), posted.message_ref, "0"]]
    assert (await ledger(bot.url))[0].revealed_at == later
    await bot.run(later + timedelta(minutes=5), mode="reveal-before")
    assert len(bot.results_shown()) == 1


async def test_killed_after_the_results_were_shown_edits_the_same_message_again(bot):
    """Channel: the results, shown once on yesterday's post (the repeat after the restart edits that same
    message to the same results; nothing new appears). Stored: revealed after the restart."""
    await bot.run(SLOT)
    [posted] = await ledger(bot.url)
    next_day = SLOT + timedelta(days=1)
    proc = await bot.start(next_day, delay=30, mode="reveal-after")
    await bot.kill_when(proc, "REVEALED")
    assert (await ledger(bot.url))[0].revealed_at is None
    await bot.run(next_day + CLAIM_TIMEOUT + timedelta(minutes=1), mode="reveal-before")
    shown = bot.results_shown()
    assert shown == [[str(posted.id), posted.message_ref, "0"]] * 2  # one message, edited twice alike
    assert (await ledger(bot.url))[0].revealed_at is not None

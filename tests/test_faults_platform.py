"""The chat platform fails a daily post or a reveal: it answers 500, or does not answer at all (the send
times out). Slack's front door over real HTTP against the loopback fake; each test says what the
channel sees and what is stored afterwards."""
from __future__ import annotations

from datetime import timedelta

import pytest_asyncio
from fake_slack.harness import start_http
from sqlmodel import select
from test_slack_posting import click, schedule

from bot.domain.posting import PostingPolicy
from bot.engine import Engine
from bot.models import Post

SEND_TIMEOUT = timedelta(seconds=0.5)  # how long the engine waits for the platform (45 s in production)
CLAIM_TIMEOUT = PostingPolicy().claim_timeout


@pytest_asyncio.fixture
async def h(store, mini_catalog):
    harness = await start_http(Engine(store, mini_catalog, policy=PostingPolicy(send_timeout=SEND_TIMEOUT)))
    yield harness
    await harness.close()


async def the_post(h) -> Post:
    async with h.engine.store.read() as session:
        [row] = (await session.exec(select(Post))).all()
        return row


def delivered(h) -> list:
    return h.fake.calls_to("chat.postMessage", where=lambda c: c.status == 200)


async def refused_then_retried(h, outcome) -> None:
    """The channel has no question yet; the ledger holds a failed attempt due again later, and the pass at
    that time posts it, once."""
    assert outcome.status == "failed" and outcome.retry_at is not None and delivered(h) == []
    row = await the_post(h)
    assert (row.status, row.attempts, row.next_attempt_at, row.message_ref) == ("failed", 1, outcome.retry_at, None)
    [again] = await h.engine.tick(outcome.retry_at)
    assert again.status == "posted"
    [message] = delivered(h)
    row = await the_post(h)
    assert (row.status, row.message_ref) == ("posted", f"{message['channel']}:{message['_ts']}")
    assert await h.engine.tick(outcome.retry_at + timedelta(minutes=5)) == []  # nothing more to send


async def test_a_daily_post_the_platform_answers_500(h):
    """Channel: nothing at 08:00, the question on the retry. Stored: a failed attempt, then posted."""
    await schedule(h)
    h.fake.fail_once("chat.postMessage")
    [outcome] = await h.engine.tick(h.clock.at(8, 0))
    assert "internal_error" in outcome.detail
    await refused_then_retried(h, outcome)


async def test_a_daily_post_the_platform_never_answers(h):
    """Channel: nothing while Slack hangs (the engine gives up after its send timeout), the question on
    the retry. Stored: a failed attempt, then posted. (Here the hung request created no message; had it,
    Slack, having no nonce, would show the retry as a second copy.)"""
    await schedule(h)
    released = h.fake.hang_once("chat.postMessage")
    try:
        [outcome] = await h.engine.tick(h.clock.at(8, 0))
    finally:
        released.set()
    assert "Timeout" in outcome.detail
    await refused_then_retried(h, outcome)


async def posted_and_answered(h):
    await schedule(h)  # open 60 minutes: closes at 09:00
    await h.engine.tick(h.clock.at(8, 0))
    [message] = await h.fake.wait_for("chat.postMessage")
    h.clock.at(8, 5)
    await click(h, message, "b", "U1")
    # The answer count edits the post too (chat.update): let it happen first, or it meets the fault.
    await h.fake.wait_for("chat.update", where=lambda c: "answered so far" in str(c.get("blocks")))
    await h.runtime.live_counts.drain()
    return message


async def reveal_refused_then_retried(h, message, outcomes) -> None:
    """The channel still shows the question with its buttons, and a late click is told answers are
    closed; stored: not revealed, its reveal claimed. Past the claim timeout the reveal is made, once."""
    assert [o.status for o in outcomes] == ["failed"]
    assert not any("closed" in str(c.get("blocks")) for c in h.fake.calls_to("chat.update", where=lambda c: c.status == 200))
    late, _ = await click(h, message, "a", "U2")
    assert "closed" in late["text"] + str(late.get("blocks"))
    row = await the_post(h)
    assert row.revealed_at is None and row.reveal_claimed_at is not None
    assert await h.engine.tick(h.clock.at(9, 1)) == []  # a fresh claim is left alone
    retried = await h.engine.tick(h.clock.at(9, 0) + CLAIM_TIMEOUT + timedelta(minutes=1))
    assert [o.status for o in retried] == ["revealed"]
    [closed] = [c for c in h.fake.calls_to("chat.update") if c.status == 200 and "closed" in str(c.get("blocks"))]
    assert "1 answered · 100% right" in str(closed["blocks"])
    assert (await the_post(h)).revealed_at is not None


async def test_a_reveal_the_platform_answers_500(h):
    message = await posted_and_answered(h)
    h.fake.fail_once("chat.update")
    await reveal_refused_then_retried(h, message, await h.engine.tick(h.clock.at(9, 0)))


async def test_a_reveal_the_platform_never_answers(h):
    message = await posted_and_answered(h)
    released = h.fake.hang_once("chat.update")
    try:
        outcomes = await h.engine.tick(h.clock.at(9, 0))
    finally:
        released.set()
    await reveal_refused_then_retried(h, message, outcomes)

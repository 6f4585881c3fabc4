"""Daily posts on Slack: the scheduled post (chat.postMessage with buttons), answers by button and by
modal (ephemeral verdicts, counted once), batched answer counts, the reveal (chat.update), rate
limits (429 retried), pacing, and permanent failures."""
from __future__ import annotations

import asyncio

import pytest_asyncio
from fake_slack.harness import start_http

from adapters.slack.app import RATE_LIMIT_RETRIES
from bot.engine import Engine
from bot.engine.post_counts import PostCount
from bot.views import ScheduleSpec


@pytest_asyncio.fixture
async def h(store, mini_catalog):
    harness = await start_http(Engine(store, mini_catalog))
    yield harness
    await harness.close()


def verdict_text(call) -> str:
    return call["text"] + str(call.get("blocks"))


async def schedule(h, channel="C42", at="08:00", **kwargs):
    spec = ScheduleSpec(channel, at, "daily", "UTC", open_minutes=kwargs.pop("open_minutes", 60), **kwargs)
    return await h.engine.schedules.create(h.actor("U9", admin=True), spec, h.clock())


async def post(h, at=(8, 0)):
    outcomes = await h.engine.tick(h.clock.at(*at))
    return [o for o in outcomes if o.status == "posted"]


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def click(h, message_call, choice: str, user: str = "U1", retry: bool = False):
    button = next(b for b in buttons(message_call.body) if b["action_id"].endswith(f":{choice}"))
    payload = h.slack.message_action(button["action_id"], button.get("value", ""), message_call["channel"],
                                     message_call["_ts"], user)
    before = len(h.fake.calls_to("response_url"))
    headers = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"} if retry else None
    reply = await h.slack.interactive(payload, headers=headers)
    assert reply.status == 200 and reply.text == ""
    return (await h.fake.wait_for("response_url", before + 1))[-1], payload


async def test_scheduled_post_answers_counts_and_reveal(h):
    sched = await schedule(h)
    [outcome] = await post(h)
    [message] = await h.fake.wait_for("chat.postMessage")
    assert message["channel"] == "C42" and message.token == "xoxb-test"
    assert "Which model is bigger in distillation?" in message["text"] + str(message["blocks"])
    ids = [b["action_id"] for b in buttons(message.body)]
    assert ids == [f"post:{outcome.post_id}:a", f"post:{outcome.post_id}:b", f"post:{outcome.post_id}:c"]
    assert message["metadata"]["event_payload"]["post_id"] == outcome.post_id

    h.clock.at(8, 5)
    verdict, payload = await click(h, message, "b", "U1")
    assert verdict["response_type"] == "ephemeral" and verdict["replace_original"] is False
    assert "Correct!" in verdict_text(verdict) and "+10 points" in verdict_text(verdict)
    update = await h.fake.wait_for("chat.update", where=lambda c: "answered so far" in str(c.get("blocks")))
    assert "*1* answered so far" in str(update[-1]["blocks"])
    assert update[-1]["ts"] == payload["container"]["message_ts"]

    # A double click, then a delivery Slack retried: the first answer stands, nothing counts twice.
    again, _ = await click(h, message, "a", "U1")
    assert "already answered" in verdict_text(again) and "Correct!" in verdict_text(again)
    retried, _ = await click(h, message, "b", "U1", retry=True)
    assert "already answered" in verdict_text(retried)
    assert await h.engine.post_answer_count(outcome.post_id) == 1
    assert (await h.engine.streak(h.actor("U1"), h.clock())).points == 10

    wrong, _ = await click(h, message, "a", "U2")
    assert "Not quite." in verdict_text(wrong) and "Your answer: 1. The student" in verdict_text(wrong)
    await h.fake.wait_for("chat.update", where=lambda c: "*2* answered so far" in str(c.get("blocks")))
    await h.runtime.live_counts.drain()  # an edit in flight has ended (and no new count was reported)
    counts = h.fake.calls_to("chat.update")
    assert len(counts) == 2  # one edit per new count, none for the repeats
    # A count reported again (a batch that committed before the last edit): already shown, so no edit.
    h.runtime.live_counts.counted([PostCount(outcome.post_id, 2)])
    await h.runtime.live_counts.drain()
    assert len(h.fake.calls_to("chat.update")) == 2

    outcomes = await h.engine.tick(h.clock.at(9, 1))
    assert [o.status for o in outcomes] == ["revealed"]
    final = h.fake.calls_to("chat.update")[-1]
    assert final["ts"] == payload["container"]["message_ts"]
    assert not any(b["type"] == "actions" for b in final["blocks"])  # buttons removed
    shown = str(final["blocks"])
    assert "closed" in shown and "*Answer:* 2. The teacher" in shown and "2 answered · 50% right" in shown
    await h.runtime.live_counts.drain()  # any count edit in flight has ended
    assert h.fake.calls_to("chat.update")[-1] is final  # no count update lands after the results

    late, _ = await click(h, message, "b", "U3")
    assert "closed" in verdict_text(late)
    assert await h.engine.post_answer_count(outcome.post_id) == 2
    assert sched.id == outcome.schedule_id


async def test_free_text_post_answers_in_a_modal(h):
    sched = await schedule(h)
    await h.engine.schedules.queue(h.actor("U9", admin=True), sched.id, "mini-loss", h.clock())
    [outcome] = await post(h)
    [message] = await h.fake.wait_for("chat.postMessage")
    [button] = buttons(message.body)
    assert button["action_id"] == f"post_text:{outcome.post_id}"
    h.clock.at(8, 10)
    payload = h.slack.message_action(button["action_id"], button["value"], "C42", message["_ts"])
    assert (await h.slack.interactive(payload)).status == 200
    await h.fake.wait_for("views.open")
    view = h.fake.last_view()
    assert view["callback_id"] == "post_answer" and "Which divergence" in str(view["blocks"])
    answer = {"answer": {"text": {"type": "plain_text_input", "value": "relative entropy <!channel>"}}}
    reply = await h.slack.interactive(h.slack.submission(view, answer))
    body = reply.json()
    assert body["response_action"] == "update"
    shown = str(body["view"]["blocks"])
    assert "Correct!" in shown and "+20 points" in shown
    again = await h.slack.interactive(h.slack.submission(view, {"answer": {"text": {"value": "nonsense <!here>"}}}))
    shown = str(again.json()["view"]["blocks"])
    assert "already answered" in shown and "<!here>" not in shown
    await h.fake.wait_for("chat.update", where=lambda c: "*1* answered so far" in str(c.get("blocks")))
    assert await h.engine.post_answer_count(outcome.post_id) == 1


async def test_rate_limited_post_is_retried_after_retry_after(h):
    await schedule(h)
    h.fake.rate_limit_once("chat.postMessage", retry_after=1)
    [outcome] = await post(h)
    first, second = h.fake.calls_to("chat.postMessage")
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 1.0
    assert outcome.status == "posted"


async def test_a_post_still_rate_limited_after_retries_is_deferred_without_spending_an_attempt(h):
    await schedule(h)
    for _ in range(RATE_LIMIT_RETRIES + 1):
        h.fake.rate_limit_once("chat.postMessage", retry_after=0)
    [outcome] = await h.engine.tick(h.clock.at(8, 0))
    assert len(h.fake.calls_to("chat.postMessage")) == RATE_LIMIT_RETRIES + 1
    assert outcome.status == "deferred" and outcome.retry_at is not None
    from bot.models import Post
    async with h.engine.store.read() as session:
        row = await session.get(Post, outcome.post_id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 0, outcome.retry_at)  # no attempt spent
    [again] = await h.engine.tick(outcome.retry_at)
    assert again.status == "posted" and h.fake.calls_to("chat.postMessage")[-1].status == 200


async def test_posts_to_many_channels_are_paced(store, mini_catalog):
    h = await start_http(Engine(store, mini_catalog), post_interval=0.3)
    try:
        for channel in ("C1", "C2", "C3"):
            await schedule(h, channel)
        assert len(await post(h)) == 3
        sent = h.fake.calls_to("chat.postMessage")
        assert sorted(c["channel"] for c in sent) == ["C1", "C2", "C3"]
        # A lower bound only, so load cannot break it: each request starts 0.3 s after the one before was
        # answered, hence after it arrived (asyncio may end a pause up to its clock resolution early).
        # tests/test_slack_pacing.py checks the same on a virtual clock.
        gaps = [b.at - a.at for a, b in zip(sent, sent[1:], strict=False)]
        assert all(gap >= 0.299 for gap in gaps), gaps
    finally:
        await h.close()


async def test_permanent_failure_is_not_retried_and_results_in_thread(h):
    h.fake.channels["C404"] = None
    await schedule(h, "C404")
    await schedule(h, "C42", results_in_thread=True)
    outcomes = {o.status: o for o in await h.engine.tick(h.clock.at(8, 0))}
    assert "channel_not_found" in outcomes["failed"].detail
    from bot.models import Post
    async with h.engine.store.read() as session:
        failed = await session.get(Post, outcomes["failed"].post_id)
    assert failed.next_attempt_at is None  # retrying cannot help: not scheduled again

    [message] = h.fake.calls_to("chat.postMessage", where=lambda c: c["channel"] == "C42")
    h.clock.at(8, 5)
    await click(h, message, "b")
    await h.engine.tick(h.clock.at(9, 1))
    closed = h.fake.calls_to("chat.update")[-1]
    assert "results in the thread" in str(closed["blocks"]) and not any(b["type"] == "actions" for b in closed["blocks"])
    thread = h.fake.calls_to("chat.postMessage", where=lambda c: c.get("thread_ts"))
    assert thread and thread[-1]["thread_ts"] == closed["ts"] and "1 answered · 100% right" in str(thread[-1]["blocks"])


class HeldEngine(Engine):
    """An engine whose answers wait, once `hold` is set, until the test lets them go."""

    hold: asyncio.Event | None = None

    async def answer_post(self, *args, **kwargs):
        if self.hold is not None:
            await self.hold.wait()
        return await super().answer_post(*args, **kwargs)


async def test_slow_work_still_acks_in_time_and_updates_the_modal_later(store, mini_catalog):
    engine = HeldEngine(store, mini_catalog)
    h = await start_http(engine, budget=0.2)
    try:
        sched = await schedule(h)
        await engine.schedules.queue(h.actor("U9", admin=True), sched.id, "mini-loss", h.clock())
        await post(h)
        [message] = await h.fake.wait_for("chat.postMessage")
        [button] = buttons(message.body)
        h.clock.at(8, 10)
        await h.slack.interactive(h.slack.message_action(button["action_id"], button["value"], "C42", message["_ts"]))
        await h.fake.wait_for("views.open")
        view = h.fake.last_view()
        engine.hold = asyncio.Event()  # the answer cannot finish before the test says so
        reply = await h.slack.interactive(h.slack.submission(view, {"answer": {"text": {"value": "KL divergence"}}}))
        body = reply.json()  # acked while the work is still held: past the budget, not after the work
        assert body["response_action"] == "update" and "Working on it" in str(body["view"])
        assert h.fake.calls_to("views.update") == []
        engine.hold.set()
        [update] = await h.fake.wait_for("views.update")
        assert update["view_id"] == view["id"] and "Correct!" in str(update["view"])
    finally:
        await h.close()


async def test_health_check(h):
    import aiohttp
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{h.base_url}/healthz") as resp:
            assert resp.status == 200 and await resp.text() == "ok"
        card = await h.engine.practice(h.actor("U1"), h.clock())
        await h.engine.answer(h.actor("U1"), card.delivery_id, "1", h.clock())
        async with http.get(f"{h.base_url}/metrics") as resp:
            text = await resp.text()
        assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain")
        assert 'quizbot_answers_total{status="new"}' in text and "quizbot_answer_seconds_bucket" in text

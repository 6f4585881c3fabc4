"""The Slack sender's pace per workspace, on a virtual clock: a request that is slow on the wire must
not let the next one reach Slack right behind it (the pace is kept between requests as Slack sees
them, not between the moments each was allowed to start)."""
from __future__ import annotations

import asyncio
from datetime import date

from adapters.slack.install import SingleWorkspace
from adapters.slack.sender import SlackSender
from bot.views import ChoiceView, PostCard, QuestionCard, ResultsView

QUESTION = QuestionCard(1, "q1", "mini", "Mini", "Which?", "single_choice", (ChoiceView("a", "1", "this"),), 1)
REVEALED = ResultsView(2, "q1", "Which?", "1. this", "Because.", 0, 0, (), ())


def card(channel: str, post_id: int = 1) -> PostCard:
    return PostCard(post_id, 1, "slack", "T1", channel, date(2026, 5, 4), QUESTION, None, None, False,
                    message_ref=f"{channel}:1.0")


class VirtualTime:
    """A monotonic clock that moves only when the test or a pause moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


class WireClient:
    """A Web API client whose calls stay on the wire until the test lets each one arrive."""

    def __init__(self, time: VirtualTime) -> None:
        self.time = time
        self.on_wire: dict[str, asyncio.Event] = {}
        self.arrived: list[tuple[str, float]] = []

    async def _call(self, what: str) -> None:
        gate = self.on_wire[what] = asyncio.Event()
        await gate.wait()
        self.arrived.append((what, self.time()))

    async def chat_postMessage(self, *, channel: str, **_) -> dict:
        await self._call(channel)
        return {"channel": channel, "ts": "1.0"}

    async def chat_update(self, *, channel: str, **_) -> dict:
        await self._call(f"update {channel}")
        return {"ok": True}


async def let_everything_run() -> None:
    """Every task that can run, runs (no I/O here: a fixed number of loop turns is enough)."""
    for _ in range(50):
        await asyncio.sleep(0)


def paced_sender(interval: float = 0.3) -> tuple[SlackSender, WireClient, VirtualTime]:
    time = VirtualTime()
    client = WireClient(time)
    sender = SlackSender(SingleWorkspace(client), post_interval=interval)
    sender.pacer.clock, sender.pacer.sleep = time, time.sleep
    return sender, client, time


async def test_a_request_slow_on_the_wire_holds_the_next_one_back():
    sender, client, time = paced_sender()
    first = asyncio.create_task(sender.post_question(card("C1")))
    await let_everything_run()
    assert set(client.on_wire) == {"C1"}
    time.now = 1.0  # C1 is still on its way: longer than the pace
    second = asyncio.create_task(sender.post_question(card("C2")))
    await let_everything_run()
    assert set(client.on_wire) == {"C1"}, "C2 went out while C1 had not reached Slack: they may arrive together"

    client.on_wire["C1"].set()  # C1 arrives at 1.0; C2 may start 0.3 after that
    await let_everything_run()
    client.on_wire["C2"].set()
    assert await asyncio.gather(first, second) == ["C1:1.0", "C2:1.0"]
    assert client.arrived == [("C1", 1.0), ("C2", 1.3)]


async def test_a_reveal_waits_for_a_post_on_the_wire_in_the_same_workspace():
    sender, client, time = paced_sender()
    post = asyncio.create_task(sender.post_question(card("C1")))
    await let_everything_run()
    time.now = 5.0
    reveal = asyncio.create_task(sender.post_results(card("C2", post_id=2), REVEALED))
    await let_everything_run()
    assert set(client.on_wire) == {"C1"}
    client.on_wire["C1"].set()
    await let_everything_run()
    client.on_wire["update C2"].set()
    await asyncio.gather(post, reveal)
    assert client.arrived == [("C1", 5.0), ("update C2", 5.3)]

"""Live answer counts on daily posts: the core decides when a post shows a new count, the door renders it.

The group commit reports, once a batch has committed, the daily posts it answered and their counts
(`Engine.set_hooks(answers_counted=...)`). For each post one worker edits the platform message through
its door's sender: one edit in flight per post, the latest count wins, and edits of a post are at
least the sender's `count_interval` apart (the platforms limit edits per message). A count the message
already shows is not sent again. Edits stop when the post closes (its `closes_at` passed, or the reveal
is about to replace it: the reveal waits for an edit in flight, and none starts after), and `stop()`
sends what is still owed before the door goes away.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.clock import Clock
from bot.domain import posting
from bot.engine import Engine
from bot.engine.post_counts import PostCount
from bot.views import PostCard

log = logging.getLogger(__name__)
CLOSED_REMEMBERED = 5000  # closed posts whose late reports are ignored (oldest forgotten first)
FLUSH_SECONDS = 5.0  # how long stop() waits for the last edits


@runtime_checkable
class AnswerCountSender(Protocol):
    """A PostSender that can show a daily post's answer count (the console's cannot: it has no message to edit)."""

    count_interval: float  # seconds between two edits of one post

    async def show_answer_count(self, card: PostCard, count: int) -> None:
        """Edit the post's message (`card.message_ref`) to show `count` answers; raise on failure."""


@dataclass
class _Post:
    latest: int = 0
    shown: int | None = None
    last_edit: float = float("-inf")
    card: PostCard | None = None
    closed: bool = False
    worker: asyncio.Task[None] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # held while an edit is in flight


class LiveCounts:
    def __init__(self, engine: Engine, clock: Clock, monotonic: Callable[[], float] = time.monotonic):
        self.engine, self.clock, self.monotonic = engine, clock, monotonic
        self._posts: dict[int, _Post] = {}
        self._closed: OrderedDict[int, None] = OrderedDict()
        self._stopping = asyncio.Event()
        self._running = False

    def start(self) -> None:
        self._running = True
        self._stopping = asyncio.Event()

    def counted(self, counts: list[PostCount]) -> None:
        """The group commit's report (synchronous: the answer path does not wait for any edit)."""
        if not self._running:
            return
        for count in counts:
            if count.post_id in self._closed:
                continue
            state = self._posts.setdefault(count.post_id, _Post())
            state.latest = max(state.latest, count.answers)  # answers are never removed: a lower count is older
            if state.worker is None or state.worker.done():
                state.worker = asyncio.get_running_loop().create_task(self._show(count.post_id, state),
                                                                      name=f"answer-count-{count.post_id}")

    async def closing(self, post_id: int) -> None:
        """The reveal is about to replace the post: wait for an edit in flight, then edit it no more."""
        self._closed[post_id] = None
        while len(self._closed) > CLOSED_REMEMBERED:
            self._closed.popitem(last=False)
        state = self._posts.pop(post_id, None)
        if state is None:
            return
        state.closed = True
        async with state.lock:  # a worker pausing between edits sees `closed` and ends
            pass

    async def drain(self) -> None:
        """Wait until every post shows its latest count (or gave up): what is owed now has been sent."""
        workers = [s.worker for s in self._posts.values() if s.worker is not None and not s.worker.done()]
        await asyncio.gather(*workers, return_exceptions=True)

    async def stop(self) -> None:
        """Send what is still owed at once (no pause between edits), then take no more reports."""
        self._stopping.set()
        try:
            await asyncio.wait_for(self.drain(), FLUSH_SECONDS)
        except TimeoutError:
            log.warning("the last answer counts were not all shown before stopping")
        self._running = False

    async def _show(self, post_id: int, state: _Post) -> None:
        """One worker per post: edits until the message shows the latest count, one edit per interval."""
        while not state.closed:
            sender = await self._sender(post_id, state)
            if sender is None:
                return
            pause = state.last_edit + sender.count_interval - self.monotonic()
            if pause > 0 and not self._stopping.is_set():
                try:  # a stop cuts the pause short: the last count goes out before the door closes
                    await asyncio.wait_for(self._stopping.wait(), pause)
                except TimeoutError:
                    pass
            async with state.lock:
                card = self._still_owed(state)
                if card is None:
                    return
                count = state.latest
                try:
                    await sender.show_answer_count(card, count)
                except Exception as err:  # the next answer tries again
                    log.warning("answer count edit failed", extra={"post_id": post_id, "error": str(err)[:200]})
                    return
                state.shown, state.last_edit = count, self.monotonic()

    async def _sender(self, post_id: int, state: _Post) -> AnswerCountSender | None:
        if state.card is None:
            try:
                state.card = await self.engine.open_post_card(post_id)
            except Exception:
                log.warning("cannot look up post %s for its answer count", post_id, exc_info=True)
            if state.card is None or state.card.message_ref is None:  # revealed, or its send not recorded yet
                self._posts.pop(post_id, None)
                return None
        sender = self.engine.router.for_platform(state.card.platform)
        if isinstance(sender, AnswerCountSender):  # an if, not a conditional expression: mypy misjudges that one
            return sender
        return None

    def _still_owed(self, state: _Post) -> PostCard | None:
        """The post's card while its message still lacks the latest count. A method so that what the
        `while` saw before the wait is not taken for what holds after it."""
        if state.closed or state.latest == state.shown or not self._open(state.card):
            return None
        return state.card

    def _open(self, card: PostCard | None) -> bool:
        """Past `closes_at` the reveal owns the message (maybe in another process): no more counts."""
        return card is not None and posting.is_open(card.closes_at, self.clock())

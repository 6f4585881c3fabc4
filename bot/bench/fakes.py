"""Front doors for the benchmark: one that accepts everything at once, one that is rate limited."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.ports import RateLimited
from bot.views import PostCard, ResultsView

PLATFORM = "bench"


class NoopSender:
    """Accepts every send at once; counts them per post id (to catch doubles)."""

    def __init__(self):
        self.posts: Counter[int] = Counter()
        self.results: Counter[int] = Counter()

    async def post_question(self, card: PostCard) -> str:
        self.posts[card.post_id] += 1
        return f"m{card.post_id}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        self.results[card.post_id] += 1
        return None


class Window:
    """`limit` sends per fixed window of `seconds`, as platforms count them (Discord's buckets reset whole)."""

    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds, self.used = limit, seconds, 0
        self.started: float | None = None

    def wait(self, now: datetime) -> float:
        """Seconds until a send may pass (0: now), starting a new window when the last one ended."""
        at = now.timestamp()
        if self.started is None or at >= self.started + self.seconds:
            self.started, self.used = at, 0
        return 0.0 if self.used < self.limit else self.started + self.seconds - at

    def take(self) -> None:
        self.used += 1


class RateLimitedSender:
    """A platform that answers 429 with Retry-After (RateLimited) when a channel sends more than
    `per_channel` messages a second, or the bot more than `overall` a second (fixed one-second windows).

    Time is virtual: the benchmark sets `now` before each tick, and every send in that tick happens at
    that instant (as if the engine's own work took no time), so at most `overall` sends pass per tick.
    """

    def __init__(self, now: datetime, per_channel: float = 1.0, overall: float = 50.0):
        self.now, self.per_channel, self.overall = now, per_channel, overall
        self.global_window = Window(int(overall), 1.0)
        self.channels: dict[str, Window] = {}
        self.posts: Counter[int] = Counter()
        self.results: Counter[int] = Counter()
        self.limited: Counter[str] = Counter()  # 429s by reason

    def _admit(self, channel: str) -> None:
        window = self.channels.setdefault(channel, Window(int(self.per_channel), 1.0))
        wait = window.wait(self.now)
        if wait:
            self.limited["channel"] += 1
            raise RateLimited("429 Too Many Requests (channel)", retry_after=wait)
        wait = self.global_window.wait(self.now)
        if wait:
            self.limited["global"] += 1
            raise RateLimited("429 Too Many Requests (global)", retry_after=wait, everywhere=True)
        window.take()
        self.global_window.take()

    async def post_question(self, card: PostCard) -> str:
        self._admit(card.channel_id)
        self.posts[card.post_id] += 1
        return f"m{card.post_id}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        self._admit(card.channel_id)
        self.results[card.post_id] += 1
        return None

"""Front doors for the benchmark: one that accepts everything at once, one that is rate limited."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.ports import SendError
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


class TokenBucket:
    def __init__(self, rate: float, capacity: float, at: datetime):
        self.rate, self.capacity, self.tokens, self.at = rate, capacity, capacity, at

    def _refill(self, now: datetime) -> None:
        elapsed = (now - self.at).total_seconds()
        if elapsed > 0:
            self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
            self.at = now

    def available(self, now: datetime) -> bool:
        self._refill(now)
        return self.tokens >= 1

    def take(self) -> None:
        self.tokens -= 1


class RateLimitedSender:
    """A platform that answers 429 (a retryable SendError) when a channel sends more than `per_channel`
    messages a second, or the bot more than `overall` a second (token buckets; bursts up to the rate).

    Time is virtual: the benchmark sets `now` before each tick, and every send in that tick happens at
    that instant (as if the engine's own work took no time), so at most `overall` sends pass per tick.
    """

    def __init__(self, now: datetime, per_channel: float = 1.0, overall: float = 50.0):
        self.now, self.per_channel, self.overall = now, per_channel, overall
        self.global_bucket = TokenBucket(overall, overall, now)
        self.channels: dict[str, TokenBucket] = {}
        self.posts: Counter[int] = Counter()
        self.results: Counter[int] = Counter()
        self.limited: Counter[str] = Counter()  # 429s by reason

    def _admit(self, channel: str) -> None:
        bucket = self.channels.get(channel)
        if bucket is None:
            bucket = self.channels[channel] = TokenBucket(self.per_channel, self.per_channel, self.now)
        if not bucket.available(self.now):
            self.limited["channel"] += 1
            raise SendError("429 Too Many Requests (channel)", retryable=True)
        if not self.global_bucket.available(self.now):
            self.limited["global"] += 1
            raise SendError("429 Too Many Requests (global)", retryable=True)
        bucket.take()
        self.global_bucket.take()

    async def post_question(self, card: PostCard) -> str:
        self._admit(card.channel_id)
        self.posts[card.post_id] += 1
        return f"m{card.post_id}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        self._admit(card.channel_id)
        self.results[card.post_id] += 1
        return None

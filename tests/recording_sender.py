"""A front door for tests: records what the engine asks it to send, and can be told to fail."""
from __future__ import annotations

from bot.ports import SendError
from bot.views import PostCard, ResultsView


class RecordingSender:
    def __init__(self):
        self.posts: list[PostCard] = []
        self.results: list[tuple[PostCard, ResultsView]] = []
        self.fail_next = 0
        self.fatal = False

    async def post_question(self, card: PostCard) -> str:
        if self.fail_next:
            self.fail_next -= 1
            raise SendError("platform said 503", retryable=not self.fatal)
        self.posts.append(card)
        return f"msg-{card.post_id}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        self.results.append((card, results))
        return None

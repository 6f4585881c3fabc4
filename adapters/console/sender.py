"""The terminal's side of scheduled posting: a daily post is printed, and so are its results."""
from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from adapters.console import render
from bot.views import PostCard, ResultsView


class ConsoleSender:
    def __init__(self, console: Console, on_post: Callable[[PostCard], None] | None = None):
        self.console, self.on_post = console, on_post

    async def post_question(self, card: PostCard) -> str:
        self.console.print(render.post(card))
        if self.on_post:
            self.on_post(card)
        return f"console:{card.post_id}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        self.console.print(render.results(results))
        return None

"""The terminal's side of scheduled posting: a daily post is printed, and so are its results; a review
reminder is a notice printed in the session."""
from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from adapters.console import reminders, render
from bot.views import PostCard, ReminderCard, ResultsView


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

    async def send_reminder(self, card: ReminderCard) -> str:
        self.console.print(reminders.notice(card))
        return f"console:reminder:{card.user_id}:{card.local_day}"

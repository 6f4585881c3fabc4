"""The terminal's side of scheduled posting: a daily post is printed, and so are its results and the
weekly recap (its chart saved as a PNG under the data folder, the path printed); a review reminder is a
notice printed in the session."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from adapters.console import reminders, render
from bot.recap_views import RecapView
from bot.views import PostCard, ReminderCard, ResultsView


class ConsoleSender:
    def __init__(self, console: Console, on_post: Callable[[PostCard], None] | None = None,
                 recap_dir: Path = Path("data") / "recaps"):
        self.console, self.on_post, self.recap_dir = console, on_post, recap_dir

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

    async def post_recap(self, recap: RecapView) -> str:
        path = None
        if recap.chart is not None:
            # One file per schedule and week: a retried send overwrites it rather than adding another.
            path = self.recap_dir / f"recap-{recap.schedule_id}-{recap.week_start.isoformat()}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(recap.chart.png)
        self.console.print(render.recap(recap, path))
        return f"console:recap:{recap.recap_id}"

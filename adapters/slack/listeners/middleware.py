"""The app's global middleware: one object per bolt app, since both steps need per-app state."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.response import BoltResponse

from adapters.slack.listeners.front import Front

Next = Callable[[], Awaitable[BoltResponse]]


class SeenEvents:
    """Event ids handled lately: a retried event (X-Slack-Retry-Num) is acked and not handled twice."""

    def __init__(self, size: int = 5000):
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


class Middleware:
    """Its bound methods are bolt middleware (bolt skips `self` when it injects arguments)."""

    def __init__(self, front: Front):
        self.front = front
        self.seen = SeenEvents()

    async def skip_retried_events(self, body: dict, next_: Next) -> BoltResponse:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self.seen.first_time(str(event_id)):
            return BoltResponse(status=200, body="")
        return await next_()

    async def provide_front(self, context: AsyncBoltContext, next_: Next) -> BoltResponse:
        """bolt hands every context key to a listener that names it as a parameter: `front` below."""
        context["front"] = self.front
        return await next_()

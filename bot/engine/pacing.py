"""Rate-limit pauses: where a platform told the bot to wait (HTTP 429 with Retry-After).

A pause is per platform (the whole bot is limited) or per channel. While one holds, the poster
neither claims nor sends there, so the next pass sends what the platform will accept instead of
burning the budget on requests that are bound to be refused. Pauses live in this process only:
several processes on one token each learn the limit from their own 429s.
"""
from __future__ import annotations

from datetime import datetime

EVERY_CHANNEL = None


class Pacer:
    def __init__(self) -> None:
        self._until: dict[tuple[str, str | None], datetime] = {}

    def pause(self, platform: str, channel: str | None, until: datetime) -> None:
        current = self._until.get((platform, channel))
        if current is None or until > current:
            self._until[(platform, channel)] = until

    def paused_until(self, platform: str, channel: str, now: datetime) -> datetime | None:
        """When sending to this channel may resume; None when it may go now."""
        waits = [t for t in (self._until.get((platform, EVERY_CHANNEL)), self._until.get((platform, channel)))
                 if t is not None and t > now]
        return max(waits) if waits else None

    def forget_past(self, now: datetime) -> None:
        self._until = {key: t for key, t in self._until.items() if t > now}

"""Which local dates are quiz days for a community, over plain dates.

Before a community's first daily post, every date that exists in its zone is a quiz day (a
date a zone skipped, like Pacific/Apia's 2011-12-30, is not). From the first posted day on,
only days on which a daily question was posted count, so weekends off, paused schedules and
outages never break a streak.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.timeutil import day_exists, existing_days_between


def is_quiz_day(day: date, tz_name: str, first_posted: date | None, posted_on_day: bool) -> bool:
    """`posted_on_day`: a daily question was posted on `day` (only read once posting has begun)."""
    if first_posted is None or day < first_posted:
        return day_exists(day, tz_name)
    return posted_on_day


def missed_between(start: date, end: date, tz_name: str, first_posted: date | None, posted_between: int) -> int:
    """Quiz days strictly between `start` and `end`; `posted_between` counts the posted days among them."""
    if first_posted is None:
        return existing_days_between(start, end, tz_name)
    return existing_days_between(start, min(end, first_posted), tz_name) + posted_between


@dataclass(frozen=True)
class DayCounter:
    """One community's whole calendar in memory, for replaying a log or a batch of answers."""

    tz_name: str
    first_posted: date | None = None
    posted_days: frozenset[date] = frozenset()

    def is_quiz_day(self, day: date) -> bool:
        return is_quiz_day(day, self.tz_name, self.first_posted, day in self.posted_days)

    def missed_between(self, start: date, end: date) -> int:
        if self.first_posted is None:
            return missed_between(start, end, self.tz_name, None, 0)
        posted = sum(1 for d in self.posted_days if start < d < end)
        return missed_between(start, end, self.tz_name, self.first_posted, posted)

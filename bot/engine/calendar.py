"""Which local dates are quiz days for a community.

With no daily schedule every date that exists in the community's zone is a quiz day (a date a
zone skipped, like Pacific/Apia's 2011-12-30, is not). Scheduled communities plug in posted days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Community
from bot.timeutil import day_exists, existing_days_between


@dataclass(frozen=True)
class DayCounter:
    """A synchronous view of one community's calendar, for replaying a whole log."""

    tz_name: str

    def is_quiz_day(self, day: date) -> bool:
        return day_exists(day, self.tz_name)

    def missed_between(self, start: date, end: date) -> int:
        return existing_days_between(start, end, self.tz_name)


class QuizCalendar:
    async def offline_counter(self, session: AsyncSession, community: Community) -> DayCounter:
        return DayCounter(community.timezone)

    async def is_quiz_day(self, session: AsyncSession, community: Community, day: date) -> bool:
        return day_exists(day, community.timezone)

    async def missed_between(self, session: AsyncSession, community: Community, start: date, end: date) -> int:
        return existing_days_between(start, end, community.timezone)

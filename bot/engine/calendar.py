"""Which local dates are quiz days for a community.

Before a community's first daily post, every date that exists in its zone is a quiz day (a
date a zone skipped, like Pacific/Apia's 2011-12-30, is not). From the first posted day on,
only days on which a daily question was posted count, so weekends off, paused schedules and
outages never break a streak.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import Community, Post
from bot.timeutil import day_exists, existing_days_between

POSTED = "posted"


@dataclass(frozen=True)
class DayCounter:
    """A synchronous view of one community's calendar, for replaying a whole log."""

    tz_name: str
    first_posted: date | None = None
    posted_days: frozenset[date] = frozenset()

    def is_quiz_day(self, day: date) -> bool:
        if self.first_posted is None or day < self.first_posted:
            return day_exists(day, self.tz_name)
        return day in self.posted_days

    def missed_between(self, start: date, end: date) -> int:
        if self.first_posted is None:
            return existing_days_between(start, end, self.tz_name)
        before = existing_days_between(start, min(end, self.first_posted), self.tz_name)
        return before + sum(1 for d in self.posted_days if start < d < end)


def _posted(community: Community):
    return (Post.community_id == community.id) & (Post.status == POSTED)


_POST = Post.__table__
# Built once: the answer path reads a community's posted days in every batch.
_POSTED_DAYS = (select(_POST.c.quiz_day).distinct()
                .where(_POST.c.community_id == bindparam("community_id"), _POST.c.status == POSTED))


class QuizCalendar:
    async def first_posted(self, session: AsyncSession, community: Community) -> date | None:
        return (await session.exec(select(func.min(Post.quiz_day)).where(_posted(community)))).one()

    async def offline_counter(self, session: AsyncSession, community: Community) -> DayCounter:
        conn = await session.connection()
        days = frozenset((await conn.execute(_POSTED_DAYS, {"community_id": community.id})).scalars())
        return DayCounter(community.timezone, min(days) if days else None, days)

    async def is_quiz_day(self, session: AsyncSession, community: Community, day: date) -> bool:
        first = await self.first_posted(session, community)
        if first is None or day < first:
            return day_exists(day, community.timezone)
        found = await session.exec(select(Post.id).where(_posted(community), Post.quiz_day == day).limit(1))
        return found.first() is not None

    async def missed_between(self, session: AsyncSession, community: Community, start: date, end: date) -> int:
        first = await self.first_posted(session, community)
        if first is None:
            return existing_days_between(start, end, community.timezone)
        before = existing_days_between(start, min(end, first), community.timezone)
        posted = (await session.exec(select(func.count(func.distinct(Post.quiz_day))).where(
            _posted(community), Post.quiz_day > start, Post.quiz_day < end))).one()
        return before + int(posted)

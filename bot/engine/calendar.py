"""The quiz calendar read from the database; the rule itself is bot.domain.calendar."""
from __future__ import annotations

from datetime import date
from typing import Protocol

from sqlalchemy import ColumnElement, bindparam, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import calendar as rules
from bot.domain.calendar import DayCounter
from bot.domain.statuses import PostStatus
from bot.models import Community, Post, table_of


class ZonedCommunity(Protocol):
    """What the posted-days counter reads of a community: a Community row, or a CommunityRef (its id and
    its time zone as one transaction read them)."""

    @property
    def id(self) -> int | None: ...
    @property
    def timezone(self) -> str: ...


def _posted(community: Community) -> ColumnElement[bool]:
    return (col(Post.community_id) == community.id) & (col(Post.status) == PostStatus.POSTED)


_POST = table_of(Post)
# Built once: the answer path reads a community's posted days in every batch.
_POSTED_DAYS = (select(_POST.c.quiz_day).distinct()
                .where(_POST.c.community_id == bindparam("community_id"), _POST.c.status == PostStatus.POSTED))


class QuizCalendar:
    async def first_posted(self, session: AsyncSession, community: Community) -> date | None:
        return (await session.exec(select(func.min(Post.quiz_day)).where(_posted(community)))).one()

    async def offline_counter(self, session: AsyncSession, community: ZonedCommunity) -> DayCounter:
        conn = await session.connection()
        days = frozenset((await conn.execute(_POSTED_DAYS, {"community_id": community.id})).scalars())
        return DayCounter(community.timezone, min(days) if days else None, days)

    async def is_quiz_day(self, session: AsyncSession, community: Community, day: date) -> bool:
        first = await self.first_posted(session, community)
        posted = first is not None and day >= first and (await session.exec(
            select(Post.id).where(_posted(community), Post.quiz_day == day).limit(1))).first() is not None
        return rules.is_quiz_day(day, community.timezone, first, posted)

    async def missed_between(self, session: AsyncSession, community: Community, start: date, end: date) -> int:
        first = await self.first_posted(session, community)
        if first is None:
            return rules.missed_between(start, end, community.timezone, None, 0)
        posted = (await session.exec(select(func.count(func.distinct(Post.quiz_day))).where(
            _posted(community), Post.quiz_day > start, Post.quiz_day < end))).one()
        return rules.missed_between(start, end, community.timezone, first, int(posted))

"""The admin desk for daily schedules: create, change, pause, post now, skip, queue, preview.

The rules for one schedule (validation, next slot, its view) are functions in `schedules`; this class
holds the transactions and tells the runtime after every change (the timer rebuilds its jobs)."""
from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.db import Store
from bot.domain.statuses import PostStatus
from bot.engine import schedules as sched
from bot.engine import tracks
from bot.engine.answers import card_of
from bot.engine.identity import find_learner
from bot.engine.posting import Poster
from bot.errors import BadInput, NotFound
from bot.models import Community, Post, Schedule, row_id
from bot.ports import require_front_door
from bot.timeutil import local_day, require_aware
from bot.views import Actor, NextPost, PostOutcome, QuestionCard, ScheduleSpec, ScheduleView

log = logging.getLogger(__name__)


Result = TypeVar("Result")
Changed = Callable[[], Awaitable[None]]


def notifies(method: Callable[..., Awaitable[Result]]) -> Callable[..., Awaitable[Result]]:
    """Tell the runtime after the method's transaction has committed."""
    @functools.wraps(method)
    async def wrapper(self: ScheduleDesk, *args: Any, **kwargs: Any) -> Result:
        result = await method(self, *args, **kwargs)
        await self._changed()
        return result
    return wrapper


class ScheduleDesk:
    def __init__(self, store: Store, catalog: Catalog, poster: Poster, default_timezone: str):
        self.store, self.catalog, self.poster, self.default_timezone = store, catalog, poster, default_timezone
        self.on_changed: Changed | None = None  # set by the runtime: told after every change (the timer rebuilds)

    async def _changed(self) -> None:
        if self.on_changed is None:
            return
        try:
            await self.on_changed()
        except Exception:  # the change is stored; a timer that failed to rebuild catches up on its safety tick
            log.exception("rebuilding after a schedule change failed")

    @staticmethod
    async def _community(session: AsyncSession, actor: Actor) -> Community:
        """The admin's community, just after a change to one of its schedules (so it exists)."""
        community, _ = await find_learner(session, actor)
        if community is None:  # cannot happen: the schedule just stored or loaded belongs to it
            raise NotFound("This community has no schedules.")
        return community

    @notifies
    async def create(self, actor: Actor, spec: ScheduleSpec, now: datetime) -> ScheduleView:
        now = require_aware(now)
        require_front_door(actor.platform, self.poster.router.senders)  # a schedule nobody could ever post
        async with self.store.write() as session:
            schedule = await sched.create(self.store, session, self.catalog, actor, spec, now, self.default_timezone)
            community = await self._community(session, actor)
            return await sched.view(session, self.catalog, schedule, community, now)

    @notifies
    async def update(self, actor: Actor, schedule_id: int, now: datetime, **changes) -> ScheduleView:
        now = require_aware(now)
        async with self.store.write() as session:
            schedule = await sched.update(session, self.catalog, actor, schedule_id, changes, now)
            community = await self._community(session, actor)
            return await sched.view(session, self.catalog, schedule, community, now)

    @notifies
    async def set_enabled(self, actor: Actor, schedule_id: int, enabled: bool, now: datetime) -> ScheduleView:
        sched.require_admin(actor, "pause or resume schedules")
        now = require_aware(now)
        async with self.store.write() as session:
            schedule, community = await sched.load(session, actor, schedule_id, lock=True)
            if enabled and not schedule.enabled:
                schedule.posting_from = now  # slots passed while paused are not made up
            schedule.enabled, schedule.updated_at = enabled, now
            session.add(schedule)
            return await sched.view(session, self.catalog, schedule, community, now)

    @notifies
    async def remove(self, actor: Actor, schedule_id: int) -> ScheduleView:
        """Deleting a schedule keeps its past posts' answers (their deliveries) but drops the ledger."""
        sched.require_admin(actor, "remove schedules")
        async with self.store.write() as session:
            schedule, community = await sched.load(session, actor, schedule_id, lock=True)
            shown = await sched.view(session, self.catalog, schedule, community, schedule.updated_at)
            await session.exec(delete(Post).where(col(Post.schedule_id) == schedule.id, col(Post.status) != PostStatus.POSTED))
            posted = await session.exec(select(col(Post.id)).where(Post.schedule_id == schedule.id))
            if posted.first() is not None:
                # Posted days stay quiz days (streaks were built on them): keep the schedule, disabled and detached.
                schedule.enabled, schedule.channel_id = False, f"removed:{schedule.id}:{schedule.channel_id}"[:64]
                session.add(schedule)
            else:
                await session.exec(delete(Schedule).where(col(Schedule.id) == schedule.id))
            return shown

    async def list(self, actor: Actor, now: datetime) -> list[ScheduleView]:
        sched.require_admin(actor, "list schedules")
        now = require_aware(now)
        async with self.store.read() as session:
            community, _ = await find_learner(session, actor)
            if community is None:
                return []
            rows = (await session.exec(select(Schedule).where(
                Schedule.community_id == community.id, ~col(Schedule.channel_id).startswith("removed:"))
                .order_by(col(Schedule.id)))).all()
            return [await sched.view(session, self.catalog, s, community, now) for s in rows]

    async def next_post_time(self, actor: Actor, now: datetime) -> NextPost | None:
        """For learners: when and where the community's next daily question comes, if any is scheduled."""
        now = require_aware(now)
        async with self.store.read() as session:
            community, _ = await find_learner(session, actor)
            if community is None:
                return None
            rows = (await session.exec(select(Schedule).where(Schedule.community_id == community.id,
                                                              Schedule.enabled == True))).all()  # noqa: E712
            upcoming = [NextPost(nxt[1], s.channel_id, s.channel_name)
                        for s in rows if (nxt := await sched.upcoming(session, s, community, now))]
            return min(upcoming, key=lambda p: p.at_utc) if upcoming else None

    @notifies
    async def pause_community(self, platform: str, community_id: str, now: datetime) -> int:
        """The platform removed the bot (e.g. Slack app_uninstalled): stop posting there. System call."""
        now = require_aware(now)
        async with self.store.write() as session:
            community = (await session.exec(select(Community).where(
                Community.platform == platform, Community.external_id == community_id))).first()
            if community is None:
                return 0
            result = await session.exec(update(Schedule).where(col(Schedule.community_id) == community.id,
                                                               col(Schedule.enabled) == True)  # noqa: E712
                                        .values(enabled=False, updated_at=now))
            return result.rowcount

    async def skip_next(self, actor: Actor, schedule_id: int, now: datetime) -> ScheduleView:
        sched.require_admin(actor, "skip posts")
        now = require_aware(now)
        async with self.store.write() as session:
            schedule, community = await sched.load(session, actor, schedule_id, lock=True)
            nxt = await sched.upcoming(session, schedule, community, now)
            if nxt is None:
                raise BadInput("This schedule has no upcoming post to skip.")
            await session.exec(self.store.insert(Post).values(
                schedule_id=schedule.id, community_id=community.id, local_date=nxt[0], slot_at=nxt[1],
                quiz_day=local_day(nxt[1], community.timezone), status=PostStatus.SKIPPED, error=f"skipped by {actor.user_id}",
            ).on_conflict_do_nothing(index_elements=["schedule_id", "local_date"]))
            return await sched.view(session, self.catalog, schedule, community, now)

    async def queue(self, actor: Actor, schedule_id: int, question_id: str, now: datetime) -> ScheduleView:
        sched.require_admin(actor, "queue questions")
        if question_id not in self.catalog.questions:
            raise NotFound(f"There is no question '{question_id[:64]}'.")
        now = require_aware(now)
        async with self.store.write() as session:
            schedule, community = await sched.load(session, actor, schedule_id, lock=True)
            schedule.queued_question_id, schedule.updated_at = question_id, now
            session.add(schedule)
            return await sched.view(session, self.catalog, schedule, community, now)

    async def preview(self, actor: Actor, schedule_id: int, now: datetime) -> tuple[QuestionCard, ScheduleView]:
        sched.require_admin(actor, "preview posts")
        now = require_aware(now)
        async with self.store.read() as session:
            schedule, community = await sched.load(session, actor, schedule_id)
            question_id = await tracks.next_question(session, self.catalog, schedule)
            card = card_of(self.catalog, 0, question_id)  # shown to the admin only: no delivery behind it
            return card, await sched.view(session, self.catalog, schedule, community, now)

    @notifies
    async def post_now(self, actor: Actor, schedule_id: int, now: datetime) -> PostOutcome:
        """Post today's question now; the scheduled run later today then finds the day taken."""
        sched.require_admin(actor, "post questions")
        now = require_aware(now)
        async with self.store.read() as session:
            schedule, community = await sched.load(session, actor, schedule_id)
            today = local_day(now, sched.zone_of(schedule, community))
            existing = (await session.exec(select(Post).where(Post.schedule_id == schedule.id,
                                                              Post.local_date == today))).first()
        if existing is not None and existing.status in (PostStatus.POSTED, PostStatus.CLAIMED):
            raise BadInput(f"Today's question was already posted in this channel ({existing.status}).")
        if existing is not None and existing.status == PostStatus.FAILED:
            # The admin may have fixed the cause (e.g. a permission): try today's post again, now.
            async with self.store.write() as session:
                await session.exec(update(Post).where(col(Post.id) == existing.id, col(Post.status) == PostStatus.FAILED)
                                   .values(next_attempt_at=now, slot_at=now))
        if existing is not None and existing.status in (PostStatus.SKIPPED, PostStatus.MISSED):
            async with self.store.write() as session:
                await session.exec(delete(Post).where(col(Post.id) == existing.id, col(Post.status) == existing.status))
        outcome = await self.poster.post_slot(row_id(schedule), today, now, now, manual=True)
        if outcome is None:
            raise BadInput("Today's question is being posted right now.")
        return outcome

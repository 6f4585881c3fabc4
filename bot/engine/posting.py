"""The posting ledger: each (schedule, local day) is claimed by inserting its row before anything
is sent, then marked posted with the platform's message reference, or failed with the reason.

Exactly once comes from the UNIQUE(schedule_id, local_date) key, not from process memory, so it
holds across restarts, a doubled DST run and several bot processes on one database.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import slots
from bot.content import Catalog
from bot.db import Store
from bot.engine import tracks
from bot.engine.answers import create_delivery, question_card
from bot.engine.calendar import QuizCalendar
from bot.engine.results import results_for
from bot.engine.schedules import upcoming, zone_of
from bot.engine.stats import replay_learner, store_state, locked_stats
from bot.models import Answer, Community, Delivery, Post, Schedule
from bot.ports import SendError, SenderRouter
from bot.timeutil import local_day
from bot.views import PostCard, PostOutcome

log = logging.getLogger(__name__)

RETRY_DELAYS = (30, 60, 120, 300, 600, 900)  # seconds between send attempts inside the grace window
SEND_CONCURRENCY = 8  # posts in flight at once: sends overlap, the ledger still decides each slot


@dataclass(frozen=True)
class ScheduleTimer:
    schedule_id: int
    local_time: str
    weekdays: tuple[str, ...]
    timezone: str


@dataclass(frozen=True)
class Timers:
    schedules: list[ScheduleTimer]
    reveals: list[tuple[int, datetime]]  # (post id, closes at) of open posts


@dataclass(frozen=True)
class PostingPolicy:
    grace: timedelta = timedelta(hours=3)  # a slot missed longer ago than this is recorded as missed
    claim_timeout: timedelta = timedelta(minutes=2)  # a claim older than this was left by a crash
    send_timeout: timedelta = timedelta(seconds=45)  # well under claim_timeout, so a live claim is never retaken


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1])


class Poster:
    def __init__(self, store: Store, catalog: Catalog, calendar: QuizCalendar, router: SenderRouter,
                 policy: PostingPolicy | None = None):
        self.store, self.catalog, self.calendar, self.router = store, catalog, calendar, router
        self.policy = policy or PostingPolicy()

    # Posting ---------------------------------------------------------------------
    async def post_due(self, now: datetime) -> list[PostOutcome]:
        outcomes = await self.retry_failed(now)
        due = []
        for schedule, community in await self._active_schedules():
            slot = slots.latest_slot(now, slots.parse_time(schedule.local_time), tracks.split(schedule.weekdays),
                                     zone_of(schedule, community))
            # Slots from before the schedule existed, was resumed or was re-timed are not owed.
            if slot is not None and slot[1] >= schedule.posting_from:
                due.append((schedule.id, slot[0], slot[1]))
        open_slots = await self._unsettled(due, now)
        gate = asyncio.Semaphore(SEND_CONCURRENCY)

        async def post(slot) -> PostOutcome | None:
            async with gate:
                return await self.post_slot(*slot, now)

        outcomes += [o for o in await asyncio.gather(*(post(s) for s in open_slots)) if o is not None]
        return outcomes

    async def _unsettled(self, due: list[tuple], now: datetime) -> list[tuple]:
        """The due slots still to claim: one read, so a minute's safety tick over thousands of
        schedules that already posted today costs no write at all."""
        if not due:
            return []
        async with self.store.read() as session:
            rows = (await session.exec(select(Post.schedule_id, Post.local_date, Post.status, Post.claimed_at).where(
                Post.schedule_id.in_({d[0] for d in due}), Post.local_date.in_({d[1] for d in due})))).all()
        stale = now - self.policy.claim_timeout
        settled = {(sid, day) for sid, day, status, claimed_at in rows
                   if not (status == "claimed" and claimed_at is not None and claimed_at <= stale)}
        return [d for d in due if (d[0], d[1]) not in settled]

    async def timers(self) -> Timers:
        """When to wake up: each active schedule's local time, and each open post's close."""
        schedules = [ScheduleTimer(s.id, s.local_time, tracks.split(s.weekdays), zone_of(s, c))
                     for s, c in await self._active_schedules()]
        async with self.store.read() as session:
            open_posts = (await session.exec(select(Post.id, Post.closes_at).join(Schedule, Schedule.id == Post.schedule_id)
                                             .where(Post.status == "posted", Post.revealed_at == None,  # noqa: E711
                                                    Schedule.platform.in_(list(self.router.senders))))).all()
        return Timers(schedules, [(pid, at) for pid, at in open_posts if at is not None])

    async def _active_schedules(self) -> list[tuple[Schedule, Community]]:
        platforms = list(self.router.senders)
        async with self.store.read() as session:
            rows = await session.exec(select(Schedule, Community).join(Community, Community.id == Schedule.community_id)
                                      .where(Schedule.enabled == True, Schedule.platform.in_(platforms)))  # noqa: E712
            return list(rows.all())

    async def post_slot(self, schedule_id: int, day, slot_at: datetime, now: datetime,
                        manual: bool = False) -> PostOutcome | None:
        """Claim, send and record one slot. Returns None when there was nothing to do."""
        if not manual and now - slot_at > self.policy.grace:
            return await self._record_missed(schedule_id, day, slot_at)
        card = await self._claim(schedule_id, day, slot_at, now)
        if card is None:
            return None
        sender = self.router.for_platform(card.platform)
        try:
            if sender is None:
                raise SendError(f"no front door for {card.platform} is running", retryable=True)
            ref = await asyncio.wait_for(sender.post_question(card), self.policy.send_timeout.total_seconds())
        except (SendError, asyncio.TimeoutError, OSError) as err:
            retryable = getattr(err, "retryable", True)
            retry_at = await self._mark_failed(card, str(err) or type(err).__name__, now, retryable)
            log.warning("post failed", extra={"post_id": card.post_id, "error": str(err)})
            return PostOutcome(schedule_id, day, "failed", card.post_id, str(err), retry_at)
        await self._mark_posted(card, str(ref), now)
        return PostOutcome(schedule_id, day, "posted", card.post_id)

    async def retry_failed(self, now: datetime) -> list[PostOutcome]:
        """Failed sends whose back-off has passed, inside the grace window (including manual posts)."""
        async with self.store.read() as session:
            rows = (await session.exec(select(Post.schedule_id, Post.local_date, Post.slot_at)
                                       .join(Schedule, Schedule.id == Post.schedule_id)
                                       .where(Post.status == "failed", Post.next_attempt_at <= now,
                                              Schedule.enabled == True,  # noqa: E712  (paused: stop retrying)
                                              Post.slot_at >= now - self.policy.grace,
                                              Schedule.platform.in_(list(self.router.senders))))).all()
        outcomes = []
        for schedule_id, day, slot_at in rows:
            outcome = await self.post_slot(schedule_id, day, slot_at, now, manual=True)
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    async def _record_missed(self, schedule_id: int, day, slot_at: datetime) -> PostOutcome | None:
        async with self.store.write() as session:
            schedule = await session.get(Schedule, schedule_id)
            community = await session.get(Community, schedule.community_id)
            inserted = await session.exec(self.store.insert(Post).values(
                schedule_id=schedule_id, community_id=schedule.community_id, local_date=day, slot_at=slot_at,
                quiz_day=local_day(slot_at, community.timezone), status="missed", error="the bot was down past the grace window",
            ).on_conflict_do_nothing(index_elements=["schedule_id", "local_date"]).returning(Post.id))
            post_id = inserted.scalar_one_or_none()
        return PostOutcome(schedule_id, day, "missed", post_id) if post_id else None

    async def _claim(self, schedule_id: int, day, slot_at: datetime, now: datetime) -> PostCard | None:
        token = str(uuid.uuid4())
        async with self.store.write() as session:
            # No lock on the schedule row: the ledger's unique key alone decides who claims the day
            # (locking the parent here deadlocks against the foreign-key share locks on PostgreSQL).
            schedule = await session.get(Schedule, schedule_id)
            if schedule is None:
                return None
            community = await session.get(Community, schedule.community_id)
            inserted = await session.exec(self.store.insert(Post).values(
                schedule_id=schedule.id, community_id=community.id, local_date=day, slot_at=slot_at,
                quiz_day=local_day(slot_at, community.timezone), status="claimed", claim_token=token,
                claimed_at=now, attempts=1,
            ).on_conflict_do_nothing(index_elements=["schedule_id", "local_date"]).returning(Post.id))
            post_id = inserted.scalar_one_or_none()
            if post_id is not None:
                post = await session.get(Post, post_id)
                question_id = await tracks.next_question(session, self.catalog, schedule)
                delivery = await create_delivery(session, community, question_id, "post", now)
                post.question_id, post.delivery_id = question_id, delivery.id
                if schedule.queued_question_id == question_id:
                    schedule.queued_question_id = None
                    session.add(schedule)
            else:
                post = (await session.exec(select(Post).where(Post.schedule_id == schedule.id, Post.local_date == day)
                                           .with_for_update())).one()
                if not self._may_retake(post, now):
                    return None
                post.claim_token, post.claimed_at, post.attempts = token, now, post.attempts + 1
                delivery = await session.get(Delivery, post.delivery_id)
            # Known before sending, so the message can say when it closes.
            post.closes_at = await self._closes_at(session, schedule, community, now)
            session.add(post)
            return self._card(schedule, community, post, delivery)

    def _may_retake(self, post: Post, now: datetime) -> bool:
        if post.slot_at < now - self.policy.grace or post.delivery_id is None:
            return False
        if post.status == "claimed":
            return post.claimed_at <= now - self.policy.claim_timeout  # left behind by a crash
        if post.status == "failed":
            return post.next_attempt_at is not None and post.next_attempt_at <= now
        return False

    def _card(self, schedule: Schedule, community: Community, post: Post, delivery: Delivery) -> PostCard:
        return PostCard(post.id, schedule.id, schedule.platform, community.external_id, schedule.channel_id,
                        post.local_date, question_card(self.catalog, delivery), schedule.ping_role, post.closes_at,
                        schedule.results_in_thread, post.claim_token or "", post.message_ref, f"quizbot-post-{post.id}")

    async def _mark_failed(self, card: PostCard, reason: str, now: datetime, retryable: bool) -> datetime | None:
        """Record the failure; returns when it will be tried again (None: not retried)."""
        async with self.store.write() as session:
            post = await session.get(Post, card.post_id)
            if post.claim_token != card.claim_token:
                return None  # someone else owns the slot now
            post.status, post.error = "failed", reason[:500]
            post.next_attempt_at = now + retry_delay(post.attempts) if retryable else None
            if post.next_attempt_at is not None and post.next_attempt_at > post.slot_at + self.policy.grace:
                post.next_attempt_at = None  # past the grace window a retry would post a stale question
            session.add(post)
            return post.next_attempt_at

    async def _mark_posted(self, card: PostCard, message_ref: str, now: datetime) -> None:
        async with self.store.write() as session:
            post = await session.get(Post, card.post_id)
            if post.claim_token != card.claim_token or post.status == "posted":
                log.error("post sent after its claim was retaken", extra={"post_id": post.id})
                return
            community = await session.get(Community, post.community_id)
            was_quiz_day = await self.calendar.is_quiz_day(session, community, post.quiz_day)
            first = await self.calendar.first_posted(session, community)
            post.status, post.message_ref, post.posted_at, post.error = "posted", message_ref, now, None
            delivery = await session.get(Delivery, post.delivery_id)
            delivery.closes_at = post.closes_at
            session.add_all([post, delivery])
            await session.flush()
            if not was_quiz_day or first is None:
                await self._replay_day(session, community, post.quiz_day)

    async def _closes_at(self, session: AsyncSession, schedule: Schedule, community: Community,
                         posted_at: datetime) -> datetime:
        """Open for `open_minutes`, or until the schedule's next real post (days already taken are passed over)."""
        if schedule.open_minutes:
            return posted_at + timedelta(minutes=schedule.open_minutes)
        nxt = await upcoming(session, schedule, community, posted_at)
        return nxt[1] if nxt else posted_at + timedelta(days=1)

    async def _replay_day(self, session: AsyncSession, community: Community, day) -> None:
        """The day just became a quiz day: learners who answered earlier that day get it counted."""
        learners = (await session.exec(select(Answer.learner_id).where(
            Answer.community_id == community.id, Answer.local_day == day).distinct())).all()
        for learner_id in learners:
            stats = await locked_stats(session, learner_id)
            store_state(stats, await replay_learner(session, self.calendar, community, learner_id))
            session.add(stats)

    # Reveal ----------------------------------------------------------------------
    async def reveal_due(self, now: datetime) -> list[PostOutcome]:
        platforms = list(self.router.senders)
        async with self.store.read() as session:
            due = (await session.exec(select(Post.id).join(Schedule, Schedule.id == Post.schedule_id).where(
                Post.status == "posted", Post.revealed_at == None, Post.closes_at <= now,  # noqa: E711
                Schedule.platform.in_(platforms)).order_by(Post.closes_at))).all()
        outcomes = []
        for post_id in due:
            outcome = await self.reveal(post_id, now)
            if outcome:
                outcomes.append(outcome)
        return outcomes

    async def reveal(self, post_id: int, now: datetime) -> PostOutcome | None:
        token = str(uuid.uuid4())
        async with self.store.write() as session:
            claimed = await session.exec(update(Post).where(
                Post.id == post_id, Post.status == "posted", Post.revealed_at == None,  # noqa: E711
                (Post.reveal_claimed_at == None) | (Post.reveal_claimed_at <= now - self.policy.claim_timeout),  # noqa: E711
            ).values(reveal_token=token, reveal_claimed_at=now))
            if claimed.rowcount != 1:
                return None
            post = await session.get(Post, post_id)
            delivery = await session.get(Delivery, post.delivery_id)
            if delivery.closed_at is None:
                delivery.closed_at = now  # from here on, clicks get "closed"
                session.add(delivery)
            schedule = await session.get(Schedule, post.schedule_id)
            community = await session.get(Community, post.community_id)
            card = self._card(schedule, community, post, delivery)
            results = await results_for(session, self.catalog, self.calendar, community, post, now)
        sender = self.router.for_platform(card.platform)
        try:
            ref = await asyncio.wait_for(sender.post_results(card, results), self.policy.send_timeout.total_seconds())
        except (SendError, asyncio.TimeoutError, OSError) as err:
            if getattr(err, "retryable", True):
                log.warning("reveal failed; will retry", extra={"post_id": post_id, "error": str(err)})
                return PostOutcome(card.schedule_id, card.local_date, "failed", post_id, f"reveal: {err}")
            log.error("reveal failed for good", extra={"post_id": post_id, "error": str(err)})
            ref = None  # e.g. the message was deleted: answers are closed, nothing more to show
        async with self.store.write() as session:
            await session.exec(update(Post).where(Post.id == post_id, Post.reveal_token == token)
                               .values(revealed_at=now, results_ref=ref))
        return PostOutcome(card.schedule_id, card.local_date, "revealed", post_id)

"""The poster: finds the slots schedules owe, claims them in the ledger (bot.engine.ledger) before
anything is sent, sends through the platform's front door and records each result; and reveals
posts whose answers closed.

Exactly once comes from the ledger's UNIQUE(schedule_id, local_date) key, not from process memory,
so it holds across restarts, a doubled DST run and several bot processes on one database. Claims
and results are written a batch at a time (10,000 schedules can share a minute); results are
written while later sends are still in flight, so a crash leaves few sent-but-unrecorded posts.
A platform's "too many requests" pauses sending there (bot.engine.pacing) and costs no attempt.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from bot.content import Catalog
from bot.db import Store, select_wide
from bot.domain import posting, slots
from bot.domain.posting import PostingPolicy
from bot.domain.statuses import OutcomeStatus, PostStatus
from bot.engine import tracks
from bot.engine.calendar import QuizCalendar
from bot.engine.ledger import Claim, Claimer, Due, SendResult, record_missed
from bot.engine.pacing import SEND_CONCURRENCY, Lease, RateLimitPauses, each_at_most, send_paced
from bot.engine.recaps import Recapper
from bot.engine.result_writer import ResultWriter
from bot.engine.reveals import Revealer
from bot.engine.send_records import Recorder
from bot.models import Community, Post, Schedule
from bot.ports import RateLimited, SendError, SenderRouter
from bot.views import PostOutcome

log = logging.getLogger(__name__)

CLAIM_BATCH = 1000  # slots claimed per transaction (claims not sent within half the claim timeout are handed back)


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


def earliest_retry(outcomes: list[PostOutcome]) -> datetime | None:
    """When a pass should run again for a failed send or a rate-limit pause (None: nothing waits)."""
    return min((o.retry_at for o in outcomes if o.retry_at is not None), default=None)


def deferred(due: Due, until: datetime) -> PostOutcome:
    return PostOutcome(due.schedule_id, due.local_date, OutcomeStatus.DEFERRED, None, "rate limited by the platform", until)


class Poster:
    def __init__(self, store: Store, catalog: Catalog, calendar: QuizCalendar, router: SenderRouter,
                 policy: PostingPolicy | None = None):
        self.store, self.catalog, self.calendar, self.router = store, catalog, calendar, router
        self.policy = policy or PostingPolicy()
        self.pacer = RateLimitPauses()
        self.claimer, self.recorder = Claimer(store, catalog, self.policy), Recorder(calendar, self.policy)
        self.revealer = Revealer(store, catalog, calendar, router, self.policy, self.pacer)
        self.recapper = Recapper(store, catalog, calendar, router, self.policy, self.pacer)

    # Posting ---------------------------------------------------------------------
    async def post_due(self, now: datetime) -> list[PostOutcome]:
        """Every slot owed now: failed sends whose back-off passed, then each schedule's latest slot."""
        self.pacer.forget_past(now)
        retries = await self._failed_due(now)
        again = {(d.schedule_id, d.local_date) for d in retries}
        owed = [d for d in await self._unsettled(self._latest_slots(await self._active(), now), now)
                if (d.schedule_id, d.local_date) not in again]
        return await self.post_slots(retries + owed, now)

    async def post_slot(self, schedule_id: int, day: date, slot_at: datetime, now: datetime,
                        manual: bool = False) -> PostOutcome | None:
        """One slot (an admin's post-now). Returns None when there was nothing to do."""
        rows = await self._active(schedule_id)
        if not rows:
            return None
        s = rows[0]
        due = Due(s.id, s.community_id, day, slot_at, s.platform, s.channel_id, s.community_tz)
        outcomes = await self.post_slots([due], now, manual=manual)
        return outcomes[0] if outcomes else None

    async def post_slots(self, dues: list[Due], now: datetime, manual: bool = False) -> list[PostOutcome]:
        outcomes: list[PostOutcome] = []
        late = [d for d in dues if not manual and not posting.within_grace(d.slot_at, now, self.policy)]
        if late:
            async with self.store.write() as session:
                outcomes += await record_missed(session, self.store, late)
        dues = [d for d in dues if manual or posting.within_grace(d.slot_at, now, self.policy)]
        # The next batch is claimed while the one before is being sent: the database works on one while
        # the event loop works on the other. At most one batch waits, claimed, for its turn.
        sending: asyncio.Task[list[PostOutcome]] | None = None
        try:
            for start in range(0, len(dues), CLAIM_BATCH):
                ready: list[Due] = []
                for d in dues[start:start + CLAIM_BATCH]:
                    wait = self.pacer.paused_until(d.platform, d.channel_id, now)
                    if wait is None:
                        ready.append(d)
                    else:  # not even claimed: the next pass after the pause takes it
                        outcomes.append(deferred(d, wait))
                if ready:
                    async with self.store.write() as session:
                        claims, refused = await self.claimer.claim(session, ready, now)
                    outcomes += refused
                    lease = self.pacer.lease(self.policy.claim_timeout)
                    if sending is not None:
                        outcomes += await sending
                    sending = asyncio.create_task(self._send_all(claims, now, lease))
        finally:
            if sending is not None:  # whatever happened to the claims after it, these sends are recorded
                outcomes += await sending
        return outcomes

    async def _send_all(self, claims: list[Claim], now: datetime, lease: Lease) -> list[PostOutcome]:
        writer: ResultWriter[SendResult, PostOutcome] = ResultWriter(lambda batch: self._record(batch, now))

        async def send(claim: Claim) -> None:
            if lease.over:  # due again at once: the next pass claims it afresh
                writer.add(SendResult(claim, OutcomeStatus.DEFERRED, error="claimed too long before its turn; handed back",
                                      resume_at=now))
            else:
                writer.add(await self._send(claim, now))

        try:
            await each_at_most(SEND_CONCURRENCY, claims, send)
        finally:
            outcomes = await writer.close()
        return outcomes

    async def _record(self, results: list[SendResult], now: datetime) -> list[PostOutcome]:
        async with self.store.write() as session:
            return await self.recorder.record(session, results, now)

    async def _send(self, claim: Claim, now: datetime) -> SendResult:
        card = claim.card
        sender = self.router.for_platform(card.platform)

        async def post() -> Any:
            if sender is None:
                raise SendError(f"no front door for {card.platform} is running", retryable=True)
            return await sender.post_question(card)

        sent = await send_paced(self.pacer, card.platform, card.channel_id, now, self.policy.send_timeout, post)
        if sent.resume_at is not None:
            if sent.error is None:  # another send of this pass was just told to slow down
                return SendResult(claim, OutcomeStatus.DEFERRED, error="rate limited by the platform", resume_at=sent.resume_at)
            retry_after = sent.error.retry_after if isinstance(sent.error, RateLimited) else None
            log.info("rate limited", extra={"post_id": card.post_id, "retry_after": retry_after})
            return SendResult(claim, OutcomeStatus.DEFERRED, error=str(sent.error) or "rate limited", resume_at=sent.resume_at)
        if sent.error is not None:
            log.warning("post failed", extra={"post_id": card.post_id, "error": str(sent.error)})
            return SendResult(claim, OutcomeStatus.FAILED, error=str(sent.error) or type(sent.error).__name__,
                              retryable=getattr(sent.error, "retryable", True))
        return SendResult(claim, OutcomeStatus.POSTED, message_ref=str(sent.ref))

    # What is owed ------------------------------------------------------------------
    async def _active(self, schedule_id: int | None = None) -> list[Any]:
        """Enabled schedules of the running platforms, as plain rows (thousands per pass: no ORM objects).
        Rows are read by column name, which sqlmodel's tuple typing of a result does not describe."""
        query = (select_wide(Schedule.id, Schedule.community_id, Schedule.platform, Schedule.channel_id, Schedule.local_time,
                             Schedule.weekdays, Schedule.timezone, Schedule.posting_from, Schedule.recap_weekday,
                             col(Community.timezone).label("community_tz"))
                 .join(Community, col(Community.id) == Schedule.community_id))
        if schedule_id is not None:  # an admin's post-now: even if paused or its front door is not running here
            query = query.where(Schedule.id == schedule_id)
        else:
            query = query.where(Schedule.enabled == True, col(Schedule.platform).in_(list(self.router.senders)))  # noqa: E712
        async with self.store.read() as session:
            return list((await session.exec(query)).all())

    @staticmethod
    def _latest_slots(schedules: list[Any], now: datetime) -> list[Due]:
        found: dict[tuple[str, str, str], tuple[date, datetime] | None] = {}  # schedules sharing a time, days and zone share the slot
        dues: list[Due] = []
        for s in schedules:
            key = (s.local_time, s.weekdays, s.timezone or s.community_tz)
            if key not in found:
                found[key] = slots.latest_slot(now, slots.parse_time(s.local_time), tracks.split(s.weekdays), key[2])
            slot = found[key]
            # Slots from before the schedule existed, was resumed or was re-timed are not owed.
            if slot is not None and slot[1] >= s.posting_from:
                dues.append(Due(s.id, s.community_id, slot[0], slot[1], s.platform, s.channel_id, s.community_tz))
        return dues

    async def _unsettled(self, dues: list[Due], now: datetime) -> list[Due]:
        """The owed slots still to claim: one read by date, so a minute's safety tick over thousands of
        schedules that already posted today costs no write at all."""
        if not dues:
            return []
        async with self.store.read() as session:
            rows = (await session.exec(select(col(Post.schedule_id), col(Post.local_date), col(Post.status),
                                              col(Post.claimed_at))
                                       .where(col(Post.local_date).in_({d.local_date for d in dues})))).all()
        settled = {(sid, day) for sid, day, status, claimed_at in rows
                   if not posting.is_stale_claim(status, claimed_at, now, self.policy)}
        return [d for d in dues if (d.schedule_id, d.local_date) not in settled]

    async def _failed_due(self, now: datetime) -> list[Due]:
        """Failed sends whose back-off has passed, inside the grace window (including manual posts)."""
        async with self.store.read() as session:
            rows = (await session.exec(
                select_wide(Post.schedule_id, Post.community_id, Post.local_date, Post.slot_at, Schedule.platform,
                            Schedule.channel_id, Community.timezone)
                .join(Schedule, col(Schedule.id) == Post.schedule_id).join(Community, col(Community.id) == Post.community_id)
                .where(Post.status == PostStatus.FAILED, col(Post.next_attempt_at) <= now,
                       Schedule.enabled == True,  # noqa: E712  (paused: stop retrying)
                       Post.slot_at >= now - self.policy.grace, col(Schedule.platform).in_(list(self.router.senders)))
                .order_by(col(Post.next_attempt_at)))).all()
        return [Due(*row) for row in rows]

    async def timers(self) -> Timers:
        """When to wake up: each active schedule's local time, and each open post's close."""
        # A recap on a day the schedule does not post still wakes the timer at its time.
        schedules = [ScheduleTimer(s.id, s.local_time, tracks.split(s.weekdays) + ((s.recap_weekday,) if s.recap_weekday
                                                                                   and s.recap_weekday not in s.weekdays else ()),
                                   s.timezone or s.community_tz)
                     for s in await self._active()]
        async with self.store.read() as session:
            open_posts = (await session.exec(select(col(Post.id), col(Post.closes_at))
                                             .join(Schedule, col(Schedule.id) == Post.schedule_id)
                                             .where(Post.status == PostStatus.POSTED, col(Post.revealed_at).is_(None),
                                                    col(Schedule.platform).in_(list(self.router.senders))))).all()
        # A read row always has its id; the model types it optional only for rows not yet inserted.
        return Timers(schedules, [(pid, at) for pid, at in open_posts if pid is not None and at is not None])

    # Reveal ----------------------------------------------------------------------
    async def reveal_due(self, now: datetime) -> list[PostOutcome]:
        return await self.revealer.reveal_due(now)

    async def reveal(self, post_id: int, now: datetime) -> PostOutcome | None:
        outcomes = await self.revealer.reveal([post_id], now)
        return outcomes[0] if outcomes else None

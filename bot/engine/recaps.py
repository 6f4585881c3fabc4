"""The weekly recap: once a week per schedule, at its posting time on its recap day, before that day's
question. The same ledger rules as daily posts: the `recap` row (unique per schedule and week) is
claimed before anything is sent and the result recorded after, so a restart or a second process sends
nothing twice; a recap missed while the bot was down is made up inside the grace window; a week
nobody answered is recorded as empty and sends nothing.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import col, select

from bot.content import Catalog
from bot.db import Store, select_wide
from bot.domain import posting, slots
from bot.domain.posting import PostingPolicy
from bot.domain.recap import recap_week
from bot.domain.statuses import OutcomeStatus, RecapStatus
from bot.engine.calendar import QuizCalendar
from bot.engine.pacing import SEND_CONCURRENCY, RateLimitPauses, each_at_most, send_paced
from bot.engine.recap_figures import recap_view
from bot.models import Community, Recap, Schedule, table_of
from bot.ports import SendError, SenderRouter, recap_sender
from bot.recap_views import RecapView
from bot.services import recap_chart
from bot.views import PostOutcome

log = logging.getLogger(__name__)

RECAP = table_of(Recap)


@dataclass(frozen=True)
class RecapDue:
    schedule_id: int
    community_id: int
    recap_day: date  # the local date it goes out (schedule zone)
    slot_at: datetime
    platform: str
    channel_id: str
    community_external_id: str

    @property
    def week_start(self) -> date:
        return recap_week(self.recap_day)[0]


class Recapper:
    def __init__(self, store: Store, catalog: Catalog, calendar: QuizCalendar, router: SenderRouter,
                 policy: PostingPolicy, pacer: RateLimitPauses):
        self.store, self.catalog, self.calendar, self.router = store, catalog, calendar, router
        self.policy, self.pacer = policy, pacer

    async def recap_due(self, now: datetime) -> list[PostOutcome]:
        outcomes: list[PostOutcome] = []

        async def one(due: RecapDue) -> None:
            outcome = await self._recap(due, now)
            if outcome is not None:
                outcomes.append(outcome)

        await each_at_most(SEND_CONCURRENCY, await self._owed(now), one)
        return outcomes

    async def _owed(self, now: datetime) -> list[RecapDue]:
        """Each schedule's latest recap slot inside the grace window whose ledger row is not settled."""
        platforms = [p for p, s in self.router.senders.items() if recap_sender(s) is not None]
        if not platforms:
            return []
        async with self.store.read() as session:
            # Rows read by column name, which sqlmodel's tuple typing of a result does not describe.
            rows: list[Any] = list((await session.exec(
                select_wide(Schedule.id, Schedule.community_id, Schedule.platform, Schedule.channel_id,
                            Schedule.local_time, Schedule.recap_weekday, Schedule.timezone, Schedule.posting_from,
                            col(Community.timezone).label("community_tz"), col(Community.external_id).label("ext"))
                .join(Community, col(Community.id) == Schedule.community_id)
                .where(Schedule.enabled == True, col(Schedule.recap_weekday).is_not(None),  # noqa: E712
                       col(Schedule.platform).in_(platforms)))).all())
            dues: list[RecapDue] = []
            for s in rows:
                slot = slots.latest_slot(now, slots.parse_time(s.local_time), (s.recap_weekday,), s.timezone or s.community_tz)
                if slot is not None and slot[1] >= s.posting_from and posting.within_grace(slot[1], now, self.policy):
                    dues.append(RecapDue(s.id, s.community_id, slot[0], slot[1], s.platform, s.channel_id, s.ext))
            if not dues:
                return []
            settled = {(sid, start) for sid, start, status, claimed_at, retry_at in (await session.exec(
                select_wide(Recap.schedule_id, Recap.week_start, Recap.status, Recap.claimed_at, Recap.next_attempt_at)
                .where(col(Recap.week_start).in_({d.week_start for d in dues})))).all()
                if not self._retakable(status, claimed_at, retry_at, now)}
        return [d for d in dues if (d.schedule_id, d.week_start) not in settled]

    def _retakable(self, status: str, claimed_at: datetime | None, retry_at: datetime | None, now: datetime) -> bool:
        if status == RecapStatus.CLAIMED:
            return claimed_at is not None and claimed_at <= now - self.policy.claim_timeout
        return status == RecapStatus.FAILED and retry_at is not None and retry_at <= now

    async def _recap(self, due: RecapDue, now: datetime) -> PostOutcome | None:
        token = str(uuid.uuid4())
        async with self.store.write() as session:
            claimed = await self._claim(session, due, token, now)
            if claimed is None:
                return None
            recap_id, attempts = claimed
            community = await session.get(Community, due.community_id)
            view = await recap_view(session, self.catalog, self.calendar, dict(
                recap_id=recap_id, schedule_id=due.schedule_id, platform=due.platform,
                community_external_id=due.community_external_id, channel_id=due.channel_id),
                community, due.recap_day, now) if community is not None else None
            if view is None:  # nobody answered that week: settled, nothing sent
                await session.exec(update(Recap).where(col(Recap.id) == recap_id)
                                   .values(status=RecapStatus.EMPTY, claim_token=None))
                return None
        return await self._send(due, view, token, attempts, now)

    async def _claim(self, session: Any, due: RecapDue, token: str, now: datetime) -> tuple[int, int] | None:
        """The recap's row, inserted or retaken (a crashed claim, a failed send due again); None: not ours."""
        inserted = (await session.exec(self.store.insert(Recap).values(
            schedule_id=due.schedule_id, week_start=due.week_start, slot_at=due.slot_at, status=RecapStatus.CLAIMED,
            claim_token=token, claimed_at=now, attempts=1,
        ).on_conflict_do_nothing(index_elements=["schedule_id", "week_start"]).returning(col(Recap.id)))).first()
        if inserted is not None:
            return int(inserted[0]), 1
        retaken = (await session.exec(update(Recap).where(
            col(Recap.schedule_id) == due.schedule_id, col(Recap.week_start) == due.week_start,
            or_(and_(col(Recap.status) == RecapStatus.CLAIMED, col(Recap.claimed_at) <= now - self.policy.claim_timeout),
                and_(col(Recap.status) == RecapStatus.FAILED, col(Recap.next_attempt_at) <= now)),
        ).values(status=RecapStatus.CLAIMED, claim_token=token, claimed_at=now, attempts=col(Recap.attempts) + 1)
            .returning(col(Recap.id), col(Recap.attempts)))).first()
        return (int(retaken[0]), int(retaken[1])) if retaken is not None else None

    async def _send(self, due: RecapDue, view: RecapView, token: str, attempts: int, now: datetime) -> PostOutcome:
        try:  # matplotlib takes tens of milliseconds: off the event loop, which answers clicks meanwhile
            view = replace(view, chart=await asyncio.to_thread(recap_chart.render, view))
        except Exception:  # a recap without its picture still says everything in words
            log.exception("rendering the recap chart failed", extra={"schedule_id": due.schedule_id})
        sender = recap_sender(self.router.for_platform(due.platform))

        async def post() -> str:
            if sender is None:
                raise SendError(f"no front door for {due.platform} is running", retryable=True)
            return await sender.post_recap(view)

        sent = await send_paced(self.pacer, due.platform, due.channel_id, now, self.policy.send_timeout, post)
        if sent.ok:
            values: dict[str, Any] = dict(status=RecapStatus.POSTED, message_ref=str(sent.ref)[:200], posted_at=now,
                                          error=None, next_attempt_at=None)
            outcome = PostOutcome(due.schedule_id, due.recap_day, OutcomeStatus.RECAPPED, None, "weekly recap")
        else:
            status = OutcomeStatus.DEFERRED if sent.resume_at is not None else OutcomeStatus.FAILED
            retry = posting.retry_at(status, attempts, getattr(sent.error, "retryable", True), sent.resume_at,
                                     due.slot_at, now, self.policy)
            error = f"recap: {sent.error or 'rate limited by the platform'}"[:500]
            log.warning("recap not sent", extra={"schedule_id": due.schedule_id, "error": error})
            values = dict(status=RecapStatus.FAILED, error=error, next_attempt_at=retry)
            outcome = PostOutcome(due.schedule_id, due.recap_day, status, None, error, retry)
        async with self.store.write() as session:
            await session.exec(update(Recap).where(col(Recap.id) == view.recap_id, col(Recap.claim_token) == token)
                               .values(**values))
        return outcome


async def recap_ledger(store: Store, schedule_id: int) -> list[tuple[date, str]]:
    """(week start, status) of a schedule's recaps, oldest first (what the tests check the ledger by)."""
    async with store.read() as session:
        rows = await session.exec(select(col(Recap.week_start), col(Recap.status))
                                  .where(Recap.schedule_id == schedule_id).order_by(col(Recap.week_start)))
        return [(start, status) for start, status in rows.all()]

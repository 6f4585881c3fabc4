"""The posting ledger's second write: a batch of send results in one transaction. Posted (with the
message reference; a day that becomes a quiz day replays the streaks of those who answered it early),
failed (a retry time inside the grace window) or deferred (rate limited: no attempt spent). Only the
claim's owner writes: a result whose claim was retaken meanwhile changes nothing.
"""
from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import bindparam, func, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import calendar as quiz_days
from bot.domain import posting
from bot.domain.posting import PostingPolicy
from bot.domain.statuses import OutcomeStatus, PostStatus
from bot.engine.calendar import QuizCalendar
from bot.engine.ledger import COMMUNITY, POST, SendResult
from bot.engine.stats import locked_stats, replay_learner, store_state
from bot.models import Answer, Community
from bot.views import PostOutcome

log = logging.getLogger(__name__)


class Recorder:
    """Writes a batch of send results: posted, failed (back-off) or deferred (rate limited, no attempt spent)."""

    def __init__(self, calendar: QuizCalendar, policy: PostingPolicy):
        self.calendar, self.policy = calendar, policy

    async def record(self, session: AsyncSession, results: list[SendResult], now: datetime) -> list[PostOutcome]:
        conn = await session.connection()
        current = {row.id: row for row in await conn.execute(
            select(POST.c.id, POST.c.claim_token, POST.c.status).where(
                POST.c.id.in_([r.claim.card.post_id for r in results])).with_for_update())}
        owned, outcomes = [], []
        for r in results:
            row = current.get(r.claim.card.post_id)
            if row is not None and row.claim_token == r.claim.card.claim_token and row.status != PostStatus.POSTED:
                owned.append(r)
            elif r.status == OutcomeStatus.POSTED:
                log.error("post sent after its claim was retaken", extra={"post_id": r.claim.card.post_id})
                outcomes.append(self._outcome(r, None))
            else:
                outcomes.append(self._outcome(r, None))  # someone else owns the slot now
        posted = [r for r in owned if r.status == OutcomeStatus.POSTED]
        if posted:
            await self._mark_posted(session, conn, posted, now)
        outcomes += [self._outcome(r, None) for r in posted]
        unsent = []
        for r in (r for r in owned if r.status != OutcomeStatus.POSTED):
            attempts = r.claim.attempts - 1 if r.status == OutcomeStatus.DEFERRED else r.claim.attempts  # a deferral is no attempt
            retry_at = self._retry_at(r, now)
            unsent.append(dict(b_id=r.claim.card.post_id, b_error=r.error[:500], b_next=retry_at, b_attempts=max(attempts, 0)))
            outcomes.append(self._outcome(r, retry_at))
        if unsent:
            await conn.execute(update(POST).where(POST.c.id == bindparam("b_id")).values(
                status=PostStatus.FAILED, error=bindparam("b_error"), next_attempt_at=bindparam("b_next"),
                attempts=bindparam("b_attempts")), unsent)
        return outcomes

    def _retry_at(self, r: SendResult, now: datetime) -> datetime | None:
        return posting.retry_at(r.status, r.claim.attempts, r.retryable, r.resume_at, r.claim.due.slot_at, now,
                                self.policy)

    @staticmethod
    def _outcome(r: SendResult, retry_at: datetime | None) -> PostOutcome:
        card = r.claim.card
        return PostOutcome(card.schedule_id, card.local_date, r.status, card.post_id, r.error, retry_at)

    async def _mark_posted(self, session: AsyncSession, conn, posted: list[SendResult], now: datetime) -> None:
        replay = await self._days_becoming_quiz_days(conn, posted)
        await conn.execute(update(POST).where(POST.c.id == bindparam("b_id")).values(
            status=PostStatus.POSTED, message_ref=bindparam("b_ref"), posted_at=now, error=None),
            [dict(b_id=r.claim.card.post_id, b_ref=r.message_ref) for r in posted])
        if replay:
            await self._replay(session, conn, replay)

    @staticmethod
    async def _days_becoming_quiz_days(conn, posted: list[SendResult]) -> set[tuple[int, date]]:
        """(community, day) pairs this batch turns into quiz days (or a community's first post), read before
        the batch is marked: learners who answered earlier that day get it counted."""
        tz = {r.claim.due.community_id: r.claim.due.community_tz for r in posted}
        days = {r.claim.quiz_day for r in posted}
        # One index seek per community (a grouped min would read every posted day of each community).
        first_day = select(func.min(POST.c.quiz_day)).where(
            POST.c.community_id == COMMUNITY.c.id, POST.c.status == PostStatus.POSTED).scalar_subquery()
        firsts = {cid: first for cid, first in await conn.execute(
            select(COMMUNITY.c.id, first_day).where(COMMUNITY.c.id.in_(tz))) if first is not None}
        existing = set((await conn.execute(select(POST.c.community_id, POST.c.quiz_day).where(
            POST.c.status == PostStatus.POSTED, POST.c.community_id.in_(tz), POST.c.quiz_day.in_(days)).distinct())).all())
        out = set()
        for cid, day in {(r.claim.due.community_id, r.claim.quiz_day) for r in posted}:
            first = firsts.get(cid)
            was_quiz_day = quiz_days.is_quiz_day(day, tz[cid], first, (cid, day) in existing)
            if first is None or not was_quiz_day:
                out.add((cid, day))
        return out

    async def _replay(self, session: AsyncSession, conn, pairs: set[tuple[int, date]]) -> None:
        rows = await conn.execute(select(col(Answer.community_id), col(Answer.local_day), col(Answer.learner_id)).where(
            col(Answer.community_id).in_({c for c, _ in pairs}), col(Answer.local_day).in_({d for _, d in pairs})).distinct())
        learners = sorted({(cid, lid) for cid, day, lid in rows if (cid, day) in pairs})
        for cid, learner_id in learners:
            community = await session.get(Community, cid)
            if community is None:  # cannot be: its answers would have gone with it (ON DELETE CASCADE)
                raise LookupError(f"community {cid} of answers to replay is gone")
            stats = await locked_stats(session, learner_id)
            store_state(stats, await replay_learner(session, self.calendar, community, learner_id))
            session.add(stats)

"""Reveals: when a daily question closes, answers stop counting ("closed") and the post shows the
right answer, the explanation and how people answered.

A reveal is claimed in the ledger row (reveal_token) before anything is sent, so two processes
never reveal the same post twice; a claim left by a crash is retaken after claim_timeout. Posts
that close at the same minute (every channel's question closes at its next post) are revealed a
batch at a time: one claim and one grouped count of their answers; results are written as they are sent.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, or_, update
from sqlmodel import col, select

from bot.content import Catalog
from bot.db import Store, select_wide
from bot.domain.statuses import OutcomeStatus, PostStatus
from bot.engine.answers import card_of
from bot.engine.calendar import QuizCalendar
from bot.engine.ledger import CARD_COLUMNS, DELIVERY, POST, post_card
from bot.engine.pacing import SEND_CONCURRENCY, RateLimitPauses, each_at_most, send_paced
from bot.engine.result_writer import ResultWriter
from bot.engine.results import results_for_posts
from bot.models import Community, Post, Schedule
from bot.ports import SendError, SenderRouter
from bot.views import PostCard, PostOutcome, ResultsView

log = logging.getLogger(__name__)

REVEAL_BATCH = 1000  # posts revealed per claim


@dataclass(frozen=True)
class Reveal:
    card: PostCard
    results: ResultsView


@dataclass(frozen=True)
class RevealResult:
    """A reveal sent (ref: the results message, if one was made) or handed back until a rate-limit pause ends."""
    reveal: Reveal
    ref: str | None = None
    released_until: datetime | None = None

    def outcome(self) -> PostOutcome:
        card = self.reveal.card
        if self.released_until is None:
            return PostOutcome(card.schedule_id, card.local_date, OutcomeStatus.REVEALED, card.post_id)
        return PostOutcome(card.schedule_id, card.local_date, OutcomeStatus.DEFERRED, card.post_id, "reveal: rate limited",
                           self.released_until)


class Revealer:
    def __init__(self, store: Store, catalog: Catalog, calendar: QuizCalendar, router: SenderRouter, policy,
                 pacer: RateLimitPauses):
        self.store, self.catalog, self.calendar, self.router = store, catalog, calendar, router
        self.policy, self.pacer = policy, pacer
        # Set by the runtime: awaited before a post's results replace it (live counts stop editing it).
        self.on_closing: Callable[[int], Awaitable[None]] | None = None

    async def reveal_due(self, now: datetime) -> list[PostOutcome]:
        async with self.store.read() as session:
            due = (await session.exec(
                select_wide(Post.id, Post.schedule_id, Post.local_date, Schedule.platform, Schedule.channel_id)
                .join(Schedule, col(Schedule.id) == Post.schedule_id).where(
                    Post.status == PostStatus.POSTED, col(Post.revealed_at).is_(None), col(Post.closes_at) <= now,
                    col(Schedule.platform).in_(list(self.router.senders))).order_by(col(Post.closes_at)))).all()
        outcomes, ready = [], []
        for post_id, schedule_id, day, platform, channel in due:
            wait = self.pacer.paused_until(platform, channel, now)
            if wait is None:
                ready.append(post_id)
            else:
                outcomes.append(PostOutcome(schedule_id, day, OutcomeStatus.DEFERRED, post_id, "rate limited by the platform", wait))
        for start in range(0, len(ready), REVEAL_BATCH):
            outcomes += await self.reveal(ready[start:start + REVEAL_BATCH], now)
        return outcomes

    async def reveal(self, post_ids: list[int], now: datetime) -> list[PostOutcome]:
        token = str(uuid.uuid4())
        async with self.store.write() as session:
            outcomes, reveals = await self._claim(session, post_ids, token, now)
        # Recorded while later reveals are still being sent: a crash re-sends few of them (a results
        # message in a thread would be posted twice; an edit of the post is only made again).
        writer: ResultWriter[RevealResult, PostOutcome] = ResultWriter(lambda batch: self._record(batch, token, now))
        lease = self.pacer.lease(self.policy.claim_timeout)

        async def send(reveal: Reveal) -> None:
            card = reveal.card
            if lease.over:  # due again at once: the next pass claims it afresh
                writer.add(RevealResult(reveal, released_until=now))
                return
            if self.on_closing is not None:
                await self.on_closing(card.post_id)
            sender = self.router.for_platform(card.platform)

            async def post() -> str | None:
                if sender is None:  # as for a question: a door that stopped since the claim is retried
                    raise SendError(f"no front door for {card.platform} is running", retryable=True)
                return await sender.post_results(card, reveal.results)

            sent = await send_paced(self.pacer, card.platform, card.channel_id, now, self.policy.send_timeout, post)
            if sent.resume_at is not None:
                writer.add(RevealResult(reveal, released_until=sent.resume_at))
            elif sent.ok:
                writer.add(RevealResult(reveal, ref=sent.ref))
            elif getattr(sent.error, "retryable", True):  # the claim stays: retaken after claim_timeout
                log.warning("reveal failed; will retry", extra={"post_id": card.post_id, "error": str(sent.error)})
                outcomes.append(PostOutcome(card.schedule_id, card.local_date, OutcomeStatus.FAILED, card.post_id,
                                            f"reveal: {sent.error}"))
            else:  # e.g. the message was deleted: answers are closed, nothing more to show
                log.error("reveal failed for good", extra={"post_id": card.post_id, "error": str(sent.error)})
                writer.add(RevealResult(reveal))

        try:
            await each_at_most(SEND_CONCURRENCY, reveals, send)
        finally:
            outcomes += await writer.close()
        return outcomes

    async def _claim(self, session, post_ids: list[int], token: str,
                     now: datetime) -> tuple[list[PostOutcome], list[Reveal]]:
        conn = await session.connection()
        claimed = [row[0] for row in await conn.execute(update(POST).where(
            POST.c.id.in_(post_ids), POST.c.status == PostStatus.POSTED, POST.c.revealed_at.is_(None),
            or_(POST.c.reveal_claimed_at.is_(None), POST.c.reveal_claimed_at <= now - self.policy.claim_timeout),
        ).values(reveal_token=token, reveal_claimed_at=now).returning(POST.c.id))]
        if not claimed:
            return [], []
        rows = (await conn.execute(
            select_wide(POST.c.id.label("post_id"), POST.c.local_date, POST.c.question_id, POST.c.delivery_id,
                        POST.c.closes_at, POST.c.claim_token, POST.c.message_ref, *CARD_COLUMNS,
                        col(Community.external_id).label("community_external_id"))
            .join(Schedule, col(Schedule.id) == POST.c.schedule_id).join(Community, col(Community.id) == POST.c.community_id)
            .where(POST.c.id.in_(claimed)))).all()
        # From here on, clicks get "closed".
        await conn.execute(update(DELIVERY).where(DELIVERY.c.id.in_([r.delivery_id for r in rows]),
                                                  DELIVERY.c.closed_at.is_(None)).values(closed_at=now))
        rows, closed = await self._close_orphans(conn, rows, now)
        communities = {c.id: c for c in (await session.exec(
            select(Community).where(col(Community.id).in_({r.community_id for r in rows})))).all()}
        results = await results_for_posts(session, self.catalog, self.calendar, rows, communities, now)
        return closed, [Reveal(post_card(r, r.community_external_id, r.post_id, r.local_date,
                                 card_of(self.catalog, r.delivery_id, r.question_id, closes_at=r.closes_at),
                                 r.closes_at, r.claim_token or "", r.message_ref), results[r.post_id]) for r in rows]

    async def _close_orphans(self, conn, rows: list, now: datetime) -> tuple[list, list[PostOutcome]]:
        """Posts whose question left the content (edited while the post was open) are closed without
        results: there is no answer or explanation left to show. Returns the other rows."""
        orphans = [r for r in rows if r.question_id not in self.catalog.questions]
        if not orphans:
            return rows, []
        log.warning("question no longer in the content: closed without results",
                    extra={"post_ids": [r.post_id for r in orphans][:20]})
        await conn.execute(update(POST).where(POST.c.id.in_([r.post_id for r in orphans])).values(revealed_at=now))
        return [r for r in rows if r.question_id in self.catalog.questions], [
            PostOutcome(r.id, r.local_date, OutcomeStatus.REVEALED, r.post_id, "closed without results: the question is no "
                        "longer in the content") for r in orphans]

    async def _record(self, results: list[RevealResult], token: str, now: datetime) -> list[PostOutcome]:
        done = [r for r in results if r.released_until is None]
        released = [r for r in results if r.released_until is not None]
        async with self.store.write() as session:
            conn = await session.connection()
            if done:
                await conn.execute(update(POST).where(POST.c.id == bindparam("b_id"), POST.c.reveal_token == token)
                                   .values(revealed_at=now, results_ref=bindparam("b_ref")),
                                   [dict(b_id=r.reveal.card.post_id, b_ref=r.ref) for r in done])
            if released:  # the pass after the pause takes them again
                await conn.execute(update(POST).where(POST.c.id == bindparam("b_id"), POST.c.reveal_token == token)
                                   .values(reveal_token=None, reveal_claimed_at=None),
                                   [dict(b_id=r.reveal.card.post_id) for r in released])
        return [r.outcome() for r in results]

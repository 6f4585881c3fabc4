"""Set-based writes to the posting ledger: claim a batch of due slots in one transaction (the results
of their sends are written by bot.engine.send_records).

Thousands of schedules can fall due in the same minute, so nothing here costs a round trip per
post: rows go in and out as multi-row statements. Exactly once still comes from the
UNIQUE(schedule_id, local_date) key: a slot whose insert conflicts is only retaken when its claim
was left by a crash or its failed send is due again, both checked under the row lock.
"""
from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.domain import posting, slots
from bot.domain.posting import PostingPolicy
from bot.domain.statuses import DeliveryKind, OutcomeStatus, PostStatus
from bot.engine import tracks
from bot.engine.answers import card_of
from bot.models import Community, Delivery, Post, Schedule, table_of
from bot.timeutil import local_day, zone
from bot.views import PostCard, PostOutcome, QuestionCard

log = logging.getLogger(__name__)

POST, DELIVERY, SCHEDULE, COMMUNITY = table_of(Post), table_of(Delivery), table_of(Schedule), table_of(Community)
# What a claim needs of a schedule (not its audit times: thousands of rows per batch).
CARD_COLUMNS = [SCHEDULE.c[name] for name in (
    "id", "community_id", "platform", "channel_id", "local_time", "weekdays", "timezone", "track_lessons", "track_tags",
    "shuffle", "shuffle_seed", "open_minutes", "ping_role", "results_in_thread", "queued_question_id")]


@dataclass(frozen=True)
class Due:
    """A slot a schedule owes: (schedule, local date) at `slot_at`."""

    schedule_id: int
    community_id: int
    local_date: date
    slot_at: datetime
    platform: str
    channel_id: str
    community_tz: str


@dataclass(frozen=True)
class Claim:
    """A slot this process now owns: send `card`, then record the result against `card.claim_token`."""

    due: Due
    card: PostCard
    attempts: int
    delivery_id: int
    quiz_day: date


@dataclass(frozen=True)
class SendResult:
    claim: Claim
    status: OutcomeStatus  # posted | failed | deferred
    message_ref: str | None = None
    error: str = ""
    retryable: bool = True
    resume_at: datetime | None = None  # deferred: when the platform will take it


async def _conn(session: AsyncSession):
    return await session.connection()


async def record_missed(session: AsyncSession, store, dues: list[Due]) -> list[PostOutcome]:
    """Slots past the grace window: written as missed (not a quiz day), never sent."""
    rows = [dict(schedule_id=d.schedule_id, community_id=d.community_id, local_date=d.local_date, slot_at=d.slot_at,
                 quiz_day=local_day(d.slot_at, d.community_tz), status=PostStatus.MISSED,
                 error="the bot was down past the grace window") for d in dues]
    inserted = await insert_new(session, store, rows)
    return [PostOutcome(sid, day, OutcomeStatus.MISSED, pid) for pid, sid, day in inserted]


async def insert_new(session: AsyncSession, store, rows: list[dict]) -> list[tuple[int, int, date]]:
    """Ledger rows for slots nobody holds yet; returns (id, schedule, day) of those inserted here (others
    lost to a concurrent claim). One statement compiled once, sent as multi-row batches (insertmanyvalues)."""
    result = await (await _conn(session)).execute(store.insert(POST).on_conflict_do_nothing(
        index_elements=["schedule_id", "local_date"]).returning(POST.c.id, POST.c.schedule_id, POST.c.local_date), rows)
    return [tuple(row) for row in result]


def post_card(schedule, community_external_id: str, post_id: int, local_date: date, question: QuestionCard,
              closes_at: datetime | None, claim_token: str, message_ref: str | None) -> PostCard:
    """A daily post as a front door sends it; `schedule` is a Schedule or a row with its columns."""
    return PostCard(post_id, schedule.id, schedule.platform, community_external_id, schedule.channel_id, local_date,
                    question, schedule.ping_role, closes_at, schedule.results_in_thread, claim_token, message_ref,
                    f"quizbot-post-{post_id}")


def claim_tokens() -> Iterator[str]:
    """Unique claim tokens for one batch: a random prefix per batch and a counter (a uuid4 per claim
    cost about a tenth of the CPU of a 10,000-schedule tick)."""
    prefix = uuid.uuid4().hex[:24]
    return (f"{prefix}{i:012x}" for i in itertools.count())


class Claimer:
    """Claims a batch of due slots: new ledger rows with their question and delivery, or retaken rows."""

    def __init__(self, store, catalog: Catalog, policy: PostingPolicy):
        self.store, self.catalog, self.policy = store, catalog, policy
        self._shown: dict[str, QuestionCard] = {}  # question id → its card (the catalog does not change while running)

    async def claim(self, session: AsyncSession, dues: list[Due], now: datetime) -> tuple[list[Claim], list[PostOutcome]]:
        conn = await _conn(session)
        schedules = {row.id: row for row in await conn.execute(
            select(*CARD_COLUMNS, col(Community.external_id).label("community_external_id"))
            .join(Community, col(Community.id) == SCHEDULE.c.community_id)
            .where(SCHEDULE.c.id.in_({d.schedule_id for d in dues})))}
        dues = [d for d in dues if d.schedule_id in schedules]  # removed meanwhile
        if not dues:
            return [], []
        taken = await self._taken_dates(conn, schedules, dues, now)
        chosen, refused = await self._choose(conn, schedules, dues)
        outcomes = await self._refuse(session, refused, now)
        claims, lost = await self._insert_claims(session, conn, schedules, chosen, taken, now)
        return claims + await self._retake(conn, schedules, lost, taken, now), outcomes

    async def _choose(self, conn, schedules: dict, dues: list[Due]) -> tuple[list[tuple[Due, str]], list[Due]]:
        """Each slot's question: the queued one, else the track's next (no repeats until it is exhausted), never
        one its community retired."""
        history = await tracks.last_used(conn, {d.schedule_id for d in dues})
        retired = await tracks.retired_in(conn, {d.community_id for d in dues})
        chosen, refused, tracks_cache = [], [], {}
        for d in dues:
            s = schedules[d.schedule_id]
            key = (s.track_lessons, s.track_tags, s.shuffle, s.shuffle_seed)  # thousands share a few tracks
            if key not in tracks_cache:
                tracks_cache[key] = tracks.schedule_track(self.catalog, s)
            qid = tracks.pick(self.catalog, s, history.get(d.schedule_id, {}), tracks_cache[key],
                              retired.get(d.community_id, frozenset()))
            if qid is None:
                refused.append(d)
            else:
                chosen.append((d, qid))
        return chosen, refused

    async def _insert_claims(self, session: AsyncSession, conn, schedules: dict, chosen: list[tuple[Due, str]],
                             taken: dict, now: datetime) -> tuple[list[Claim], list[Due]]:
        """Deliveries, then the claimed ledger rows pointing at them; returns the claims and the slots whose
        row already existed (their deliveries are deleted again: the ledger row decides)."""
        if not chosen:
            return [], []
        found: dict = {}
        closing = [self._closes_at(schedules[d.schedule_id], d, taken, now, found) for d, _ in chosen]
        # New deliveries of one question, community and close are identical rows, so any returned id may
        # go to any of their posts: no RETURNING in parameter order (SQLite would insert row by row).
        fresh: dict[tuple, list[int]] = {}
        for delivery_id, *key in await conn.execute(
                insert(DELIVERY).returning(DELIVERY.c.id, DELIVERY.c.community_id, DELIVERY.c.question_id,
                                           DELIVERY.c.closes_at),
                [dict(community_id=d.community_id, question_id=qid, kind=DeliveryKind.POST, learner_id=None, created_at=now,
                      closes_at=closes_at, closed_at=None) for (d, qid), closes_at in zip(chosen, closing, strict=False)]):
            fresh.setdefault(tuple(key), []).append(delivery_id)
        rows, planned, tokens = [], {}, claim_tokens()
        for (d, qid), closes_at in zip(chosen, closing, strict=False):
            delivery_id, token = fresh[d.community_id, qid, closes_at].pop(), next(tokens)
            planned[d.schedule_id, d.local_date] = (d, qid, delivery_id, closes_at, token)
            rows.append(dict(schedule_id=d.schedule_id, community_id=d.community_id, local_date=d.local_date,
                             slot_at=d.slot_at, quiz_day=local_day(d.slot_at, d.community_tz), status=PostStatus.CLAIMED,
                             claim_token=token, claimed_at=now, attempts=1, question_id=qid, delivery_id=delivery_id,
                             closes_at=closes_at))
        inserted = {(sid, day): pid for pid, sid, day in await insert_new(session, self.store, rows)}
        claims, unqueue = [], []
        used: dict[tuple[int, str], date] = {}
        for key, (d, qid, delivery_id, closes_at, token) in planned.items():
            if key in inserted:
                s = schedules[d.schedule_id]
                claims.append(self._claim_of(d, s, inserted[key], token, 1, qid, delivery_id, closes_at, None))
                used[d.schedule_id, qid] = max(d.local_date, used.get((d.schedule_id, qid), d.local_date))
                if s.queued_question_id == qid:
                    unqueue.append(dict(b_id=s.id, b_question=qid))
        lost = [plan for key, plan in planned.items() if key not in inserted]
        if lost:
            await conn.execute(delete(DELIVERY).where(DELIVERY.c.id.in_([plan[2] for plan in lost])))
        await tracks.note_used(conn, self.store, used)
        if unqueue:
            await conn.execute(update(SCHEDULE).where(SCHEDULE.c.id == bindparam("b_id"),
                                                      SCHEDULE.c.queued_question_id == bindparam("b_question"))
                               .values(queued_question_id=None), unqueue)
        return claims, [plan[0] for plan in lost]

    async def _refuse(self, session: AsyncSession, refused: list[Due], now: datetime) -> list[PostOutcome]:
        """A track that selects no question (content changed under it) fails for good: retrying cannot help."""
        if not refused:
            return []
        reason = "this schedule's track selects no question; change its lessons or tags"
        inserted = await insert_new(session, self.store, [dict(
            schedule_id=d.schedule_id, community_id=d.community_id, local_date=d.local_date, slot_at=d.slot_at,
            quiz_day=local_day(d.slot_at, d.community_tz), status=PostStatus.FAILED, error=reason, attempts=1) for d in refused])
        return [PostOutcome(sid, day, OutcomeStatus.FAILED, pid, reason) for pid, sid, day in inserted]

    async def _retake(self, conn, schedules: dict, dues: list[Due], taken: dict, now: datetime) -> list[Claim]:
        """Slots already in the ledger: taken over only when crashed (stale claim) or due for a retry."""
        if not dues:
            return []
        wanted = {(d.schedule_id, d.local_date): d for d in dues}
        rows = (await conn.execute(select(POST).where(
            POST.c.schedule_id.in_({d.schedule_id for d in dues}), POST.c.local_date.in_({d.local_date for d in dues}))
            .with_for_update())).all()
        claims, updates, tokens = [], [], claim_tokens()
        found: dict[tuple[object, ...], datetime] = {}
        gone = [row.id for row in rows if (row.schedule_id, row.local_date) in wanted
                and row.question_id is not None and row.question_id not in self.catalog.questions]
        if gone:  # its question left the content: sending it again cannot work
            await conn.execute(update(POST).where(POST.c.id.in_(gone), POST.c.status == PostStatus.FAILED).values(
                next_attempt_at=None, error="the question is no longer in the content"))
        for row in rows:
            d = wanted.get((row.schedule_id, row.local_date))
            if d is None or row.id in gone or not posting.may_retake(
                    row.status, row.slot_at, row.delivery_id is not None, row.claimed_at, row.next_attempt_at, now,
                    self.policy):
                continue
            s, token = schedules[d.schedule_id], next(tokens)
            closes_at = self._closes_at(s, d, taken, now, found)
            updates.append(dict(b_id=row.id, b_token=token, b_attempts=row.attempts + 1, b_closes=closes_at))
            claims.append(self._claim_of(d, s, row.id, token, row.attempts + 1, row.question_id, row.delivery_id,
                                         closes_at, row.message_ref))
        if updates:
            await conn.execute(update(POST).where(POST.c.id == bindparam("b_id")).values(
                claim_token=bindparam("b_token"), claimed_at=now, attempts=bindparam("b_attempts"),
                closes_at=bindparam("b_closes")), updates)
            await conn.execute(update(DELIVERY).where(DELIVERY.c.id == bindparam("b_id")).values(
                closes_at=bindparam("b_closes")), [dict(b_id=c.delivery_id, b_closes=c.card.closes_at) for c in claims])
        return claims

    def _claim_of(self, d: Due, s, post_id: int, token: str, attempts: int, question_id: str, delivery_id: int,
                  closes_at: datetime, message_ref: str | None) -> Claim:
        shown = self._shown.get(question_id)
        if shown is None:  # the same few questions go to thousands of channels: build each card once
            shown = self._shown[question_id] = card_of(self.catalog, 0, question_id)
        card = post_card(s, s.community_external_id, post_id, d.local_date, replace(shown, delivery_id=delivery_id),
                         closes_at, token, message_ref)
        return Claim(d, card, attempts, delivery_id, local_day(d.slot_at, d.community_tz))

    @staticmethod
    def _closes_at(s, d: Due, taken: dict, now: datetime, found: dict[tuple[object, ...], datetime]) -> datetime:
        """Open for `open_minutes`, or until the schedule's next real post (days already taken are passed over).
        `found` shares the answer between schedules with the same time, days, zone and taken days."""
        if s.open_minutes:
            return posting.closes_at(now, s.open_minutes, None)
        key = (s.local_time, s.weekdays, s.timezone or d.community_tz, taken.get(s.id, frozenset()) | {d.local_date})
        if key not in found:
            nxt = slots.next_slot(now, slots.parse_time(key[0]), tracks.split(key[1]), key[2], key[3])
            found[key] = posting.closes_at(now, None, nxt[1] if nxt else None)
        return found[key]

    @staticmethod
    async def _taken_dates(conn, schedules: dict, dues: list[Due], now: datetime) -> dict[int, frozenset]:
        """Per schedule, local dates from today on that already have a ledger row (posted early, skipped...)."""
        today = {d.schedule_id: now.astimezone(zone(schedules[d.schedule_id].timezone or d.community_tz)).date()
                 for d in dues}
        rows = await conn.execute(select(POST.c.schedule_id, POST.c.local_date).where(
            POST.c.schedule_id.in_(today), POST.c.local_date >= min(today.values())))
        taken: dict[int, set] = {}
        for sid, day in rows:
            if day >= today[sid]:
                taken.setdefault(sid, set()).add(day)
        return {sid: frozenset(days) for sid, days in taken.items()}

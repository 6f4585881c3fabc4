"""Review reminders behind the facade: the opt-in (set, read, off) and the reminder ledger.

A tick claims, in one transaction, a ledger row per learner whose reminder is owed today: the
UNIQUE (learner, local day) key means a second tick, a restart or another process claims nothing.
Rows with nothing due are written as idle (no message, no second look that day). The door sends
outside the transaction, then `record` writes sent, failed (tried again later that day, a few times)
or dropped: the platform refused the DM for good, so the opt-in is deleted and reminders stop.
A crash between claim and send leaves the row claimed: that day's reminder is lost, never doubled.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlmodel import col

from bot.db import Store
from bot.domain import reminders as rules
from bot.domain.reminders import ReminderStatus
from bot.domain.slots import parse_time
from bot.engine.identity import find_learner, learner_for
from bot.models import Community, Learner, MemoryCard, ReminderSend, ReviewReminder, table_of
from bot.timeutil import day_end
from bot.views import Actor, ReminderCard, ReminderSetting

log = logging.getLogger(__name__)
SEND, OPT_IN, CARD = table_of(ReminderSend), table_of(ReviewReminder), table_of(MemoryCard)


@dataclass(frozen=True)
class ReminderClaim:
    """A reminder this process now owns: send `card`, then record the result."""

    learner_id: int
    card: ReminderCard
    attempts: int  # including this one
    day_ends: datetime  # no retry after the learner's local midnight


@dataclass(frozen=True)
class ReminderResult:
    claim: ReminderClaim
    sent: bool
    error: str = ""
    retryable: bool = True
    unreachable: bool = False  # the person takes no DMs from the bot: reminders are turned off


@dataclass(frozen=True)
class Owed:
    learner_id: int
    day: date
    day_ends: datetime


class ReminderDesk:
    def __init__(self, store: Store, default_timezone: str = "UTC"):
        self.store, self.default_timezone = store, default_timezone

    # The learner's setting --------------------------------------------------------------------
    async def setting(self, actor: Actor) -> ReminderSetting:
        async with self.store.read() as session:
            community, learner = await find_learner(session, actor)
            row = await session.get(ReviewReminder, learner.id) if learner else None
            return ReminderSetting(row.local_time if row else None,
                                   community.timezone if community else self.default_timezone)

    async def set(self, actor: Actor, text: str, now: datetime) -> ReminderSetting:
        at = rules.parse_setting(text)
        async with self.store.write() as session:
            community, learner = await learner_for(self.store, session, actor, now, self.default_timezone)
            if at is None:
                await session.exec(delete(ReviewReminder).where(col(ReviewReminder.learner_id) == learner.id))
                return ReminderSetting(None, community.timezone)
            value = at.strftime("%H:%M")
            await session.exec(self.store.insert(ReviewReminder).values(learner_id=learner.id, local_time=value, since=now)
                               .on_conflict_do_update(index_elements=["learner_id"],
                                                      set_={"local_time": value, "since": now}))
            return ReminderSetting(value, community.timezone)

    # The ledger ---------------------------------------------------------------------------------
    async def claim(self, now: datetime, platforms: list[str]) -> list[ReminderClaim]:
        """Claim what is owed to learners on `platforms` (those this process can send DMs on)."""
        async with self.store.write() as session:
            conn = await session.connection()
            claims = await self._retake(conn, now, platforms)
            owed = await self._owed(conn, now, platforms)
            if not owed:
                return claims
            due = await due_counts(conn, owed)
            rows = [dict(learner_id=o.learner_id, local_day=o.day, due=due.get(o.learner_id, 0), claimed_at=now,
                         attempts=1, status=ReminderStatus.CLAIMED if due.get(o.learner_id) else ReminderStatus.IDLE)
                    for o in owed]
            inserted = {row.learner_id for row in await conn.execute(
                self.store.insert(SEND).on_conflict_do_nothing(index_elements=["learner_id", "local_day"])
                .returning(SEND.c.learner_id, SEND.c.status), rows) if row.status == ReminderStatus.CLAIMED}
            return claims + await self._cards(conn, [(o.learner_id, o.day, due[o.learner_id], 1)
                                                     for o in owed if o.learner_id in inserted])

    async def _owed(self, conn, now: datetime, platforms: list[str]) -> list[Owed]:
        """Every opt-in whose time has come today and has no ledger row for today yet."""
        opt_ins = (await conn.execute(
            select(OPT_IN.c.learner_id, OPT_IN.c.local_time, OPT_IN.c.since, col(Community.timezone))
            .join(Learner, col(Learner.id) == OPT_IN.c.learner_id)
            .join(Community, col(Community.id) == col(Learner.community_id))
            .where(col(Community.platform).in_(platforms)))).all()
        owed = []
        for learner_id, local_time, since, tz in opt_ins:
            day = rules.owed_day(now, parse_time(local_time), since, tz)
            if day is not None:
                owed.append(Owed(learner_id, day, day_end(day, tz)))
        if not owed:
            return []
        taken = set((await conn.execute(select(SEND.c.learner_id, SEND.c.local_day).where(
            SEND.c.learner_id.in_([o.learner_id for o in owed]), SEND.c.local_day.in_({o.day for o in owed})))).all())
        return [o for o in owed if (o.learner_id, o.day) not in taken]

    async def _retake(self, conn, now: datetime, platforms: list[str]) -> list[ReminderClaim]:
        """Failed reminders whose retry time has come; the conditional update keeps each one single."""
        theirs = select(col(Learner.id)).join(Community, col(Community.id) == col(Learner.community_id)).where(
            col(Community.platform).in_(platforms))
        rows = (await conn.execute(update(SEND).where(
            SEND.c.status == ReminderStatus.FAILED, SEND.c.next_attempt_at <= now, SEND.c.learner_id.in_(theirs))
            .values(status=ReminderStatus.CLAIMED, attempts=SEND.c.attempts + 1, claimed_at=now, next_attempt_at=None)
            .returning(SEND.c.learner_id, SEND.c.local_day, SEND.c.due, SEND.c.attempts))).all()
        return await self._cards(conn, [tuple(row) for row in rows])

    async def _cards(self, conn, claims: list[tuple[int, date, int, int]]) -> list[ReminderClaim]:
        if not claims:
            return []
        who = {row.id: row for row in await conn.execute(
            select(col(Learner.id), col(Learner.user_id), col(Learner.display_name), col(Community.platform),
                   col(Community.external_id), col(Community.timezone))
            .join(Community, col(Community.id) == col(Learner.community_id))
            .where(col(Learner.id).in_([c[0] for c in claims])))}
        return [ReminderClaim(lid, ReminderCard(w.platform, w.external_id, w.user_id, w.display_name, due, day),
                              attempts, day_end(day, w.timezone))
                for lid, day, due, attempts in claims if (w := who.get(lid)) is not None]

    async def record(self, results: list[ReminderResult], now: datetime) -> None:
        """Write what the sends did; only rows still claimed change (a result is written once)."""
        if not results:
            return
        dropped = [r for r in results if r.unreachable]
        async with self.store.write() as session:
            conn = await session.connection()
            key = and_(SEND.c.learner_id == bindparam("b_learner"), SEND.c.local_day == bindparam("b_day"),
                       SEND.c.status == ReminderStatus.CLAIMED)
            await conn.execute(update(SEND).where(key).values(
                status=bindparam("b_status"), sent_at=bindparam("b_sent"), error=bindparam("b_error"),
                next_attempt_at=bindparam("b_next")), [self._row(r, now) for r in results])
            if dropped:
                await conn.execute(delete(OPT_IN).where(OPT_IN.c.learner_id.in_([r.claim.learner_id for r in dropped])))
        for r in dropped:
            log.warning("review reminders turned off, the platform refuses direct messages to this learner: %s",
                        r.error[:200], extra={"learner_id": r.claim.learner_id, "platform": r.claim.card.platform})

    @staticmethod
    def _row(r: ReminderResult, now: datetime) -> dict:
        if r.sent:
            status, retry = ReminderStatus.SENT, None
        elif r.unreachable:
            status, retry = ReminderStatus.DROPPED, None
        else:  # failed; given up for the day when no retry time is left (the row keeps its error)
            status, retry = ReminderStatus.FAILED, rules.retry_at(r.claim.attempts, r.retryable, now, r.claim.day_ends)
        return dict(b_learner=r.claim.learner_id, b_day=r.claim.card.local_day, b_status=status,
                    b_sent=now if r.sent else None, b_error=r.error[:300] or None, b_next=retry)


async def due_counts(conn, owed: list[Owed]) -> dict[int, int]:
    """Cards due on each learner's reminder day (before its local midnight), as "N due" counts them.
    One statement per distinct day end: learners of one zone share it."""
    by_end: dict[datetime, list[int]] = defaultdict(list)
    for o in owed:
        by_end[o.day_ends].append(o.learner_id)
    counts: dict[int, int] = {}
    for ends, learners in by_end.items():
        counts.update((await conn.execute(select(CARD.c.learner_id, func.count()).where(
            CARD.c.learner_id.in_(learners), CARD.c.due < ends).group_by(CARD.c.learner_id))).all())
    return counts

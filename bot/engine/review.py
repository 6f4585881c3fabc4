"""Spaced review's reads and deliveries: what is due for a learner, the most overdue card handed out
as a review delivery (answered like any other, through the group commit), and mastery per lesson.

"Due" is bot.domain.review's local-day rule: a card whose due instant is before the start of the
learner's next local day (in the community's time zone)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.content import Catalog
from bot.db import Store
from bot.domain import review
from bot.domain.statuses import DeliveryKind
from bot.engine.answers import card_of
from bot.engine.identity import CommunityRef, find_reader
from bot.engine.lessons import answered_questions
from bot.models import Delivery, MemoryCard, ReviewSlot, table_of
from bot.views import Actor, LessonMastery, MasteryView, ReviewCard, ReviewStatus

CARD, SLOT, DELIVERY = table_of(MemoryCard), table_of(ReviewSlot), table_of(Delivery)
CANDIDATES = 20  # due cards read per pick: more than enough to step over questions gone from the catalog


async def due_status(conn: AsyncConnection, learner_id: int, day_end: datetime) -> ReviewStatus:
    """Both are ranges of the (learner, due) index; the second is read only when nothing is due."""
    due = (await conn.execute(select(func.count()).select_from(CARD).where(
        CARD.c.learner_id == learner_id, CARD.c.due < day_end))).scalar_one()
    if due:
        return ReviewStatus(due, None)
    later = (await conn.execute(select(func.min(CARD.c.due)).where(CARD.c.learner_id == learner_id))).scalar_one()
    return ReviewStatus(0, later)


async def mastered_questions(conn: AsyncConnection, learner_id: int) -> set[str]:
    rows = await conn.execute(select(CARD.c.question_id, CARD.c.state, CARD.c.stability).where(CARD.c.learner_id == learner_id))
    return {question_id for question_id, state, stability in rows.tuples() if review.is_mastered(state, stability)}


class ReviewDesk:
    def __init__(self, store: Store, catalog: Catalog):
        self.store, self.catalog = store, catalog

    async def status(self, actor: Actor, now: datetime) -> ReviewStatus:
        async with self.store.read() as session:
            community, learner = await find_reader(session, actor)
            if community is None or learner is None:
                return ReviewStatus(0, None)
            return await due_status(await session.connection(), learner.id, review.next_day_start(now, community.timezone))

    async def next(self, actor: Actor, now: datetime) -> ReviewCard:
        """The most overdue due card as a review delivery. Asked again before it is answered (here or
        in another process), the same delivery comes back: review_slot's key decides."""
        status = await self.status(actor, now)
        if not status.due:  # nothing to hand out: no write
            return ReviewCard(None, status)
        async with self.store.write() as session:
            conn = await session.connection()
            community, learner = await find_reader(session, actor)
            if community is None or learner is None:  # cannot happen: the status above found cards
                return ReviewCard(None, ReviewStatus(0, None))
            day_end = review.next_day_start(now, community.timezone)
            picked = await self._pick(conn, learner.id, day_end)
            status = await due_status(conn, learner.id, day_end)
            if picked is None:
                return ReviewCard(None, status)
            question_id, due = picked
            delivery_id = await self._claim(conn, community, learner.id, question_id, due, now)
        return ReviewCard(card_of(self.catalog, delivery_id, question_id), status)

    async def _pick(self, conn: AsyncConnection, learner_id: int, day_end: datetime) -> tuple[str, datetime] | None:
        rows = (await conn.execute(select(CARD.c.question_id, CARD.c.due).where(
            CARD.c.learner_id == learner_id, CARD.c.due < day_end).order_by(CARD.c.due, CARD.c.question_id)
            .limit(CANDIDATES))).tuples().all()
        gone = [question_id for question_id, _ in rows if question_id not in self.catalog.questions]
        if gone:  # retired from the course: never answerable again (its id cannot come back), so forgotten
            await conn.execute(delete(CARD).where(CARD.c.learner_id == learner_id, CARD.c.question_id.in_(gone)))
        return next(((q, due) for q, due in rows if q in self.catalog.questions), None)

    async def _claim(self, conn: AsyncConnection, community: CommunityRef, learner_id: int, question_id: str,
                     due: datetime, now: datetime) -> int:
        key = (SLOT.c.learner_id == learner_id) & (SLOT.c.question_id == question_id) & (SLOT.c.due == due)
        found = (await conn.execute(select(SLOT.c.delivery_id).where(key))).scalar_one_or_none()
        if found is not None:
            return int(found)
        delivery_id = (await conn.execute(DELIVERY.insert().values(
            community_id=community.id, question_id=question_id, kind=DeliveryKind.REVIEW, learner_id=learner_id,
            created_at=now).returning(DELIVERY.c.id))).scalar_one()
        won = (await conn.execute(self.store.insert(SLOT).values(
            learner_id=learner_id, question_id=question_id, due=due, delivery_id=delivery_id)
            .on_conflict_do_nothing().returning(SLOT.c.delivery_id))).scalar_one_or_none()
        if won is not None:
            return int(won)
        # Another process handed out this card at this due instant first: give its delivery instead.
        await conn.execute(delete(DELIVERY).where(DELIVERY.c.id == delivery_id))
        return int((await conn.execute(select(SLOT.c.delivery_id).where(key))).scalar_one())

    async def mastery(self, actor: Actor) -> MasteryView:
        async with self.store.read() as session:
            _, learner = await find_reader(session, actor)
            if learner is None:
                answered, mastered = set[str](), set[str]()
            else:
                answered = await answered_questions(session, learner.id)
                mastered = await mastered_questions(await session.connection(), learner.id) & answered
        lessons = tuple(LessonMastery(lesson.id, lesson.title, sum(q.id in mastered for q in lesson.questions),
                                      sum(q.id in answered for q in lesson.questions), len(lesson.questions))
                        for lesson in self.catalog.lessons)
        return MasteryView(lessons, sum(m.mastered for m in lessons), sum(m.answered for m in lessons),
                           sum(m.questions for m in lessons))

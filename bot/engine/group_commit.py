"""Group commit for answers: one writer takes every answer waiting at that moment and commits
them in one transaction with set-based statements, then tells each caller its verdict.

Why: one transaction per answer spends its time on round trips and commits, and concurrent
writers queue on SQLite's single write lock. Here a batch costs about a dozen statements
whatever its size, and each caller is answered only after the batch has committed. A batch of
one is the same code path, so there is one implementation of the answer rules.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, tuple_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics, streaks
from bot.content import Catalog
from bot.content.schema import Question
from bot.db import Store
from bot.engine import histogram
from bot.engine import stats as stats_mod
from bot.engine.answers import PERSONAL_KINDS, grade_answer, points_for, verdict_for
from bot.engine.calendar import DayCounter, QuizCalendar
from bot.engine.identity import clean_name, community_for
from bot.errors import NotFound, QuizError
from bot.models import Answer, Community, Delivery, Learner, LearnerPeriod, LearnerStats, Post, ScoredQuestion
from bot.timeutil import local_day
from bot.views import Actor, Verdict

log = logging.getLogger(__name__)

MAX_BATCH = 500  # keeps every multi-row statement well under SQLite's 32,766 bound variables
ANSWER_COLUMNS = tuple(c.name for c in Answer.__table__.columns if c.name != "id")


@dataclass
class Request:
    actor: Actor
    delivery_id: int | None  # None: found from post_id in the batch
    raw: str
    now: datetime
    future: asyncio.Future
    post_id: int | None = None
    result: Verdict | None = None
    error: Exception | None = None
    community: Community | None = None
    delivery: Delivery | None = None
    learner_id: int | None = None
    answer: Answer | None = None  # a new answer this request adds
    twin: "Request | None" = None  # an earlier request in the batch for the same delivery and learner

    def done(self) -> bool:
        return self.result is not None or self.error is not None


@dataclass
class Batch:
    requests: list[Request]
    stats: dict[int, LearnerStats] = field(default_factory=dict)


async def many(session: AsyncSession, statement, rows: list[dict]):
    """One statement for many rows (SQLAlchemy's insertmanyvalues): compiled once, cached, sent in chunks."""
    return await (await session.connection()).execute(statement, rows)


class GroupCommitter:
    def __init__(self, store: Store, catalog: Catalog, calendar: QuizCalendar, default_timezone: str):
        self.store, self.catalog, self.calendar, self.default_timezone = store, catalog, calendar, default_timezone
        self._waiting: list[Request] = []
        self._writer: asyncio.Task | None = None

    async def submit(self, actor: Actor, delivery_id: int | None, raw: str, now: datetime,
                     post_id: int | None = None) -> Verdict:
        """Answer a delivery (or a daily post by its id); returns once the answer's batch has committed."""
        loop = asyncio.get_running_loop()
        request = Request(actor, delivery_id, raw, now, loop.create_future(), post_id)
        self._waiting.append(request)
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            self._writer = loop.create_task(self._drain())
        with metrics.ANSWER_SECONDS.time():
            return await request.future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                await self._commit(batch)
            except Exception as err:  # the transaction failed as a whole: retry each alone, so one bad
                if len(batch) > 1:    # request cannot fail the others
                    for request in batch:
                        request.result = request.error = None
                        await self._commit_alone(request)
                else:
                    batch[0].error = err
            metrics.BATCH_SIZE.observe(len(batch))
            for request in batch:
                metrics.ANSWERS.labels("error" if request.error else request.result.status).inc()
                self._settle(request)

    async def _commit_alone(self, request: Request) -> None:
        try:
            await self._commit([request])
        except Exception as err:
            request.error = err

    @staticmethod
    def _settle(request: Request) -> None:
        if request.future.done():
            return
        if request.error is not None:
            request.future.set_exception(request.error)
        else:
            request.future.set_result(request.result)

    # One transaction for the whole batch ------------------------------------------------------
    async def _commit(self, requests: list[Request]) -> None:
        async with self.store.write() as session:
            await self._resolve(session, requests)
            live = [r for r in requests if not r.done()]
            await self._upsert_learners(session, [r for r in live if r.learner_id is None])
            new = await self._insert_answers(session, live)
            await self._award(session, new)
            batch = Batch(requests, await self._locked_stats(session, requests))
            await self._apply_stats(session, batch, new)
            await self._finish(session, batch)

    async def _resolve(self, session: AsyncSession, requests: list[Request]) -> None:
        """Communities, deliveries, known learners and earlier answers; refuse what cannot be answered."""
        communities: dict[tuple[str, str], Community] = {}
        for r in requests:
            key = (r.actor.platform, r.actor.community_id)
            if key not in communities:
                communities[key] = await community_for(self.store, session, r.actor, r.now, self.default_timezone)
            r.community = communities[key]
        by_post = {r.post_id for r in requests if r.post_id is not None}
        if by_post:
            post_delivery = dict((await session.exec(select(Post.id, Post.delivery_id).where(Post.id.in_(by_post)))).all())
            for r in requests:
                if r.post_id is not None:
                    r.delivery_id = post_delivery.get(r.post_id)
        ids = {r.delivery_id for r in requests if r.delivery_id is not None}
        deliveries = {d.id: d for d in (await session.exec(select(Delivery).where(Delivery.id.in_(ids)))).all()}
        pairs = {(r.community.id, r.actor.user_id) for r in requests}
        known = {(l.community_id, l.user_id): l.id for l in (await session.exec(select(Learner).where(
            tuple_(Learner.community_id, Learner.user_id).in_(pairs)))).all()}
        earlier = {(a.delivery_id, a.learner_id): a for a in (await session.exec(select(Answer).where(
            Answer.delivery_id.in_(ids), Answer.learner_id.in_(set(known.values()) or {-1})))).all()}
        seen: dict[tuple[int, str], Request] = {}
        for r in requests:
            r.delivery, r.learner_id = deliveries.get(r.delivery_id), known.get((r.community.id, r.actor.user_id))
            d = r.delivery
            if r.post_id is not None and d is None:
                r.error = NotFound("That daily question no longer exists.")
                continue
            if d is None or d.community_id != r.community.id or d.learner_id not in (None, r.learner_id):
                r.error = NotFound("That question isn't open to you here.")
                continue
            question = self.catalog.question(d.question_id)
            if question is None:
                r.error = NotFound("That question has been retired from the course.")
                continue
            first = earlier.get((d.id, r.learner_id))
            if first is not None:
                r.answer, r.result = first, Verdict(status="repeat", question_id=question.id)  # filled in at the end
                continue
            twin = seen.get((d.id, r.actor.user_id))
            if twin is not None:
                r.twin, r.result = twin, Verdict(status="repeat", question_id=question.id)
                continue
            if d.closed_at is not None or (d.closes_at is not None and r.now >= d.closes_at):
                r.result = Verdict(status="closed", question_id=question.id)
                continue
            try:
                r.answer = grade_answer(question, r.raw)
            except QuizError as err:  # e.g. an answer out of range: nothing is written for it
                r.error = err
                continue
            seen[(d.id, r.actor.user_id)] = r

    async def _upsert_learners(self, session: AsyncSession, requests: list[Request]) -> None:
        if not requests:
            return
        rows = {(r.community.id, r.actor.user_id): {"community_id": r.community.id, "user_id": r.actor.user_id,
                                                    "display_name": clean_name(r.actor.display_name), "created_at": r.now}
                for r in requests}
        ordered = [rows[k] for k in sorted(rows)]  # a fixed order: concurrent batches lock rows alike
        stmt = self.store.insert(Learner)
        await many(session, stmt.on_conflict_do_update(index_elements=["community_id", "user_id"],
                                                       set_={"display_name": stmt.excluded.display_name}), ordered)
        ids = {(l.community_id, l.user_id): l for l in (await session.exec(select(Learner).where(
            tuple_(Learner.community_id, Learner.user_id).in_(rows)))).all()}
        await many(session, self.store.insert(LearnerStats).on_conflict_do_nothing(index_elements=["learner_id"]),
                   [{"learner_id": l.id, "community_id": l.community_id} for _, l in sorted(ids.items())])
        for r in requests:
            r.learner_id = ids[(r.community.id, r.actor.user_id)].id

    async def _insert_answers(self, session: AsyncSession, live: list[Request]) -> list[Request]:
        new = [r for r in live if r.answer is not None and r.result is None]
        if not new:
            return []
        post_days = dict((await session.exec(select(Post.delivery_id, Post.quiz_day).where(
            Post.delivery_id.in_({r.delivery.id for r in new if r.delivery.kind == "post"} or {-1})))).all())
        for r in new:
            a = r.answer
            a.delivery_id, a.learner_id, a.community_id, a.answered_at = r.delivery.id, r.learner_id, r.community.id, r.now
            # A daily post's answer counts for the post's own quiz day; others for the day they were given.
            a.local_day = post_days.get(r.delivery.id) or local_day(r.now, r.community.timezone)
            a.points = points_for(self.catalog.questions[a.question_id], a.correct)
        rows = sorted(({c: getattr(r.answer, c) for c in ANSWER_COLUMNS} for r in new),
                      key=lambda v: (v["delivery_id"], v["learner_id"]))
        inserted = await many(session, self.store.insert(Answer)
                              .on_conflict_do_nothing(index_elements=["delivery_id", "learner_id"])
                              .returning(Answer.id, Answer.delivery_id, Answer.learner_id), rows)
        ids = {(d, l): i for i, d, l in inserted.all()}
        kept = []
        for r in new:
            answer_id = ids.get((r.answer.delivery_id, r.answer.learner_id))
            if answer_id is None:  # another process stored this learner's answer first: report that one
                r.answer = (await session.exec(select(Answer).where(Answer.delivery_id == r.delivery.id,
                                                                    Answer.learner_id == r.learner_id))).one()
                r.result = Verdict(status="repeat", question_id=r.answer.question_id)
            else:
                r.answer.id = answer_id
                kept.append(r)
        return kept

    async def _award(self, session: AsyncSession, new: list[Request]) -> None:
        """Lesson and practice questions pay once per learner: the scored_question key decides who."""
        paying = [r for r in new if r.answer.points and r.delivery.kind in PERSONAL_KINDS]
        if not paying:
            return
        firsts: dict[tuple[int, str], Request] = {}
        for r in paying:
            firsts.setdefault((r.learner_id, r.answer.question_id), r)
        won = set((await many(session, self.store.insert(ScoredQuestion)
                              .on_conflict_do_nothing(index_elements=["learner_id", "question_id"])
                              .returning(ScoredQuestion.answer_id),
                              [{"learner_id": k[0], "question_id": k[1], "answer_id": firsts[k].answer.id}
                               for k in sorted(firsts)])).scalars().all())
        losers = [r for r in paying if r.answer.id not in won]
        for r in losers:
            r.answer.points = 0
        if losers:
            await session.exec(update(Answer).where(Answer.id.in_([r.answer.id for r in losers])).values(points=0))

    async def _locked_stats(self, session: AsyncSession, requests: list[Request]) -> dict[int, LearnerStats]:
        ids = sorted({r.learner_id for r in requests if r.learner_id is not None and not r.error})
        if not ids:
            return {}
        rows = (await session.exec(select(LearnerStats).where(LearnerStats.learner_id.in_(ids))
                                   .order_by(LearnerStats.learner_id).with_for_update())).all()
        for stats in rows:
            session.expunge(stats)  # changed in Python, written back once with one executemany
        return {s.learner_id: s for s in rows}

    async def _apply_stats(self, session: AsyncSession, batch: Batch, new: list[Request]) -> None:
        """The same rules as one answer at a time, applied in arrival order."""
        counters: dict[int, DayCounter] = {}
        replay: set[int] = set()
        snapshots: dict[int, tuple[int, streaks.StreakState]] = {}
        for r in new:
            stats, a = batch.stats[r.learner_id], r.answer
            counter = counters.get(r.community.id) or await self.calendar.offline_counter(session, r.community)
            counters[r.community.id] = counter
            stats.points += a.points
            stats.answers += 1
            stats.correct += int(a.correct)
            last = stats.last_quiz_day
            if last is not None and a.local_day < last:
                replay.add(r.learner_id)  # an answer for an earlier day: replay the log below
            elif (last is None or a.local_day > last) and counter.is_quiz_day(a.local_day):
                missed = 0 if last is None else counter.missed_between(last, a.local_day)
                stats_mod.store_state(stats, streaks.answer_day(stats_mod.state_of(stats), a.local_day, missed))
            snapshots[id(r)] = (stats.points, stats_mod.state_of(stats))
        if replay:
            await session.flush()
        for learner_id in replay:
            stats = batch.stats[learner_id]
            community = next(r.community for r in new if r.learner_id == learner_id)
            stats_mod.store_state(stats, await stats_mod.replay_learner(session, self.calendar, community, learner_id))
        await self._add_to_periods(session, new)
        await histogram.count_answers(session, self.store, [r.answer for r in new], batch.stats)
        changed = {r.learner_id for r in new}
        if changed:
            table = LearnerStats.__table__
            await many(session,
                update(table).where(table.c.learner_id == bindparam("key")).values(
                    {c: bindparam(f"v_{c}") for c in stats_mod.COMPARED}),
                [{"key": i, **{f"v_{c}": getattr(batch.stats[i], c) for c in stats_mod.COMPARED}} for i in sorted(changed)])
        for r in new:
            if r.learner_id in replay:
                r.result = self._verdict_from(r, batch.stats[r.learner_id], "new")
            else:
                points, state = snapshots[id(r)]
                r.result = verdict_for(self.catalog.questions[r.answer.question_id], r.answer, points, state, "new")

    async def _add_to_periods(self, session: AsyncSession, new: list[Request]) -> None:
        """This week's and this month's totals per learner grow with each new answer."""
        totals: dict[tuple, list[int]] = {}
        for r in new:
            for period, start in stats_mod.periods_of(r.answer.local_day):
                acc = totals.setdefault((r.learner_id, period, start, r.community.id), [0, 0, 0])
                acc[0] += r.answer.points
                acc[1] += 1
                acc[2] += int(r.answer.correct)
        if not totals:
            return
        stmt = self.store.insert(LearnerPeriod)
        table = LearnerPeriod.__table__
        await many(session, stmt.on_conflict_do_update(
            index_elements=["learner_id", "period", "start"],
            set_={c: table.c[c] + stmt.excluded[c] for c in ("points", "answers", "correct")}),
            [{"learner_id": k[0], "period": k[1], "start": k[2], "community_id": k[3],
              "points": v[0], "answers": v[1], "correct": v[2]} for k, v in sorted(totals.items())])

    async def _finish(self, session: AsyncSession, batch: Batch) -> None:
        """Repeats report the first verdict with the learner's counters as they now stand."""
        for r in batch.requests:
            if r.error is not None or r.result is None or r.result.status != "repeat":
                continue
            answer = r.twin.answer if r.twin is not None else r.answer
            if answer is None or answer.id is None:
                r.error = r.twin.error if r.twin is not None and r.twin.error else NotFound("That answer was not stored.")
                continue
            stats = batch.stats.get(r.learner_id or answer.learner_id) or await session.get(LearnerStats, answer.learner_id)
            r.result = self._verdict_from(r, stats, "repeat", answer)

    def _verdict_from(self, r: Request, stats: LearnerStats, status: str, answer: Answer | None = None) -> Verdict:
        answer = answer or r.answer
        question: Question = self.catalog.questions[answer.question_id]
        return verdict_for(question, answer, stats.points, stats_mod.state_of(stats), status)

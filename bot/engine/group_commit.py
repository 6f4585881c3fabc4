"""Group commit for answers: one writer takes every answer waiting at that moment and commits
them in one transaction with set-based statements, then tells each caller its verdict.

Why: one transaction per answer spends its time on round trips and commits, and concurrent
writers queue on SQLite's single write lock. Here a batch costs a handful of statements whatever
its size (Core statements, no ORM instances: see batch_sql), and each caller is answered only
after the batch has committed. A batch of one is the same code path, so there is one
implementation of the answer rules.
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.content import Catalog
from bot.content.schema import Question
from bot.db import Store
from bot.domain import answering, review
from bot.domain.answering import DeliveryFacts
from bot.domain.calendar import DayCounter
from bot.domain.statuses import DeliveryKind, VerdictStatus
from bot.domain.streaks import StreakState
from bot.engine import answer_ids, histogram, memory_cards
from bot.engine import stats as stats_mod
from bot.engine.answer_batch import Batch, Request, Stored, filled
from bot.engine.answers import AnswerRow, answer_row, verdict_for
from bot.engine.batch_sql import ANSWER_COLUMNS, BatchSql
from bot.engine.calendar import QuizCalendar
from bot.engine.identity import CommunityRef
from bot.engine.known_ids import KnownIds
from bot.engine.post_counts import CountsReport, PostCount, count_post_answers
from bot.errors import NotFound
from bot.views import Actor, Verdict

log = logging.getLogger(__name__)

MAX_BATCH = 500  # keeps every multi-row statement well under SQLite's 32,766 bound variables

class GroupCommitter:
    def __init__(self, store: Store, catalog: Catalog, calendar: QuizCalendar, default_timezone: str,
                 desired_retention: float = review.DEFAULT_RETENTION):
        self.store, self.catalog, self.calendar, self.default_timezone = store, catalog, calendar, default_timezone
        self.desired_retention = review.check_retention(desired_retention)
        self.sql = BatchSql(store)
        self.cards = memory_cards.CardSql(store)
        self.known = KnownIds()
        self._waiting: list[Request] = []
        self._writer: asyncio.Task[None] | None = None
        self.on_counted: CountsReport | None = None  # set by the runtime: daily posts' new answer counts

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
                self.known.forget()   # request cannot fail the others (and no id it saw is trusted)
                if len(batch) > 1:
                    for request in batch:
                        request.result = request.error = request.answer = request.twin = None
                        await self._commit_alone(request)
                else:
                    batch[0].error = err
            self._settle(batch)

    async def _commit_alone(self, request: Request) -> None:
        try:
            await self._commit([request])
        except Exception as err:
            request.error = err

    @staticmethod
    def _settle(batch: list[Request]) -> None:
        metrics.BATCH_SIZE.observe(len(batch))
        outcomes = Counter("error" if r.error is not None else filled(r.result, "verdict").status for r in batch)
        for status, n in outcomes.items():
            metrics.ANSWERS.labels(status).inc(n)
        for request in batch:
            if request.future.done():
                continue
            if request.error is not None:
                request.future.set_exception(request.error)
            else:
                request.future.set_result(filled(request.result, "verdict"))

    # One transaction for the whole batch ------------------------------------------------------
    async def _commit(self, requests: list[Request]) -> None:
        batch = Batch(requests)
        async with self.store.write() as session:
            conn = await session.connection()
            await answer_ids.resolve(conn, self.sql, self.known, batch)
            maybe_repeats = self._judge(requests)
            live = [r for r in requests if not r.done()]
            await answer_ids.add_learners(conn, self.sql, [r for r in live if r.learner_id is None])
            new, taken = await self._insert_answers(conn, live)
            await self._find_first_answers(conn, maybe_repeats + taken, {s.answer_id for s in new})
            await self._award(conn, new)
            batch.stats = await self._locked_stats(conn, requests)
            await memory_cards.review_answers(conn, self.cards, new, self.desired_retention)
            await self._apply_stats(session, batch, new)
            await self._finish(conn, batch)
            _mark_reviews(requests)
            counted = await self._count_posts(conn, new)
        answer_ids.remember(self.known, batch)
        if counted:
            self._report(counted)

    def _judge(self, requests: list[Request]) -> list[Request]:
        """Refuse what cannot be answered and grade the rest (bot.domain.answering.judge). Returns the
        refused requests (closed, bad input) that become repeats if the learner answered before."""
        attempts = [answering.Attempt(r.delivery, r.post_id is not None, r.community is not None, r.learner_id,
                                      r.actor.user_id, r.raw, r.now) for r in requests]
        maybe_repeats: list[Request] = []
        for r, judged in zip(requests, answering.judge(attempts, self.catalog.question), strict=True):
            if judged.reading is not None:
                r.answer, r.typo = answer_row(judged.question_id, judged.reading), judged.reading.grade.typo
            elif judged.twin is not None:
                r.twin, r.result = requests[judged.twin], Verdict(status=VerdictStatus.REPEAT,
                                                                  question_id=judged.question_id)
            elif judged.error is not None:
                r.error = judged.error
            else:
                r.result = Verdict(status=VerdictStatus.CLOSED, question_id=judged.question_id)
            if judged.may_repeat:
                maybe_repeats.append(r)
        return maybe_repeats

    async def _insert_answers(self, conn: AsyncConnection, live: list[Request]) -> tuple[list[Stored], list[Request]]:
        """Store the new answers; returns (stored, taken): taken ones another process stored first."""
        if not live:
            return [], []
        prepared: list[tuple[Request, AnswerRow, DeliveryFacts, CommunityRef, int, date]] = []
        for r in live:  # live: judged open and graded, its community and learner resolved
            a, d = filled(r.answer, "answer"), filled(r.delivery, "delivery")
            c, learner_id = filled(r.community, "community"), filled(r.learner_id, "learner")
            a.delivery_id, a.learner_id, a.community_id, a.answered_at = d.id, learner_id, c.id, r.now
            a.local_day = answering.counted_day(d, r.now)
            a.points = answering.points_for(self.catalog.questions[a.question_id], a.correct, d.kind)
            prepared.append((r, a, d, c, learner_id, a.local_day))
        rows = sorted(({c: getattr(p[1], c) for c in ANSWER_COLUMNS} for p in prepared),
                      key=lambda v: (v["delivery_id"], v["learner_id"]))
        ids = {(d, learner): i for i, d, learner in (await conn.execute(self.sql.add_answers, rows)).tuples()}
        new: list[Stored] = []
        taken: list[Request] = []
        for r, a, d, c, learner_id, day in prepared:
            a.id = ids.get((d.id, learner_id))
            if a.id is None:
                taken.append(r)
            else:
                new.append(Stored(r, a, a.id, d, c, learner_id, day))
        return new, taken

    async def _find_first_answers(self, conn: AsyncConnection, requests: list[Request], this_batch: set[int]) -> None:
        """Requests whose learner already answered that delivery (before this batch) become repeats."""
        # Each is a taken answer, or a refusal judged may_repeat: both have a delivery and a known learner.
        keyed = [(r, (filled(r.delivery, "delivery").id, r.learner_id)) for r in requests]
        pairs = {key for _, key in keyed}
        if not pairs:
            return
        rows = (await conn.execute(self.sql.answers.where(self.sql.answer_key.in_(pairs)))).all()
        first = {(a.delivery_id, a.learner_id): AnswerRow(*a._tuple()) for a in rows if a.id not in this_batch}
        for r, key in keyed:
            answer = first.get(key)
            if answer is not None:
                r.answer, r.error = answer, None
                r.result = Verdict(status=VerdictStatus.REPEAT, question_id=answer.question_id)  # filled in at the end
            elif r.answer is not None and r.answer.id is None:
                raise RuntimeError("an answer was neither stored nor found")  # cannot happen: the unique key

    async def _award(self, conn: AsyncConnection, new: list[Stored]) -> None:
        """Lesson and practice questions pay once per learner: the scored_question key decides who."""
        decided = answering.award([answering.Payable(s.learner_id, s.answer.question_id, s.delivery.kind, s.answer.points)
                                   for s in new])
        if not decided.once:
            return
        won: set[int] = set((await conn.execute(self.sql.score_once, [
            {"learner_id": k[0], "question_id": k[1], "answer_id": new[i].answer_id} for k, i in sorted(decided.claims.items())
        ])).scalars().all())
        losers = [new[i] for i in decided.once if new[i].answer_id not in won]
        for s in losers:
            s.answer.points = 0
        if losers:
            await conn.execute(self.sql.no_points, {"ids": [s.answer_id for s in losers]})

    async def _locked_stats(self, conn: AsyncConnection, requests: list[Request]) -> dict[int, stats_mod.Counters]:
        ids = sorted({r.learner_id for r in requests if r.learner_id is not None and r.error is None})
        if not ids:
            return {}
        rows = await conn.execute(self.sql.stats.where(self.sql.stats_key.in_(ids))
                                  .order_by(self.sql.stats_key).with_for_update())
        return {row[0]: stats_mod.Counters(*row._tuple()) for row in rows}

    async def _apply_stats(self, session: AsyncSession, batch: Batch, new: list[Stored]) -> None:
        """The same rules as one answer at a time, applied in arrival order."""
        counters: dict[int, DayCounter] = {}
        replay: set[int] = set()
        snapshots: list[tuple[int, StreakState]] = []
        for s in new:
            stats, a = batch.stats[s.learner_id], s.answer
            tally = stats_mod.tally_of(stats)
            counter = None
            if answering.streak_moves(tally.streak, s.day):  # the calendar is read only when needed
                counter = counters.get(s.community.id) or await self.calendar.offline_counter(session, s.community)
                counters[s.community.id] = counter
            step = answering.advance(tally, a.points, a.correct, s.day, counter)
            stats_mod.store_tally(stats, step.tally)
            if step.replay:
                replay.add(s.learner_id)  # an answer for an earlier day: replay the log below
            snapshots.append((stats.points, step.tally.streak))
        for learner_id in replay:
            stats = batch.stats[learner_id]
            community = next(s.community for s in new if s.learner_id == learner_id)
            stats_mod.store_state(stats, await stats_mod.replay_learner(session, self.calendar, community, learner_id))
        # Rollups of the new answers; `new` (learner, community, day, points, correct) is what they need.
        await self._add_to_periods(session, new)
        await histogram.count_answers(session, self.store, [s.answer for s in new], batch.stats)
        if new:
            await (await session.connection()).execute(self.sql.put_stats, [
                {"key": i, **{f"v_{c}": getattr(batch.stats[i], c) for c in stats_mod.COMPARED}}
                for i in sorted({s.learner_id for s in new})])
        for s, (points, state) in zip(new, snapshots, strict=True):
            if s.learner_id in replay:
                s.request.result = self._verdict_from(batch.stats[s.learner_id], VerdictStatus.NEW, s.answer)
            else:
                s.request.result = verdict_for(self.catalog.questions[s.answer.question_id], s.answer, points, state,
                                               VerdictStatus.NEW)

    async def _add_to_periods(self, session: AsyncSession, new: list[Stored]) -> None:
        """This week's and this month's totals per learner grow with each new answer."""
        totals: dict[tuple[int, str, date, int], list[int]] = {}
        for s in new:
            for period, start in stats_mod.periods_of(s.day):
                acc = totals.setdefault((s.learner_id, period, start, s.community.id), [0, 0, 0])
                acc[0] += s.answer.points
                acc[1] += 1
                acc[2] += int(s.answer.correct)
        if totals:
            await (await session.connection()).execute(self.sql.add_to_periods, [
                {"learner_id": k[0], "period": k[1], "start": k[2], "community_id": k[3],
                 "points": v[0], "answers": v[1], "correct": v[2]} for k, v in sorted(totals.items())])

    async def _finish(self, conn: AsyncConnection, batch: Batch) -> None:
        """Repeats report the first verdict with the learner's counters as they now stand."""
        for r in batch.requests:
            if r.error is not None or r.result is None or r.result.status != VerdictStatus.REPEAT:
                continue
            answer = r.twin.answer if r.twin is not None else r.answer
            if answer is None or answer.id is None:
                r.error = r.twin.error if r.twin is not None and r.twin.error else NotFound("That answer was not stored.")
                continue
            learner_id = filled(answer.learner_id, "learner")  # a stored answer has its learner
            stats = batch.stats.get(learner_id)
            if stats is None:
                row = (await conn.execute(self.sql.stats.where(self.sql.stats_key == learner_id))).one()
                stats = batch.stats[learner_id] = stats_mod.Counters(*row._tuple())
            r.result = self._verdict_from(stats, VerdictStatus.REPEAT, answer)

    def _verdict_from(self, stats: stats_mod.Counters, status: VerdictStatus, answer: AnswerRow) -> Verdict:
        question: Question = self.catalog.questions[answer.question_id]
        return verdict_for(question, answer, stats.points, stats_mod.state_of(stats), status)

    async def _count_posts(self, conn: AsyncConnection, new: list[Stored]) -> list[PostCount]:
        """The answer counts of the daily posts this batch answered, when someone shows them."""
        if self.on_counted is None:
            return []
        return await count_post_answers(conn, (s.delivery.id for s in new if s.delivery.kind == DeliveryKind.POST))

    def _report(self, counted: list[PostCount]) -> None:
        report = self.on_counted
        if report is None:
            return
        try:
            report(counted)
        except Exception:  # the answers are committed; a count not shown is no reason to fail them
            log.exception("reporting answer counts failed")


def _mark_reviews(requests: list[Request]) -> None:
    """A review's verdict says so (new or repeat), so a door can tell the learner it paid no points."""
    for r in requests:
        if r.result is not None and r.delivery is not None and r.delivery.kind == DeliveryKind.REVIEW:
            r.result = replace(r.result, review=True)

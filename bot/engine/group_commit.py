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
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import metrics
from bot.content import Catalog
from bot.content.schema import Question
from bot.db import Store
from bot.domain import answering
from bot.domain.calendar import DayCounter
from bot.domain.statuses import PostStatus, VerdictStatus
from bot.domain.streaks import StreakState
from bot.engine import histogram
from bot.engine import stats as stats_mod
from bot.engine.answer_batch import Batch, Request
from bot.engine.answers import AnswerRow, answer_row, verdict_for
from bot.engine.batch_sql import ANSWER_COLUMNS, BatchSql
from bot.engine.calendar import QuizCalendar
from bot.engine.identity import CommunityRef
from bot.engine.known_ids import KnownIds
from bot.engine.post_counts import CountsReport, PostCount, count_post_answers
from bot.errors import NotFound
from bot.limits import clean_name
from bot.models import Community
from bot.views import Actor, Verdict

log = logging.getLogger(__name__)

MAX_BATCH = 500  # keeps every multi-row statement well under SQLite's 32,766 bound variables


class GroupCommitter:
    def __init__(self, store: Store, catalog: Catalog, calendar: QuizCalendar, default_timezone: str):
        self.store, self.catalog, self.calendar, self.default_timezone = store, catalog, calendar, default_timezone
        self.sql = BatchSql(store)
        self.known = KnownIds()
        self._waiting: list[Request] = []
        self._writer: asyncio.Task | None = None
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
        outcomes = Counter("error" if r.error is not None else r.result.status for r in batch)
        for status, n in outcomes.items():
            metrics.ANSWERS.labels(status).inc(n)
        for request in batch:
            if request.future.done():
                continue
            if request.error is not None:
                request.future.set_exception(request.error)
            else:
                request.future.set_result(request.result)

    # One transaction for the whole batch ------------------------------------------------------
    async def _commit(self, requests: list[Request]) -> None:
        batch = Batch(requests)
        async with self.store.write() as session:
            conn = await session.connection()
            await self._resolve(conn, batch)
            maybe_repeats = self._judge(requests)
            live = [r for r in requests if not r.done()]
            await self._add_learners(conn, [r for r in live if r.learner_id is None])
            new, taken = await self._insert_answers(conn, live)
            await self._find_first_answers(conn, maybe_repeats + taken, {r.answer.id for r in new})
            await self._award(conn, new)
            batch.stats = await self._locked_stats(conn, requests)
            await self._apply_stats(session, batch, new)
            await self._finish(conn, batch)
            counted = await self._count_posts(conn, new)
        self._remember(batch)
        if counted:
            self._report(counted)

    async def _resolve(self, conn: AsyncConnection, batch: Batch) -> None:
        """Community ids, deliveries (with what may have changed: closing, time zone) and known learners."""
        known, requests = self.known, batch.requests
        for r in requests:
            key = (r.actor.platform, r.actor.community_id)
            if key not in batch.communities:
                # Looked up, not created: a community with no row has no delivery to answer, and a refused
                # answer must leave nothing behind.
                batch.communities[key] = known.communities.get(key) or (await conn.execute(
                    select(Community.id).where(Community.platform == key[0], Community.external_id == key[1]))).scalar()
        unknown_posts = {r.post_id for r in requests if r.post_id is not None and r.post_id not in known.post_deliveries}
        post_delivery = dict((await conn.execute(self.sql.posts.where(self.sql.posts.selected_columns.id.in_(
            unknown_posts)))).all()) if unknown_posts else {}
        for r in requests:
            if r.post_id is not None:
                r.delivery_id = known.post_deliveries.get(r.post_id) or post_delivery.get(r.post_id)
        ids = {r.delivery_id for r in requests if r.delivery_id is not None}
        deliveries = {d.id: answering.DeliveryFacts(*d) for d in (await conn.execute(self.sql.deliveries.where(
            self.sql.deliveries.selected_columns.id.in_(ids)))).all()} if ids else {}
        pairs = set()
        for r in requests:
            r.delivery = deliveries.get(r.delivery_id)
            cid = batch.communities[(r.actor.platform, r.actor.community_id)]
            if cid is None:
                continue  # no community, so no delivery of it: refused as not open here
            r.learner_id = known.learners.get((cid, r.actor.user_id))
            if r.learner_id is None:
                pairs.add((cid, r.actor.user_id))
            if r.delivery is not None and r.delivery.community_id == cid:
                r.community = CommunityRef(cid, r.delivery.timezone)
        if pairs:
            found = {(c, u): i for c, u, i in (await conn.execute(self.sql.learners.where(
                self.sql.learner_key.in_(pairs)))).all()}
            for r in requests:
                if r.learner_id is None:
                    key = (batch.communities[(r.actor.platform, r.actor.community_id)], r.actor.user_id)
                    r.learner_id = found.get(key)

    def _judge(self, requests: list[Request]) -> list[Request]:
        """Refuse what cannot be answered and grade the rest (bot.domain.answering.judge). Returns the
        refused requests (closed, bad input) that become repeats if the learner answered before."""
        attempts = [answering.Attempt(r.delivery, r.post_id is not None, r.community is not None, r.learner_id,
                                      r.actor.user_id, r.raw, r.now) for r in requests]
        maybe_repeats = []
        for r, judged in zip(requests, answering.judge(attempts, self.catalog.question), strict=True):
            if judged.reading is not None:
                r.answer = answer_row(judged.question_id, judged.reading)
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

    async def _add_learners(self, conn: AsyncConnection, requests: list[Request]) -> None:
        if not requests:
            return
        rows = {(r.community.id, r.actor.user_id): {"community_id": r.community.id, "user_id": r.actor.user_id,
                                                    "display_name": clean_name(r.actor.display_name), "created_at": r.now}
                for r in requests}
        ordered = [rows[k] for k in sorted(rows)]  # a fixed order: concurrent batches lock rows alike
        ids = {(c, u): i for c, u, i in (await conn.execute(self.sql.add_learners, ordered)).all()}
        await conn.execute(self.sql.add_stats, [{"learner_id": ids[k], "community_id": k[0]} for k in sorted(ids)])
        for r in requests:
            r.learner_id = ids[(r.community.id, r.actor.user_id)]

    async def _insert_answers(self, conn: AsyncConnection, live: list[Request]) -> tuple[list[Request], list[Request]]:
        """Store the new answers; returns (stored, taken): taken ones another process stored first."""
        if not live:
            return [], []
        for r in live:
            a, d = r.answer, r.delivery
            a.delivery_id, a.learner_id, a.community_id, a.answered_at = d.id, r.learner_id, r.community.id, r.now
            a.local_day = answering.counted_day(d, r.now)
            a.points = answering.points_for(self.catalog.questions[a.question_id], a.correct)
        rows = sorted(({c: getattr(r.answer, c) for c in ANSWER_COLUMNS} for r in live),
                      key=lambda v: (v["delivery_id"], v["learner_id"]))
        ids = {(d, learner): i for i, d, learner in (await conn.execute(self.sql.add_answers, rows)).all()}
        new, taken = [], []
        for r in live:
            r.answer.id = ids.get((r.answer.delivery_id, r.answer.learner_id))
            (new if r.answer.id is not None else taken).append(r)
        return new, taken

    async def _find_first_answers(self, conn: AsyncConnection, requests: list[Request], this_batch: set) -> None:
        """Requests whose learner already answered that delivery (before this batch) become repeats."""
        pairs = {(r.delivery.id, r.learner_id) for r in requests}
        if not pairs:
            return
        rows = (await conn.execute(self.sql.answers.where(self.sql.answer_key.in_(pairs)))).all()
        first = {(a.delivery_id, a.learner_id): AnswerRow(*a) for a in rows if a.id not in this_batch}
        for r in requests:
            answer = first.get((r.delivery.id, r.learner_id))
            if answer is not None:
                r.answer, r.error = answer, None
                r.result = Verdict(status=VerdictStatus.REPEAT, question_id=answer.question_id)  # filled in at the end
            elif r.answer is not None and r.answer.id is None:
                raise RuntimeError("an answer was neither stored nor found")  # cannot happen: the unique key

    async def _award(self, conn: AsyncConnection, new: list[Request]) -> None:
        """Lesson and practice questions pay once per learner: the scored_question key decides who."""
        decided = answering.award([answering.Payable(r.learner_id, r.answer.question_id, r.delivery.kind, r.answer.points)
                                   for r in new])
        if not decided.once:
            return
        won = set((await conn.execute(self.sql.score_once, [
            {"learner_id": k[0], "question_id": k[1], "answer_id": new[i].answer.id} for k, i in sorted(decided.claims.items())
        ])).scalars().all())
        losers = [new[i] for i in decided.once if new[i].answer.id not in won]
        for r in losers:
            r.answer.points = 0
        if losers:
            await conn.execute(self.sql.no_points, {"ids": [r.answer.id for r in losers]})

    async def _locked_stats(self, conn: AsyncConnection, requests: list[Request]) -> dict[int, stats_mod.Counters]:
        ids = sorted({r.learner_id for r in requests if r.learner_id is not None and r.error is None})
        if not ids:
            return {}
        rows = await conn.execute(self.sql.stats.where(self.sql.stats_key.in_(ids))
                                  .order_by(self.sql.stats_key).with_for_update())
        return {row[0]: stats_mod.Counters(*row) for row in rows}

    async def _apply_stats(self, session: AsyncSession, batch: Batch, new: list[Request]) -> None:
        """The same rules as one answer at a time, applied in arrival order."""
        counters: dict[int, DayCounter] = {}
        replay: set[int] = set()
        snapshots: dict[int, tuple[int, StreakState]] = {}
        for r in new:
            stats, a = batch.stats[r.learner_id], r.answer
            tally = stats_mod.tally_of(stats)
            counter = None
            if answering.streak_moves(tally.streak, a.local_day):  # the calendar is read only when needed
                counter = counters.get(r.community.id) or await self.calendar.offline_counter(session, r.community)
                counters[r.community.id] = counter
            step = answering.advance(tally, a.points, a.correct, a.local_day, counter)
            stats_mod.store_tally(stats, step.tally)
            if step.replay:
                replay.add(r.learner_id)  # an answer for an earlier day: replay the log below
            snapshots[id(r)] = (stats.points, step.tally.streak)
        for learner_id in replay:
            stats = batch.stats[learner_id]
            community = next(r.community for r in new if r.learner_id == learner_id)
            stats_mod.store_state(stats, await stats_mod.replay_learner(session, self.calendar, community, learner_id))
        # Rollups of the new answers; `new` (learner, community, day, points, correct) is what they need.
        await self._add_to_periods(session, new)
        await histogram.count_answers(session, self.store, [r.answer for r in new], batch.stats)
        if new:
            await (await session.connection()).execute(self.sql.put_stats, [
                {"key": i, **{f"v_{c}": getattr(batch.stats[i], c) for c in stats_mod.COMPARED}}
                for i in sorted({r.learner_id for r in new})])
        for r in new:
            if r.learner_id in replay:
                r.result = self._verdict_from(r, batch.stats[r.learner_id], VerdictStatus.NEW)
            else:
                points, state = snapshots[id(r)]
                r.result = verdict_for(self.catalog.questions[r.answer.question_id], r.answer, points, state, VerdictStatus.NEW)

    async def _add_to_periods(self, session: AsyncSession, new: list[Request]) -> None:
        """This week's and this month's totals per learner grow with each new answer."""
        totals: dict[tuple, list[int]] = {}
        for r in new:
            for period, start in stats_mod.periods_of(r.answer.local_day):
                acc = totals.setdefault((r.learner_id, period, start, r.community.id), [0, 0, 0])
                acc[0] += r.answer.points
                acc[1] += 1
                acc[2] += int(r.answer.correct)
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
            stats = batch.stats.get(answer.learner_id)
            if stats is None:
                row = (await conn.execute(self.sql.stats.where(self.sql.stats_key == answer.learner_id))).one()
                stats = batch.stats[answer.learner_id] = stats_mod.Counters(*row)
            r.result = self._verdict_from(r, stats, VerdictStatus.REPEAT, answer)

    def _verdict_from(self, r: Request, stats: stats_mod.Counters, status: VerdictStatus, answer: AnswerRow | None = None) -> Verdict:
        answer = answer or r.answer
        question: Question = self.catalog.questions[answer.question_id]
        return verdict_for(question, answer, stats.points, stats_mod.state_of(stats), status)

    async def _count_posts(self, conn: AsyncConnection, new: list[Request]) -> list[PostCount]:
        """The answer counts of the daily posts this batch answered, when someone shows them."""
        if self.on_counted is None:
            return []
        return await count_post_answers(conn, (r.delivery.id for r in new if r.delivery.kind == "post"))

    def _report(self, counted: list[PostCount]) -> None:
        try:
            self.on_counted(counted)
        except Exception:  # the answers are committed; a count not shown is no reason to fail them
            log.exception("reporting answer counts failed")

    def _remember(self, batch: Batch) -> None:
        """After the commit: the ids this batch saw are facts now (see known_ids)."""
        known = self.known
        for key, community_id in batch.communities.items():
            if community_id is not None:
                known.add(known.communities, key, community_id)
        for r in batch.requests:
            if r.community is not None and r.learner_id is not None:
                known.add(known.learners, (r.community.id, r.actor.user_id), r.learner_id)
            if r.post_id is not None and r.delivery is not None and r.delivery.post_status == PostStatus.POSTED:
                known.add(known.post_deliveries, r.post_id, r.delivery.id)

"""Item analysis for admins, read from the answer log (never from counters), and the questions an admin
retired from their community's schedules. The statistics are bot.domain.item_stats; this module reads
the rows and keeps the transactions."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import col
from sqlmodel import select as select_rows
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.db import Store
from bot.domain import item_stats
from bot.domain.kinds import kind_of
from bot.domain.statuses import DeliveryKind
from bot.engine.identity import community_for, find_learner
from bot.engine.schedules import require_admin
from bot.engine.tracks import retired_in
from bot.errors import BadInput, NotFound
from bot.item_views import ChoiceText, ItemAnalysis, ItemReport, RetireChange
from bot.limits import capped
from bot.models import Answer, Community, Delivery, Post, RetiredQuestion, row_id, table_of
from bot.timeutil import require_aware
from bot.views import Actor

ANSWER, DELIVERY, POST, RETIRED = table_of(Answer), table_of(Delivery), table_of(Post), table_of(RetiredQuestion)


async def read_log(session: AsyncSession, community_id: int | None) -> list[item_stats.LoggedAnswer]:
    """Every answer with when its question was shown: a daily post's `posted_at`, else the delivery's
    `created_at` (a lesson or practice question is shown as it is delivered)."""
    stmt = (select(ANSWER.c.id, ANSWER.c.learner_id, ANSWER.c.question_id, ANSWER.c.correct, ANSWER.c.choice_id,
                   ANSWER.c.answered_at, DELIVERY.c.kind, DELIVERY.c.created_at, POST.c.posted_at)
            .join(DELIVERY, DELIVERY.c.id == ANSWER.c.delivery_id)
            .outerjoin(POST, POST.c.delivery_id == DELIVERY.c.id))
    if community_id is not None:
        stmt = stmt.where(ANSWER.c.community_id == community_id)
    rows: Any = await (await session.connection()).execute(stmt)
    return [item_stats.LoggedAnswer(aid, learner, qid, bool(correct), choice, answered,
                                    posted if kind == DeliveryKind.POST else created)
            for aid, learner, qid, correct, choice, answered, kind, created, posted in rows]


def item_keys(catalog: Catalog) -> dict[str, item_stats.ItemKey]:
    keys = {}
    for qid, question in catalog.questions.items():
        shown = kind_of(question).choices(question)
        keys[qid] = item_stats.ItemKey(qid, tuple(c.id for c in shown), frozenset(c.id for c in shown if c.correct))
    return keys


def analysis(catalog: Catalog, log: list[item_stats.LoggedAnswer], retired: set[str],
             community: str | None) -> ItemAnalysis:
    responses = item_stats.first_attempts(log)
    figures = item_stats.analyse(responses, item_keys(catalog), Counter(row.question for row in log))
    order = {qid: i for i, qid in enumerate(catalog.questions)}
    reports = [report(catalog, figures[qid], qid in retired) for qid in figures]
    reports += [report(catalog, empty(qid), True) for qid in retired if qid not in figures and qid in catalog.questions]
    reports.sort(key=lambda r: (-len(r.flags), -r.figures.attempts, order.get(r.question_id, 0)))
    return ItemAnalysis(community, tuple(reports), len({r.learner for r in responses}))


def empty(qid: str) -> item_stats.ItemFigures:
    return item_stats.ItemFigures(qid, 0, 0, None, None, 0.0, None, None, None, (), None)


def report(catalog: Catalog, figures: item_stats.ItemFigures, retired: bool) -> ItemReport:
    question = catalog.questions[figures.question]
    lesson = catalog.lesson(catalog.lesson_of[question.id])
    shown = {c.id: c for c in kind_of(question).choices(question)}
    return ItemReport(question.id, lesson.id if lesson else "", lesson.title if lesson else "", question.prompt,
                      question.kind, figures, tuple(ChoiceText(shown[c.choice].label, shown[c.choice].text)
                                                    for c in figures.choices),
                      item_stats.flags(figures), retired)


class ItemDesk:
    """Admins' view of how questions behave, and retiring questions from a community's schedules."""

    def __init__(self, store: Store, catalog: Catalog, default_timezone: str):
        self.store, self.catalog, self.default_timezone = store, catalog, default_timezone

    async def for_admin(self, actor: Actor) -> ItemAnalysis:
        """Over the admin's own community."""
        require_admin(actor, "see question statistics")
        async with self.store.read() as session:
            community, _ = await find_learner(session, actor)
            if community is None or community.id is None:
                return ItemAnalysis(actor.community_name or actor.community_id, (), 0)
            retired = (await retired_in(await session.connection(), {community.id})).get(community.id, set())
            return analysis(self.catalog, await read_log(session, community.id), retired, community.name)

    async def for_operator(self, community: str | None = None, platform: str | None = None) -> ItemAnalysis:
        """The operator's view (the CLI on the database): one community by its platform id, or all of them."""
        async with self.store.read() as session:
            if community is None:
                return analysis(self.catalog, await read_log(session, None), set(), None)
            found = await self._community(session, capped(community), platform and capped(platform))
            community_id = row_id(found)
            retired = (await retired_in(await session.connection(), {community_id})).get(community_id, set())
            return analysis(self.catalog, await read_log(session, community_id), retired, found.name)

    async def _community(self, session: AsyncSession, external_id: str, platform: str | None) -> Community:
        stmt = select_rows(Community).where(col(Community.external_id) == external_id)
        if platform:
            stmt = stmt.where(col(Community.platform) == platform)
        found = list((await session.exec(stmt)).all())
        if not found:
            raise NotFound(f"No community '{external_id[:64]}' has used the bot"
                           f"{' on ' + platform[:16] if platform else ''}.")
        if len(found) > 1:
            raise BadInput(f"Community '{external_id[:64]}' exists on several platforms "
                           f"({', '.join(sorted(str(c.platform) for c in found))}): name one with --platform.")
        return found[0]

    async def set_retired(self, actor: Actor, question_id: str, retired: bool, now: datetime) -> RetireChange:
        """Retire a question from the community's schedules, or bring it back; a repeat changes nothing."""
        require_admin(actor, "retire questions" if retired else "bring questions back")
        question_id, now = capped(question_id).strip(), require_aware(now)
        if question_id not in self.catalog.questions:
            raise NotFound(f"There is no question '{question_id[:64]}'.")
        async with self.store.write() as session:
            community = await community_for(self.store, session, actor, now, self.default_timezone)
            if retired:
                done = await session.exec(self.store.insert(RetiredQuestion).values(
                    community_id=community.id, question_id=question_id, retired_by=actor.user_id[:64], retired_at=now,
                ).on_conflict_do_nothing(index_elements=["community_id", "question_id"]).returning(RETIRED.c.id))
                changed = done.first() is not None
            else:
                gone = await session.exec(delete(RETIRED).where(
                    RETIRED.c.community_id == community.id, RETIRED.c.question_id == question_id))
                changed = gone.rowcount > 0
        return RetireChange(question_id, retired, changed)

    async def retired(self, actor: Actor) -> list[str]:
        """The questions retired in the actor's community, in content order (for autocomplete and lists)."""
        require_admin(actor, "see retired questions")
        async with self.store.read() as session:
            community, _ = await find_learner(session, actor)
            if community is None or community.id is None:
                return []
            found = (await retired_in(await session.connection(), {community.id})).get(community.id, set())
        return [qid for qid in self.catalog.questions if qid in found]

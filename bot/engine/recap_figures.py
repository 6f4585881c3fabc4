"""The weekly recap's figures, read from the answer log: the answers to one schedule's daily posts in the
week the recap covers (and the week before, for the most improved learner). The rules are in
bot.domain.recap; this module holds the one read."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.db import select_wide
from bot.domain import recap as rules
from bot.engine.answers import right_answer
from bot.engine.calendar import QuizCalendar
from bot.engine.results import top_streaks
from bot.models import Answer, Community, GroupMembership, Learner, Post, StudyGroup
from bot.recap_views import RecapDay, RecapImproved, RecapLearner, RecapQuestion, RecapView


async def answer_facts(session: AsyncSession, schedule_id: int, first: date, last: date) -> list[rules.AnswerFact]:
    """Every answer to the schedule's daily posts on quiz days first..last, with the learner's name and group."""
    rows = (await session.exec(
        select_wide(Answer.learner_id, Learner.display_name, StudyGroup.name, Answer.local_day, Answer.correct,
                    Answer.points, Answer.question_id)
        .join(Post, col(Post.delivery_id) == Answer.delivery_id)
        .join(Learner, col(Learner.id) == Answer.learner_id)
        .outerjoin(GroupMembership, col(GroupMembership.learner_id) == Answer.learner_id)
        .outerjoin(StudyGroup, col(StudyGroup.id) == GroupMembership.group_id)
        .where(Post.schedule_id == schedule_id, col(Answer.local_day) >= first, col(Answer.local_day) <= last))).all()
    return [rules.AnswerFact(int(lid), name, group, day, bool(correct), int(points), qid)
            for lid, name, group, day, correct, points, qid in rows]


def _hardest(catalog: Catalog, facts: list[rules.AnswerFact]) -> RecapQuestion | None:
    # A question that left the content has no right answer or explanation left to show.
    found = rules.hardest_question(f for f in facts if f.question_id in catalog.questions)
    if found is None:
        return None
    qid, answers, correct = found
    question = catalog.questions[qid]
    return RecapQuestion(qid, question.prompt, right_answer(question), question.explanation, answers, correct)


async def recap_view(session: AsyncSession, catalog: Catalog, calendar: QuizCalendar, target: dict,
                     community: Community, recap_day: date, now: datetime) -> RecapView | None:
    """The recap a schedule posts on `recap_day`; None when nobody answered its posts that week.
    `target` holds recap_id, schedule_id, platform, community_external_id and channel_id."""
    first, last = rules.recap_week(recap_day)
    facts = await answer_facts(session, target["schedule_id"], first - timedelta(days=7), last)
    week = [f for f in facts if f.day >= first]
    if not week:
        return None
    improved = rules.most_improved(week, [f for f in facts if f.day < first])
    return RecapView(
        target["recap_id"], target["schedule_id"], target["platform"], target["community_external_id"],
        target["channel_id"], first, last,
        tuple(RecapDay(day, n, c) for day, n, c in rules.per_day(week, first)),
        tuple(RecapLearner(t.name, t.points, t.answers, t.correct) for t in rules.top_learners(week)),
        tuple(RecapLearner(t.name, t.points, t.answers, t.correct) for t in rules.top_groups(week)),
        await top_streaks(session, calendar, community, now),
        _hardest(catalog, week),
        RecapImproved(improved.name, improved.before, improved.after) if improved else None,
    )

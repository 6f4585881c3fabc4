"""What a closed daily question shows: the right answer, how people answered, who is on a roll."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.content.schema import SingleChoiceQuestion
from bot.engine.answers import right_answer
from bot.engine.calendar import QuizCalendar
from bot.engine.stats import streak_today
from bot.models import Answer, Community, Learner, LearnerStats, Post
from bot.timeutil import local_day
from bot.views import ChoiceShare, ResultsView

TOP_STREAKS = 3


async def results_for(session: AsyncSession, catalog: Catalog, calendar: QuizCalendar, community: Community,
                      post: Post, now: datetime) -> ResultsView:
    question = catalog.questions[post.question_id]
    answered, correct = (await session.exec(
        select(func.count(Answer.id), func.coalesce(func.sum(case((Answer.correct, 1), else_=0)), 0))
        .where(Answer.delivery_id == post.delivery_id))).one()
    choices: tuple[ChoiceShare, ...] = ()
    if isinstance(question, SingleChoiceQuestion):
        counts = dict((await session.exec(select(Answer.choice_id, func.count(Answer.id))
                                          .where(Answer.delivery_id == post.delivery_id)
                                          .group_by(Answer.choice_id))).all())
        choices = tuple(ChoiceShare(c.id, str(i), c.text, counts.get(c.id, 0),
                                    counts.get(c.id, 0) / answered if answered else 0.0, c.correct)
                        for i, c in enumerate(question.choices, 1))
    return ResultsView(post.id, question.id, question.prompt, right_answer(question), question.explanation,
                       int(answered), int(correct), choices, await top_streaks(session, calendar, community, now))


async def top_streaks(session: AsyncSession, calendar: QuizCalendar, community: Community,
                      now: datetime) -> tuple[tuple[str, int], ...]:
    today = local_day(now, community.timezone)
    rows = (await session.exec(select(LearnerStats, Learner.display_name)
                               .join(Learner, Learner.id == LearnerStats.learner_id)
                               .where(LearnerStats.community_id == community.id, LearnerStats.current_streak > 0)
                               .order_by(LearnerStats.current_streak.desc()).limit(TOP_STREAKS * 4))).all()
    live = []
    for stats, name in rows:
        current = (await streak_today(session, calendar, community, stats, today)).current
        if current > 0:
            live.append((name, current))
    live.sort(key=lambda item: -item[1])
    return tuple(live[:TOP_STREAKS])

"""What a closed daily question shows: the right answer, how people answered, who is on a roll."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.domain.kinds import kind_of
from bot.engine.answers import right_answer
from bot.engine.calendar import QuizCalendar
from bot.engine.stats import streak_today
from bot.models import Answer, Community, Learner, LearnerStats
from bot.timeutil import local_day
from bot.views import ChoiceShare, ResultsView

TOP_STREAKS = 3


async def results_for_posts(session: AsyncSession, catalog: Catalog, calendar: QuizCalendar, posts: list,
                            communities: dict[int, Community], now: datetime) -> dict[int, ResultsView]:
    """Results of many closed posts at once (rows with post_id, question_id, delivery_id, community_id):
    one grouped count over their answers, and each community's streaks read once."""
    tallies: dict[int, dict[str | None, tuple[int, int]]] = {}
    if posts:
        rows = await session.exec(select(col(Answer.delivery_id), col(Answer.choice_id), func.count(col(Answer.id)),
                                         func.coalesce(func.sum(case((col(Answer.correct), 1), else_=0)), 0))
                                  .where(col(Answer.delivery_id).in_([p.delivery_id for p in posts]))
                                  .group_by(col(Answer.delivery_id), col(Answer.choice_id)))
        for delivery_id, choice_id, answered, correct in rows.all():
            tallies.setdefault(delivery_id, {})[choice_id] = (int(answered), int(correct))
    streaks = {cid: await top_streaks(session, calendar, communities[cid], now) for cid in {p.community_id for p in posts}}
    return {p.post_id: results_view(catalog, p.post_id, p.question_id, tallies.get(p.delivery_id, {}),
                                    streaks[p.community_id]) for p in posts}


def results_view(catalog: Catalog, post_id: int, question_id: str, tally: dict[str | None, tuple[int, int]],
                 streaks: tuple[tuple[str, int], ...]) -> ResultsView:
    question = catalog.questions[question_id]
    answered, correct = sum(n for n, _ in tally.values()), sum(c for _, c in tally.values())
    counts = {choice: n for choice, (n, _) in tally.items()}
    choices = tuple(ChoiceShare(c.id, c.label, c.text, counts.get(c.id, 0),
                                counts.get(c.id, 0) / answered if answered else 0.0, c.correct)
                    for c in kind_of(question).choices(question))
    return ResultsView(post_id, question.id, question.prompt, right_answer(question), question.explanation,
                       answered, correct, choices, streaks)


async def top_streaks(session: AsyncSession, calendar: QuizCalendar, community: Community,
                      now: datetime) -> tuple[tuple[str, int], ...]:
    today = local_day(now, community.timezone)
    rows = (await session.exec(select(LearnerStats, Learner.display_name)
                               .join(Learner, col(Learner.id) == LearnerStats.learner_id)
                               .where(LearnerStats.community_id == community.id, LearnerStats.current_streak > 0)
                               .order_by(col(LearnerStats.current_streak).desc()).limit(TOP_STREAKS * 4))).all()
    live: list[tuple[str, int]] = []
    for stats, name in rows:
        current = (await streak_today(session, calendar, community, stats, today)).current
        if current > 0:
            live.append((name, current))
    live.sort(key=lambda item: -item[1])
    return tuple(live[:TOP_STREAKS])

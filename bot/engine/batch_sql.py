"""The Core statements of one answer batch, built once per backend.

Why Core and not the ORM here: a batch handles hundreds of rows, and ORM instances (identity map,
attribute instrumentation, pydantic validation) cost more than the SQL itself. Every statement is
set-based: one round trip per step, whatever the batch size.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select, tuple_, update

from bot.db import Store
from bot.engine.answers import AnswerRow
from bot.engine.stats import COMPARED, COUNTER_COLUMNS
from bot.models import Answer, Community, Delivery, Learner, LearnerPeriod, LearnerStats, Post, ScoredQuestion, table_of

ANSWER = table_of(Answer)
ANSWER_COLUMNS = tuple(c.name for c in ANSWER.columns if c.name != "id")
ANSWER_ROW_COLUMNS = tuple(ANSWER.c[name] for name in AnswerRow.__slots__)
PERIOD_SUMS = ("points", "answers", "correct")


class BatchSql:
    def __init__(self, store: Store):
        d, c, p, learner, stats = (table_of(Delivery), table_of(Community), table_of(Post), table_of(Learner),
                                   table_of(LearnerStats))
        # A delivery's fixed facts and, read fresh in every batch, what others may change: whether it
        # closed, and its community's time zone. A daily post's quiz day comes along.
        self.deliveries = (select(d.c.id, d.c.community_id, d.c.question_id, d.c.kind, d.c.learner_id, d.c.closes_at,
                                  d.c.closed_at, c.c.timezone, p.c.quiz_day, p.c.status.label("post_status"))
                           .join_from(d, c, c.c.id == d.c.community_id).outerjoin(p, p.c.delivery_id == d.c.id))
        self.posts = select(p.c.id, p.c.delivery_id)
        self.learners = select(learner.c.community_id, learner.c.user_id, learner.c.id)
        self.learner_key = tuple_(learner.c.community_id, learner.c.user_id)
        upsert = store.insert(learner)
        # A name is refreshed when a learner is created concurrently; RETURNING gives every id at once.
        self.add_learners = upsert.on_conflict_do_update(
            index_elements=["community_id", "user_id"], set_={"display_name": upsert.excluded.display_name}
        ).returning(learner.c.community_id, learner.c.user_id, learner.c.id)
        self.add_stats = store.insert(stats).on_conflict_do_nothing(index_elements=["learner_id"])
        # ON CONFLICT DO NOTHING: an answer another process stored first is simply not returned.
        self.add_answers = (store.insert(ANSWER).on_conflict_do_nothing(index_elements=["delivery_id", "learner_id"])
                            .returning(ANSWER.c.id, ANSWER.c.delivery_id, ANSWER.c.learner_id))
        self.answers = select(*ANSWER_ROW_COLUMNS)
        self.answer_key = tuple_(ANSWER.c.delivery_id, ANSWER.c.learner_id)
        sq = table_of(ScoredQuestion)
        self.score_once = (store.insert(sq).on_conflict_do_nothing(index_elements=["learner_id", "question_id"])
                           .returning(sq.c.answer_id))
        self.no_points = update(ANSWER).where(ANSWER.c.id.in_(bindparam("ids", expanding=True))).values(points=0)
        self.stats = select(*(stats.c[name] for name in COUNTER_COLUMNS))
        self.stats_key = stats.c.learner_id
        self.put_stats = update(stats).where(stats.c.learner_id == bindparam("key")).values(
            {name: bindparam(f"v_{name}") for name in COMPARED})
        period = table_of(LearnerPeriod)
        add = store.insert(period)
        self.add_to_periods = add.on_conflict_do_update(
            index_elements=["learner_id", "period", "start"],
            set_={name: period.c[name] + add.excluded[name] for name in PERIOD_SUMS})

"""Who learns and what they answered: communities, learners, study groups, deliveries, the answer log
and the counters derived from it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from bot.domain.statuses import DeliveryKind
from bot.models.columns import BOARD_ORDER, counter, fk, utc_column


class Community(SQLModel, table=True):
    __tablename__ = "community"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_community_platform_external"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(sa_column=Column(String(16), nullable=False))
    external_id: str = Field(sa_column=Column(String(64), nullable=False))
    name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    timezone: str = Field(default="UTC", sa_column=Column(String(64), nullable=False, server_default="UTC"))
    created_at: datetime = Field(sa_column=utc_column())


class Learner(SQLModel, table=True):
    __tablename__ = "learner"
    __table_args__ = (UniqueConstraint("community_id", "user_id", name="uq_learner_community_user"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(sa_column=fk("community.id", index=False))
    user_id: str = Field(sa_column=Column(String(64), nullable=False))
    display_name: str = Field(sa_column=Column(String(100), nullable=False))
    created_at: datetime = Field(sa_column=utc_column())


class StudyGroup(SQLModel, table=True):
    __tablename__ = "study_group"
    __table_args__ = (UniqueConstraint("community_id", "name_key", name="uq_group_community_name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(sa_column=fk("community.id", index=False))
    name: str = Field(sa_column=Column(String(40), nullable=False))
    name_key: str = Field(sa_column=Column(String(40), nullable=False))
    created_by: int | None = Field(default=None, sa_column=fk("learner.id", nullable=True, ondelete="SET NULL", index=False))
    created_at: datetime = Field(sa_column=utc_column())


class GroupMembership(SQLModel, table=True):
    """The learner id is the key: a learner (per community) belongs to at most one group."""

    __tablename__ = "group_membership"

    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True))
    group_id: int = Field(sa_column=fk("study_group.id"))
    joined_at: datetime = Field(sa_column=utc_column())


class Delivery(SQLModel, table=True):
    """One showing of a question: to one learner (lesson, practice) or to a channel (a post)."""

    __tablename__ = "delivery"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(sa_column=fk("community.id"))
    question_id: str = Field(sa_column=Column(String(64), nullable=False))
    kind: DeliveryKind = Field(sa_column=Column(String(16), nullable=False))
    learner_id: int | None = Field(default=None, sa_column=fk("learner.id", nullable=True))
    created_at: datetime = Field(sa_column=utc_column())
    closes_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Answer(SQLModel, table=True):
    """The answer log: the source of truth for points, streaks and leaderboards."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("delivery_id", "learner_id", name="uq_answer_delivery_learner"),
        Index("ix_answer_community_day", "community_id", "local_day"),
        Index("ix_answer_learner_day", "learner_id", "local_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(sa_column=fk("delivery.id", index=False))
    learner_id: int = Field(sa_column=fk("learner.id", index=False))
    community_id: int = Field(sa_column=fk("community.id", index=False))
    question_id: str = Field(sa_column=Column(String(64), nullable=False))
    choice_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    text: str | None = Field(default=None, sa_column=Column(String(2000), nullable=True))
    correct: bool = Field(sa_column=Column(Boolean, nullable=False))
    close: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False, server_default=false()))
    points: int = Field(default=0, sa_column=counter())
    answered_at: datetime = Field(sa_column=utc_column())
    local_day: date = Field(sa_column=Column(Date, nullable=False))


class ScoredQuestion(SQLModel, table=True):
    """Lesson and practice questions earn points once per learner; the key makes that atomic."""

    __tablename__ = "scored_question"

    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True))
    question_id: str = Field(sa_column=Column(String(64), primary_key=True))
    answer_id: int = Field(sa_column=fk("answer.id", index=False))


class LearnerStats(SQLModel, table=True):
    """A cache of what the answer log gives; `rebuild_stats` recomputes it and must agree."""

    __tablename__ = "learner_stats"
    # Partial: learners who never answered are on no board (and have no accuracy).
    __table_args__ = (Index("ix_learner_stats_board", "community_id", *BOARD_ORDER,
                            sqlite_where=text("answers > 0"), postgresql_where=text("answers > 0")),)

    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True))
    community_id: int = Field(sa_column=fk("community.id"))
    points: int = Field(default=0, sa_column=counter())
    answers: int = Field(default=0, sa_column=counter())
    correct: int = Field(default=0, sa_column=counter())
    current_streak: int = Field(default=0, sa_column=counter())
    best_streak: int = Field(default=0, sa_column=counter())
    freezes: int = Field(default=0, sa_column=counter())
    freeze_progress: int = Field(default=0, sa_column=counter())
    last_quiz_day: date | None = Field(default=None, sa_column=Column(Date, nullable=True))

"""Database tables. Uniqueness that matters is a constraint here, never an `if` in Python."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
    inspect,
    text,
    true,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from bot.domain.statuses import DeliveryKind, PostStatus


class UTCDateTime(TypeDecorator):
    """Aware UTC in and out, on SQLite (which keeps no zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_column(nullable: bool = False, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


def counter() -> Column:
    return Column(Integer, nullable=False, default=0, server_default="0")


# A board's order, as an index: points, then accuracy, then the older learner first. The top ten is
# then the first ten entries of an index range, however many learners share the top points (on a
# Monday morning, thousands). bot.engine.leaderboard orders by exactly these expressions.
BOARD_ORDER = (text("points DESC"), text("(correct * 1.0 / answers) DESC"), "learner_id")


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a model, for bulk statements. SQLAlchemy sets `__table__` when the class
    is made, and SQLModel's types do not declare it, so it is read through the mapper."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a single table")
    return table


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Row) -> int:
    """The id of a row that was read from the database or flushed to it. A new row has none until
    then, and passing that None on would only fail later as a NOT NULL error far from its cause."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return row.id


def fk(target: str, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


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


class Schedule(SQLModel, table=True):
    """A daily question for one channel. A channel has at most one schedule."""

    __tablename__ = "schedule"
    __table_args__ = (UniqueConstraint("platform", "channel_id", name="uq_schedule_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(sa_column=fk("community.id"))
    platform: str = Field(sa_column=Column(String(16), nullable=False))
    channel_id: str = Field(sa_column=Column(String(64), nullable=False))
    channel_name: str = Field(default="", sa_column=Column(String(100), nullable=False, server_default=""))
    local_time: str = Field(sa_column=Column(String(5), nullable=False))  # "HH:MM"
    weekdays: str = Field(sa_column=Column(String(32), nullable=False))  # "mon,tue,wed,thu,fri"
    timezone: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))  # None: community's
    track_lessons: str = Field(default="", sa_column=Column(String(2000), nullable=False, server_default=""))
    track_tags: str = Field(default="", sa_column=Column(String(1000), nullable=False, server_default=""))
    shuffle: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    shuffle_seed: int = Field(default=0, sa_column=counter())
    open_minutes: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))  # None: until next post
    ping_role: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    results_in_thread: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    enabled: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    queued_question_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    created_by: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    # Slots before this instant are not owed: set on create, resume and timing changes.
    posting_from: datetime = Field(sa_column=utc_column())


class Post(SQLModel, table=True):
    """The posting ledger: one row per schedule and local day, claimed before anything is sent."""

    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("schedule_id", "local_date", name="uq_post_schedule_day"),
        Index("ix_post_community_status_day", "community_id", "status", "quiz_day"),
        Index("ix_post_status_closes", "status", "closes_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(sa_column=fk("schedule.id", index=False))
    community_id: int = Field(sa_column=fk("community.id", index=False))
    local_date: date = Field(sa_column=Column(Date, nullable=False))  # in the schedule's zone
    quiz_day: date = Field(sa_column=Column(Date, nullable=False))  # the slot's date in the community's zone
    slot_at: datetime = Field(sa_column=utc_column())
    status: PostStatus = Field(sa_column=Column(String(16), nullable=False))
    question_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    delivery_id: int | None = Field(default=None, sa_column=fk("delivery.id", nullable=True, ondelete="SET NULL"))
    claim_token: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    attempts: int = Field(default=0, sa_column=counter())
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    error: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    message_ref: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    posted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    closes_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    reveal_token: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    reveal_claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revealed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    results_ref: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))


class ScheduleQuestion(SQLModel, table=True):
    """When each schedule last used each question (claimed, posted or failed): what picks its next question.

    Why a rollup and not a grouped read of `post`: that read grows by a row per schedule per day, and
    thousands of schedules are due together; this one is bounded by the track's length. The claim that
    inserts a post moves it forward, in the same transaction."""

    __tablename__ = "schedule_question"

    schedule_id: int = Field(sa_column=Column(Integer, ForeignKey("schedule.id", ondelete="CASCADE"), primary_key=True))
    question_id: str = Field(sa_column=Column(String(64), primary_key=True))
    last_used: date = Field(sa_column=Column(Date, nullable=False))  # the post's local date


class BotState(SQLModel, table=True):
    """Small facts a front door must remember across restarts (e.g. the hash of the last command sync)."""

    __tablename__ = "bot_state"

    key: str = Field(sa_column=Column(String(100), primary_key=True))
    value: str = Field(sa_column=Column(String(4000), nullable=False))
    updated_at: datetime = Field(sa_column=utc_column())


class LearnerPeriod(SQLModel, table=True):
    """Points per learner per week and month (a cache of the answer log, like LearnerStats), so a
    leaderboard is an index range scan instead of an aggregate over every answer of the period."""

    __tablename__ = "learner_period"
    __table_args__ = (Index("ix_learner_period_board", "community_id", "period", "start", *BOARD_ORDER),)

    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True))
    period: str = Field(sa_column=Column(String(5), primary_key=True))  # week | month
    start: date = Field(sa_column=Column(Date, primary_key=True))  # Monday or the 1st, local
    community_id: int = Field(sa_column=fk("community.id", index=False))
    points: int = Field(default=0, sa_column=counter())
    answers: int = Field(default=0, sa_column=counter())
    correct: int = Field(default=0, sa_column=counter())


class BoardHistogram(SQLModel, table=True):
    """How many learners stand at each points value on each board (all time, a week, a month): a
    cache of learner_stats and learner_period, so a board's total and a learner's rank are a sum
    over a few hundred points values instead of a count over every learner."""

    __tablename__ = "board_histogram"

    community_id: int = Field(sa_column=Column(Integer, ForeignKey("community.id", ondelete="CASCADE"), primary_key=True))
    period: str = Field(sa_column=Column(String(5), primary_key=True))  # all | week | month
    start: date = Field(sa_column=Column(Date, primary_key=True))  # Monday or the 1st, local; ALL_TIME for "all"
    points: int = Field(sa_column=Column(Integer, primary_key=True))
    learners: int = Field(default=0, sa_column=counter())

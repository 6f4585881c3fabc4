"""What is posted where and when: schedules, the posting ledger (one post per schedule and local day),
the question rollup, and small facts the doors keep."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel

from bot.domain.statuses import PostStatus
from bot.models.columns import counter, fk, utc_column


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
    # The weekday of the weekly recap ("mon".."sun"); None: no recap.
    recap_weekday: str | None = Field(default="mon", sa_column=Column(String(3), nullable=True, server_default="mon"))


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

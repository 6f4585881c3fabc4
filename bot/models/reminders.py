"""Review reminders: who asked for a direct message (and at what local time), and the ledger of those
sent, one row per learner and local day, claimed before anything is sent."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from bot.models.columns import counter, utc_column


class ReviewReminder(SQLModel, table=True):
    """An opt-in: its row is the consent. Turning reminders off (or a DM the platform refuses for good)
    deletes it, so nobody without a row is ever messaged."""

    __tablename__ = "review_reminder"

    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True))
    local_time: str = Field(sa_column=Column(String(5), nullable=False))  # "HH:MM" in the community's zone
    # Slots before this instant are not owed: asking at 19:00 for 18:00 starts tomorrow.
    since: datetime = Field(sa_column=utc_column())


class ReminderSend(SQLModel, table=True):
    """The reminder ledger: the (learner, local day) key is what makes a reminder go at most once a day,
    across ticks, restarts and processes."""

    __tablename__ = "reminder_send"
    __table_args__ = (Index("ix_reminder_send_retry", "status", "next_attempt_at"),)

    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True))
    local_day: date = Field(sa_column=Column(Date, primary_key=True))
    status: str = Field(sa_column=Column(String(16), nullable=False))  # claimed | sent | failed | idle | dropped
    due: int = Field(default=0, sa_column=counter())  # cards due when it was claimed
    attempts: int = Field(default=0, sa_column=counter())
    claimed_at: datetime = Field(sa_column=utc_column())
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    error: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))

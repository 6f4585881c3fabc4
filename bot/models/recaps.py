"""The weekly recap's ledger: one row per schedule and week, claimed before anything is sent."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.columns import counter, fk, utc_column


class Recap(SQLModel, table=True):
    """Exactly once per schedule and week comes from the unique key, as for daily posts: a second
    process or a restart finds the row and claims nothing (a crashed claim is retaken after the claim
    timeout; a failed send is retried inside the grace window)."""

    __tablename__ = "recap"
    __table_args__ = (UniqueConstraint("schedule_id", "week_start", name="uq_recap_schedule_week"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    schedule_id: int = Field(sa_column=fk("schedule.id", index=False, ondelete="CASCADE"))
    week_start: date = Field(sa_column=Column(Date, nullable=False))  # the first quiz day it covers
    slot_at: datetime = Field(sa_column=utc_column())
    status: str = Field(sa_column=Column(String(16), nullable=False))  # RecapStatus
    claim_token: str | None = Field(default=None, sa_column=Column(String(36), nullable=True))
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    attempts: int = Field(default=0, sa_column=counter())
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    error: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    message_ref: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    posted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))

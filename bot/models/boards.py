"""Leaderboard rollups: week and month totals per learner, and the points histogram for ranks."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from bot.models.columns import BOARD_ORDER, counter, fk


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

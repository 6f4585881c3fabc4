"""Spaced review: each learner's FSRS memory card per question, and the review deliveries given out."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, SmallInteger, String
from sqlmodel import Field, SQLModel

from bot.models.columns import counter, fk, utc_column


class MemoryCard(SQLModel, table=True):
    """A learner's memory of one question (bot.domain.review.CardRow), updated by every graded answer
    in the answer's own transaction. Created at the learner's first graded answer to the question."""

    __tablename__ = "memory_card"
    # "What is due for me": a range of one learner's cards by due instant.
    __table_args__ = (Index("ix_memory_card_learner_due", "learner_id", "due"),)

    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True))
    question_id: str = Field(sa_column=Column(String(64), primary_key=True))
    state: int = Field(sa_column=Column(SmallInteger, nullable=False))  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    stability: float = Field(sa_column=Column(Float, nullable=False))  # days
    difficulty: float = Field(sa_column=Column(Float, nullable=False))
    due: datetime = Field(sa_column=utc_column())
    last_review: datetime = Field(sa_column=utc_column())
    reviews: int = Field(default=0, sa_column=counter())
    lapses: int = Field(default=0, sa_column=counter())


class ReviewSlot(SQLModel, table=True):
    """One review delivery per learner, card and due instant: the key makes two processes (or two
    clicks on `review`) hand out the same delivery, so the answer's unique key counts it once."""

    __tablename__ = "review_slot"

    learner_id: int = Field(sa_column=Column(Integer, ForeignKey("learner.id", ondelete="CASCADE"), primary_key=True))
    question_id: str = Field(sa_column=Column(String(64), primary_key=True))
    due: datetime = Field(sa_column=Column(utc_column().type, primary_key=True))
    delivery_id: int = Field(sa_column=fk("delivery.id", index=False))

"""What admins decide about questions in their community: questions retired from its schedules."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.columns import fk, utc_column


class RetiredQuestion(SQLModel, table=True):
    """A question no schedule of the community posts again (answers where it was already posted still
    count). Bringing it back deletes the row; the unique key makes a second retire a no-op."""

    __tablename__ = "retired_question"
    __table_args__ = (UniqueConstraint("community_id", "question_id", name="uq_retired_community_question"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    community_id: int = Field(sa_column=fk("community.id", index=False))
    question_id: str = Field(sa_column=Column(String(64), nullable=False))
    retired_by: str = Field(sa_column=Column(String(64), nullable=False))
    retired_at: datetime = Field(sa_column=utc_column())

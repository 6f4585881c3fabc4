"""Column types and helpers every table uses: aware UTC times, counters, foreign keys, and reading
rows and tables back in typed form."""
from __future__ import annotations

from datetime import UTC
from typing import Protocol

from sqlalchemy import Column, DateTime, ForeignKey, Integer, Table, inspect, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel


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

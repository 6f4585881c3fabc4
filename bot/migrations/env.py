"""Alembic environment: async engine, batch mode on SQLite, foreign keys off while tables are rebuilt."""
from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (registers the tables on the metadata)
from bot.migrate import unknown_revisions

config = context.config
target_metadata = SQLModel.metadata


class ForeignKeyViolation(RuntimeError):
    pass


def ours(obj, name, type_, reflected, compare_to) -> bool:
    """Tables in the database that our models don't know (slack_sdk's installation store) are not ours."""
    return not (type_ == "table" and reflected and compare_to is None)


def _migrate(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table (copy, drop, rename); with foreign keys on, dropping the
        # old table would CASCADE-delete child rows. The pragma only works outside a transaction.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=sqlite,
                      compare_type=True, include_object=ours)
    too_new = unknown_revisions(context.script, tuple(context.get_context().get_current_heads()))
    if too_new is not None:  # before Alembic tries to resolve it ("Can't locate revision")
        raise too_new
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            if broken:
                raise ForeignKeyViolation(f"migration left rows pointing at missing parents: {broken[:5]}")
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def _run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("the migration config names no sqlalchemy.url")
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as conn:
        await conn.run_sync(_migrate)
        await conn.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run())

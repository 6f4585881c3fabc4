"""The database handle: an async engine with SQLite tuned for many small writers, or PostgreSQL.

`Store.write()` opens one transaction for one state change. On SQLite it begins IMMEDIATE, so
the write lock is taken up front (a deferred read-then-write transaction fails at once with
SQLITE_BUSY under concurrency instead of waiting on busy_timeout).
"""
from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlmodel
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import await_only
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.db_errors import storage_error
from bot.sqlite_cursor import use_one_trip_cursor

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",  # an acknowledged answer survives a power loss; group commit pays one fsync per batch
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


def select_wide(*columns: Any) -> Select[*tuple[Any, ...]]:
    """`sqlmodel.select` of more than four columns: its typed overloads stop at four, the function does not."""
    stmt: Select[*tuple[Any, ...]] = sqlmodel.select(*columns)
    return stmt


def normalise_url(url: str) -> str:
    """Accept the plain URLs people paste (sqlite:///x.db, postgresql://...) and pick async drivers."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
    if parsed.drivername in driver:
        parsed = parsed.set(drivername=driver[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


def ensure_sqlite_dir(url: str) -> None:
    """SQLite creates the file but not its folder; a fresh data directory should just work."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def sqlite_file_url(path: str | Path) -> str:
    return f"sqlite+aiosqlite:///{Path(path).expanduser().resolve()}"


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        use_one_trip_cursor(dbapi_connection)  # one trip to aiosqlite's thread per statement, not four
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        # Straight to aiosqlite: one trip to its thread, where exec_driver_sql makes three (cursor,
        # execute, close), and every transaction begins here.
        driver = conn.connection.dbapi_connection.driver_connection
        await_only(driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN"))


class Store:
    def __init__(self, url: str, *, echo: bool = False, pool_size: int | None = None):
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        ensure_sqlite_dir(self.url)
        kwargs: dict = {"echo": echo}
        if not self.is_sqlite:
            kwargs.update(pool_size=pool_size or 10, max_overflow=10, pool_pre_ping=True)
        self.engine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _tune_sqlite(self.engine)

    @property
    def dialect(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    def insert(self, table):
        """An INSERT that understands ON CONFLICT on either backend."""
        return (sqlite.insert if self.is_sqlite else postgresql.insert)(table)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One transaction. A disk that is full or a lock held past the busy timeout raises StorageFull or
        StorageBusy (typed, for every front door to show); the transaction is rolled back, nothing half-stored."""
        try:
            async with self.engine.connect() as conn:
                if self.is_sqlite:
                    conn = await conn.execution_options(sqlite_immediate=True)
                async with conn.begin():
                    async with AsyncSession(bind=conn, expire_on_commit=False) as session:
                        yield session
                        await session.flush()
        except (DBAPIError, sqlite3.Error) as err:
            mapped = storage_error(err)
            if mapped is None:
                raise
            raise mapped from err

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        try:
            async with self.engine.connect() as conn:
                async with conn.begin():
                    async with AsyncSession(bind=conn, expire_on_commit=False) as session:
                        yield session
        except (DBAPIError, sqlite3.Error) as err:
            mapped = storage_error(err)
            if mapped is None:
                raise
            raise mapped from err

    async def dispose(self) -> None:
        await self.engine.dispose()

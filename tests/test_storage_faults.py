"""Fault injection on the database: a full disk and a write lock held past the busy timeout.

The faults are real SQLite conditions: `PRAGMA max_page_count` at the current size makes every write
that needs a new page fail with SQLITE_FULL ("database or disk is full"), and a second connection
holding the write lock with `busy_timeout=0` gives SQLITE_BUSY at once. The learner is told, the
session goes on, nothing stored is lost, and the same answer works once the database can take it.
"""
from __future__ import annotations

import io
import shutil
import sqlite3

import pytest
from rich.console import Console
from sqlalchemy import event, func
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from test_console import FakeClock, say

from adapters.console.sender import ConsoleSender
from adapters.console.session import ConsoleSession
from bot.db import Store
from bot.db_errors import storage_error
from bot.engine import Engine
from bot.errors import StorageBusy, StorageFull
from bot.models import Answer

LONG_ANSWER = "x" * 1900  # a free-text answer is stored: two of these fill a page


class Faults:
    """PRAGMAs applied to every connection the engine checks out, changeable mid-test."""

    def __init__(self, store: Store):
        self.pragmas: dict[str, int] = {}

        @event.listens_for(store.engine.sync_engine, "checkout")
        def _apply(dbapi_connection, _record, _proxy):
            cursor = dbapi_connection.cursor()
            for name, value in self.pragmas.items():
                cursor.execute(f"PRAGMA {name}={value}")
            cursor.close()

    def disk_full(self) -> None:
        self.pragmas["max_page_count"] = 1  # SQLite raises it to the current size: no page can be added

    def space_back(self) -> None:
        self.pragmas["max_page_count"] = 1 << 30


@pytest.fixture
async def sqlite_engine(tmp_path, sqlite_template, mini_catalog):
    path = tmp_path / "quiz.db"
    shutil.copyfile(sqlite_template, path)
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM")  # no free pages left over from the migrations: growth needs new pages
    store = Store(f"sqlite+aiosqlite:///{path}")
    engine = Engine(store, mini_catalog)
    engine.faults, engine.path = Faults(store), path
    yield engine
    await store.dispose()


@pytest.fixture
def session(sqlite_engine):
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    s = ConsoleSession(sqlite_engine, "Ann", console, FakeClock())
    sqlite_engine.router.register("console", ConsoleSender(console, s.receive_post))
    s.out = out
    return s


async def answers(engine) -> int:
    async with engine.store.read() as db:
        return (await db.exec(select(func.count(Answer.id)))).one()


async def test_full_disk_refuses_the_answer_and_the_session_goes_on(session, sqlite_engine):
    engine = sqlite_engine
    await say(session, "schedule add 09:00 daily")
    await engine.schedules.queue(session.actor, 1, "mini-loss", session.clock())  # a free-text daily question
    assert "Daily question in #general" in await say(session, "schedule post-now 1")
    assert "Not quite" in await say(session, "user learner0", f"daily {LONG_ANSWER}")
    stored = await answers(engine)
    engine.faults.disk_full()
    for n in range(1, 20):
        out = await say(session, f"user learner{n}", f"daily {LONG_ANSWER}")
        if "not recorded" in out:
            break
        assert "Not quite" in out
        stored += 1
    assert "answer not recorded: the disk is full" in out
    assert await answers(engine) == stored  # the refused answer left nothing; the earlier ones are all there
    assert "Streak: 1 day(s)" in await say(session, "user learner0", "streak")  # the session lives on
    engine.faults.space_back()
    out = await say(session, f"user learner{n}", f"daily {LONG_ANSWER}")
    assert "Not quite" in out and "already answered" not in out
    assert await answers(engine) == stored + 1


async def test_a_lock_held_past_the_busy_timeout_asks_to_try_again(session, sqlite_engine):
    engine = sqlite_engine
    out = await say(session, "lesson 1", "next", "next")
    assert "Question 1/3" in out
    engine.faults.pragmas["busy_timeout"] = 0
    blocker = sqlite3.connect(engine.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        assert "answer not recorded: the database is busy, try again in a moment" in await say(session, "2")
        assert "Not recorded: the database is busy" in await say(session, "group create Owls")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert await answers(engine) == 0
    out = await say(session, "2")  # the same question, still open
    assert "Correct!" in out and "Question 2/3" in out
    assert await answers(engine) == 1


class PgError(Exception):
    def __init__(self, message: str, sqlstate: str):
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("orig, expected", [
    (PgError("could not extend file: No space left on device", "53100"), StorageFull),
    (PgError("canceling statement due to lock timeout", "55P03"), StorageBusy),
    (PgError("duplicate key value violates unique constraint", "23505"), type(None)),
    (sqlite3.OperationalError("database or disk is full"), StorageFull),
    (sqlite3.OperationalError("database is locked"), StorageBusy),
    (sqlite3.OperationalError("no such table: answer"), type(None)),
])
def test_database_errors_map_to_typed_storage_errors(orig, expected):
    assert type(storage_error(DBAPIError("INSERT INTO answer ...", {}, orig))) is expected

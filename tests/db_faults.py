"""Database faults for tests: another process holding SQLite's write lock past the busy timeout."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import event

from bot.db import Store

BUSY_TIMEOUT_MS = 100  # the bot's connections give up on a held lock after this (10 s in production)


def sqlite_store(template: Path, folder: Path) -> tuple[Store, Path]:
    """A migrated SQLite database whose connections wait BUSY_TIMEOUT_MS for a held lock."""
    path = folder / "quiz.db"
    shutil.copyfile(template, path)
    store = Store(f"sqlite+aiosqlite:///{path}")

    @event.listens_for(store.engine.sync_engine, "connect")
    def _short_busy_timeout(dbapi_connection, _record):  # after the Store's own PRAGMAs
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    return store, path


class WriteLock:
    """SQLite's write lock, taken and held by a connection of 'another process' until released."""

    def __init__(self, path: Path):
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def take(self) -> None:
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, isolation_level=None)
            self._conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self._conn is not None:
            self._conn.rollback()
            self._conn.close()
            self._conn = None

    @property
    def held(self) -> bool:
        return self._conn is not None

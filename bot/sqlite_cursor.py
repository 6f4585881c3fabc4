"""One trip to aiosqlite's thread per SQL statement.

aiosqlite runs every call on its own thread and hands the result back to the event loop. Through
SQLAlchemy's adapter a statement makes four such trips (open a cursor, execute, fetch, close), and
each costs a queue hand-off, a thread wake-up and an event-loop wake-up. An answer batch runs about
ten statements, so on SQLite those hand-offs, not the SQL, were most of its time: measured on 600
one-at-a-time answers, 6.6-7.3 ms per answer with four trips against 4.4 ms with one. This cursor
does the four steps in one function on aiosqlite's thread; rows, description, rowcount and
lastrowid come back together. Everything else (transactions, streaming cursors) is unchanged.

It leans on two private details, both checked where it is installed: SQLAlchemy's adapted
connection picks its cursor class from `_cursor_cls`, and aiosqlite's `Connection._execute` runs
a function on its thread. If either is missing the default cursor stays in place.
"""
from __future__ import annotations

import collections
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection
from sqlalchemy.util.concurrency import await_


class OneTripCursor:
    """A DBAPI cursor for SQLAlchemy's aiosqlite adapter whose statements each make one thread trip."""

    server_side = False
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection):
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection  # the aiosqlite Connection
        self._rows: collections.deque = collections.deque()
        self.description = None
        self.rowcount = -1
        self.lastrowid = None
        self.arraysize = 1

    async def _run(self, operation: str, parameters: Any, many: bool) -> None:
        def on_sqlite_thread(conn):  # runs on aiosqlite's thread, with the sqlite3 connection
            cursor = conn.cursor()
            try:
                if many:
                    cursor.executemany(operation, parameters)
                elif parameters is None:
                    cursor.execute(operation)
                else:
                    cursor.execute(operation, parameters)
                rows = cursor.fetchall() if cursor.description else ()
                return cursor.description, cursor.rowcount, cursor.lastrowid, rows
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            outcome = await self._connection._execute(on_sqlite_thread, self._connection._conn)
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    def execute(self, operation: str, parameters: Any = None) -> None:
        try:
            await_(self._run(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: str, seq_of_parameters: Any) -> None:
        try:
            await_(self._run(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _async_soft_close(self) -> None:
        """SQLAlchemy's async results call this to close the driver's cursor early: ours is closed already."""

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        pass

    def __enter__(self) -> OneTripCursor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __iter__(self):
        while self._rows:
            yield self._rows.popleft()

    def fetchone(self):
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list:
        rows = self._rows
        return [rows.popleft() for _ in range(min(size or self.arraysize, len(rows)))]

    def fetchall(self) -> list:
        rows = list(self._rows)
        self._rows.clear()
        return rows


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    # A cursor by duck typing (it does what SQLAlchemy calls on one), not a subclass of the adapter's own.
    _cursor_cls = OneTripCursor  # type: ignore[assignment]


def use_one_trip_cursor(adapted_connection: Any) -> bool:
    """Called on connect with SQLAlchemy's adapted aiosqlite connection; True if the cursor was swapped."""
    driver = getattr(adapted_connection, "_connection", None)
    if (type(adapted_connection) is not AsyncAdapt_aiosqlite_connection
            or "_cursor_cls" not in vars(AsyncAdapt_aiosqlite_connection)
            or not hasattr(adapted_connection, "_execute_mutex")
            or not callable(getattr(driver, "_execute", None)) or not hasattr(type(driver), "_conn")):
        return False
    adapted_connection.__class__ = OneTripConnection  # same layout (no new slots): only the cursor differs
    return True

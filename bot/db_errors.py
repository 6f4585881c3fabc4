"""What the database's failures mean for people: one line for an operator, a typed error for a user."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageBusy, StorageFull, StorageUnavailable
from bot.logs import Redactor

# What opening or using a database raises when the database, not the code, is at fault:
# a server down or refusing us, a missing database or file, a full or read-only disk.
DATABASE_FAULTS = (OSError, SQLAlchemyError, sqlite3.Error)

SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL = 5, 6, 13  # primary result codes (the low byte of an extended one)
PG_DISK_FULL, PG_LOCK_NOT_AVAILABLE = "53100", "55P03"  # SQLSTATEs: disk_full, lock_not_available (lock_timeout)


class SchemaTooNew(Exception):
    """The database carries a revision this code does not ship: a newer bot migrated it. Upgrading cannot
    help (there is nothing to run) and running on it could corrupt data the newer schema means otherwise."""

    def __init__(self, current: tuple[str, ...], heads: tuple[str, ...]):
        super().__init__(f"the database is at {', '.join(current)}, newer than this bot ({', '.join(heads)})")
        self.current, self.heads = current, heads


def _causes(err: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        yield err
        err = getattr(err, "orig", None) or err.__cause__ or err.__context__


def storage_error(err: BaseException) -> StorageUnavailable | None:
    """The typed error for a database that cannot take a write right now, or None for any other failure."""
    for cause in _causes(err):
        code = getattr(cause, "sqlite_errorcode", None)
        state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        text = str(cause)
        if (code is not None and code & 0xFF == SQLITE_FULL) or state == PG_DISK_FULL or "database or disk is full" in text:
            return StorageFull()
        if ((code is not None and code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)) or state == PG_LOCK_NOT_AVAILABLE
                or "database is locked" in text):
            return StorageBusy()
    return None


def shown_url(url: str) -> str:
    """The URL as configured, password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the configured URL (it cannot be parsed)"


def database_problem(err: BaseException, url: str) -> str | None:
    """One line saying why the database cannot be used, or None when `err` is not a database fault."""
    if isinstance(err, SchemaTooNew):
        return str(err)
    if isinstance(err, DATABASE_FAULTS):
        reason = getattr(err, "orig", None) or err
        text = Redactor()((str(reason).strip().splitlines() or [type(reason).__name__])[0])  # an unparsable URL is echoed
        return f"cannot reach the database at {shown_url(url)}: {text}"
    return None

"""What the database's failures mean for people: one line for an operator, a typed error for a user."""
from __future__ import annotations

import sqlite3

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.logs import Redactor
from bot.migrate import SchemaTooNew

# What opening or using a database raises when the database, not the code, is at fault:
# a server down or refusing us, a missing database or file, a full or read-only disk.
DATABASE_FAULTS = (OSError, SQLAlchemyError, sqlite3.Error)


def shown_url(url: str) -> str:
    """The URL as configured, password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL may hold a password anywhere: show none of it
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

"""Ids that people type or payloads carry, range-checked at the edge.

Row ids are INTEGER columns: 64-bit on SQLite but 32-bit on PostgreSQL, so an id above 2**31-1 can
name no row on either and must never reach a query (SQLite's driver raises OverflowError, asyncpg a
DataError). Platform ids such as Discord snowflakes are 64-bit.
"""
from __future__ import annotations

import re

from bot.errors import BadInput

ROW_ID_MAX = 2**31 - 1
SNOWFLAKE_MAX = 2**63 - 1
DIGITS = re.compile(r"[0-9]{1,64}")  # ASCII only: str.isdigit() also accepts '²', which int() refuses
SHOWN = 24  # characters of a refused id echoed back


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def parse_id(text: str | int | None, what: str = "item", limit: int = ROW_ID_MAX) -> int:
    """'12', '#12' or 12 → 12. Anything else, or a number no row can have, raises BadInput."""
    if isinstance(text, int) and not isinstance(text, bool):
        return require_id(text, what, limit)
    raw = str(text or "")[:64].strip().removeprefix("#")
    if not DIGITS.fullmatch(raw):
        raise BadInput(f"'{_shown(raw)}' is not a {what} number.")
    return require_id(int(raw), what, limit)


def is_row_id(value: object, limit: int = ROW_ID_MAX) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= limit


def require_id(value: int, what: str = "item", limit: int = ROW_ID_MAX) -> int:
    """The engine's own guard for ids handed to it as ints: out of range means no such row."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"A {what} number must be a whole number.")
    if not is_row_id(value, limit):
        raise BadInput(f"There is no {what} #{_shown(str(value))}.")
    return value

"""The one wall clock. Runtimes and front doors read it and hand `now` to the engine, which never reads
a clock itself (so tests can travel in time by passing another `Clock`)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)

"""Local days in a community's time zone. Instants are stored in UTC; days are compared as dates."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class UnknownTimeZone(ValueError):
    pass


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(f"unknown time zone '{name}' (use an IANA name such as Europe/Berlin)") from None


def require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the engine needs an aware datetime (UTC); got a naive one")
    return now.astimezone(UTC)


def local_day(instant: datetime, tz_name: str) -> date:
    return require_aware(instant).astimezone(zone(tz_name)).date()


def day_end(day: date, tz_name: str) -> datetime:
    """The UTC instant the local `day` ends: the next day's first instant. Cards due before it are due on
    `day`, and a reminder is not made up after it. A skipped local midnight (a DST gap) gives the
    transition instant, which is where the next day then starts."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone(tz_name)).astimezone(UTC)


@lru_cache(maxsize=4096)
def day_exists(day: date, tz_name: str) -> bool:
    """False for a date a zone skipped entirely (Pacific/Apia had no 2011-12-30)."""
    tz = zone(tz_name)
    for probe in (time(0, 0), time(12, 0), time(23, 59)):
        local = datetime.combine(day, probe, tzinfo=tz)
        if local.astimezone(UTC).astimezone(tz).date() == day:
            return True
    return False


def existing_days_between(start: date, end: date, tz_name: str) -> int:
    """How many dates strictly between start and end exist in the zone."""
    count = 0
    d = start + timedelta(days=1)
    while d < end:
        count += day_exists(d, tz_name)
        d += timedelta(days=1)
    return count


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def periods_of(day: date) -> tuple[tuple[str, date], tuple[str, date]]:
    """The leaderboard periods an answer on `day` (local) belongs to."""
    return ("week", week_start(day)), ("month", month_start(day))


def is_valid_zone(name: str) -> bool:
    return name in _zones()


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())

"""When a schedule posts: its local time on its weekdays, in its zone, turned into UTC instants.

A local time that does not exist (the spring-forward gap) posts at the first valid minute after
it; one that exists twice (fall back) posts at the first occurrence. Pure functions, no clock.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from bot.errors import BadInput
from bot.timeutil import day_exists, zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_ALIASES = {
    "weekdays": WEEKDAYS[:5], "workdays": WEEKDAYS[:5], "daily": WEEKDAYS, "everyday": WEEKDAYS,
    "all": WEEKDAYS, "weekends": WEEKDAYS[5:],
}
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_time(text: str) -> time:
    match = TIME_RE.match((text or "").strip())
    if not match:
        raise BadInput(f"'{text[:20]}' is not a time: use 24-hour HH:MM, e.g. 09:30.", field="time")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise BadInput(f"'{text[:20]}' is not a time of day: hours go 00-23 and minutes 00-59.", field="time")
    return time(hour, minute)


def parse_weekdays(text: str) -> tuple[str, ...]:
    """'mon-fri', 'mon,wed,fri', 'weekdays', 'daily' → ('mon', ...). Empty is refused."""
    items: list[str] = []
    for part in re.split(r"[,\s]+", (text or "").strip().lower()):
        if not part:
            continue
        if part in WEEKDAY_ALIASES:
            items.extend(WEEKDAY_ALIASES[part])
        elif "-" in part:
            start, _, end = part.partition("-")
            a, b = _day_index(start[:3]), _day_index(end[:3])
            items.extend(WEEKDAYS[i % 7] for i in range(a, b + 1 if b >= a else b + 8))
        else:
            items.append(WEEKDAYS[_day_index(part[:3])])
    if not items:
        raise BadInput("Pick at least one weekday (e.g. mon-fri, or mon,wed,fri, or daily).", field="weekdays")
    return tuple(d for d in WEEKDAYS if d in items)


def _day_index(name: str) -> int:
    if name not in WEEKDAYS:
        raise BadInput(f"'{name}' is not a weekday: use mon, tue, wed, thu, fri, sat, sun.", field="weekdays")
    return WEEKDAYS.index(name)


def slot_instant(day: date, at: time, tz_name: str) -> datetime:
    """The UTC instant of local `at` on `day`; a skipped local time moves to the next valid minute."""
    tz = zone(tz_name)
    local = datetime.combine(day, at, tzinfo=tz)
    for _ in range(24 * 60):
        instant = local.astimezone(UTC)
        back = instant.astimezone(tz)
        if back.replace(tzinfo=None) == local.replace(tzinfo=None):
            return instant
        local = (local.replace(tzinfo=None) + timedelta(minutes=1)).replace(tzinfo=tz)
    raise ValueError(f"no valid local time on {day} in {tz_name}")  # a whole skipped day


def posts_on(day: date, weekdays: tuple[str, ...], tz_name: str) -> bool:
    return WEEKDAYS[day.weekday()] in weekdays and day_exists(day, tz_name)


def latest_slot(now: datetime, at: time, weekdays: tuple[str, ...], tz_name: str) -> tuple[date, datetime] | None:
    """The most recent slot at or before `now` within the last 8 days."""
    today = now.astimezone(zone(tz_name)).date()
    for back in range(0, 9):
        day = today - timedelta(days=back)
        if posts_on(day, weekdays, tz_name):
            instant = slot_instant(day, at, tz_name)
            if instant <= now:
                return day, instant
    return None


def next_slot(after: datetime, at: time, weekdays: tuple[str, ...], tz_name: str,
              skip_days: frozenset[date] = frozenset()) -> tuple[date, datetime] | None:
    """The first slot strictly after `after` whose local date is not in `skip_days`."""
    today = after.astimezone(zone(tz_name)).date()
    for ahead in range(0, 400):
        day = today + timedelta(days=ahead)
        if day in skip_days or not posts_on(day, weekdays, tz_name):
            continue
        instant = slot_instant(day, at, tz_name)
        if instant > after:
            return day, instant
    return None


def slots_between(start: datetime, end: datetime, at: time, weekdays: tuple[str, ...], tz_name: str) -> int:
    """How many slots fall in (start, end]."""
    count, cursor = 0, start
    while True:
        nxt = next_slot(cursor, at, weekdays, tz_name)
        if nxt is None or nxt[1] > end:
            return count
        count, cursor = count + 1, nxt[1]

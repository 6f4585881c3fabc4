"""Review reminders: when a learner's reminder is owed, and what a failed send means. Pure rules.

A reminder is owed on a local day once the learner's local time has come, and only that day: after
downtime it is made up until the community's midnight, never for a day gone by. Asking after today's
time starts tomorrow. A send the platform refuses for good (DMs closed) turns reminders off; one that
may pass later is tried again a few times that day, not in a storm.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.slots import parse_time, slot_instant
from bot.timeutil import local_day

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=15)
OFF_WORDS = frozenset({"off", "stop", "none", "no"})


class ReminderStatus(StrEnum):
    """A row of the reminder ledger (one per learner and local day)."""

    CLAIMED = "claimed"  # a process is sending it (a crash leaves it: that day's reminder is not sent twice)
    SENT = "sent"
    FAILED = "failed"  # tried again after RETRY_AFTER, at most MAX_ATTEMPTS times that day
    IDLE = "idle"  # nothing was due at the reminder time: no message
    DROPPED = "dropped"  # the platform will not take a DM: reminders were turned off


def parse_setting(text: str) -> time | None:
    """'18:00' → 18:00; 'off' → None (reminders off). Anything else is refused with a clear sentence."""
    cleaned = (text or "").strip().lower()
    return None if cleaned in OFF_WORDS else parse_time(cleaned)


def owed_day(now: datetime, at: time, since: datetime, tz_name: str) -> date | None:
    """The local day whose reminder is owed at `now`, or None: today's time has not come, or it came
    before the learner asked."""
    today = local_day(now, tz_name)
    slot = slot_instant(today, at, tz_name)
    return today if since <= slot <= now else None


def retry_at(attempts: int, retryable: bool, now: datetime, ends: datetime) -> datetime | None:
    """When a failed reminder is tried again; None when it is not (given up for the day)."""
    if not retryable or attempts >= MAX_ATTEMPTS or now + RETRY_AFTER >= ends:
        return None
    return now + RETRY_AFTER

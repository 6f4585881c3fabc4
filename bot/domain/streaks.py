"""Streak rules as pure functions, shared by the live update and the rebuild from the answer log.

The unit is the quiz day (a local date). A streak is the run of consecutive quiz days answered.
A freeze is earned for every 7 answered quiz days in a row (at most 2 held) and is spent
automatically on a missed quiz day while a streak is running.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

FREEZE_EVERY = 7
FREEZE_MAX = 2


@dataclass(frozen=True)
class StreakState:
    current: int = 0
    best: int = 0
    freezes: int = 0
    progress: int = 0  # answered quiz days in a row towards the next freeze
    last_day: date | None = None  # last answered quiz day


def apply_misses(state: StreakState, missed: int) -> StreakState:
    """Missed quiz days spend freezes one each; when none is left the streak ends."""
    if missed <= 0:
        return state
    if state.current == 0:
        return replace(state, progress=0)
    if missed <= state.freezes:
        return replace(state, freezes=state.freezes - missed, progress=0)
    return replace(state, current=0, freezes=0, progress=0)


def answer_day(state: StreakState, day: date, missed: int) -> StreakState:
    """The learner answered on quiz day ``day``; ``missed`` quiz days lie between it and last_day."""
    if state.last_day is not None and day <= state.last_day:
        return state  # same day again: the streak only moves once per quiz day
    state = apply_misses(state, missed)
    current, progress, freezes = state.current + 1, state.progress + 1, state.freezes
    if progress == FREEZE_EVERY:
        freezes, progress = min(FREEZE_MAX, freezes + 1), 0
    return StreakState(current, max(state.best, current), freezes, progress, day)


def as_of(state: StreakState, missed_before_today: int) -> StreakState:
    """The streak as shown today: today is still open, so only days before it can be missed."""
    return apply_misses(state, missed_before_today)


def replay(answered_days: Iterable[date], missed_between: Callable[[date, date], int]) -> StreakState:
    """Rebuild the state from the distinct answered quiz days (any order)."""
    state = StreakState()
    for day in sorted(set(answered_days)):
        missed = 0 if state.last_day is None else missed_between(state.last_day, day)
        state = answer_day(state, day, missed)
    return state

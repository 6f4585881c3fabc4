"""Spaced review with FSRS (the `fsrs` package), over plain values: the rating an answer earns, a
memory card as stored and as the library sees it, and when a card is due.

Cards schedule in whole days: no minute learning steps (the bot is visited daily) and no fuzzing (a
card's next date follows from its answers alone, so a test can replay it). "Due" is a local-day
rule, in the community's time zone: a card is due when its due instant falls on or before the
learner's current local day (so a card due at 23:00 is due from that day's morning), and a card
answered today is never due again today, also on a 25-hour day when DST ends (its next due instant
is moved to the next local midnight at the earliest).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from fsrs import Card, Rating, Scheduler, State

from bot.errors import BadInput
from bot.timeutil import day_end, local_day

RETENTION_MIN, RETENTION_MAX = 0.7, 0.97
DEFAULT_RETENTION = 0.9
MASTERED_STABILITY_DAYS = 21.0  # a card in review that FSRS expects to hold this long counts as mastered


def check_retention(value: float) -> float:
    """The desired retention an operator may set: FSRS schedules absurdly below or above this range."""
    if not RETENTION_MIN <= value <= RETENTION_MAX:
        raise BadInput(f"The desired review retention must be between {RETENTION_MIN} and {RETENTION_MAX}; got {value}.")
    return value


@lru_cache(maxsize=8)
def scheduler(desired_retention: float = DEFAULT_RETENTION) -> Scheduler:
    """The one way this bot schedules: whole days, no fuzz, the operator's retention."""
    return Scheduler(desired_retention=check_retention(desired_retention), learning_steps=(), relearning_steps=(),
                     enable_fuzzing=False)


def rating_for(correct: bool, typo: bool) -> Rating:
    """Wrong is Again; right is Good; right only thanks to the fuzzy match (a misspelling) is Hard."""
    if not correct:
        return Rating.Again
    return Rating.Hard if typo else Rating.Good


@dataclass(frozen=True, slots=True)
class CardRow:
    """A memory card as the `memory_card` table keeps it (state is fsrs.State's value)."""

    state: int
    step: int | None
    stability: float
    difficulty: float
    due: datetime  # aware UTC
    last_review: datetime  # aware UTC
    reviews: int
    lapses: int


def to_card(row: CardRow) -> Card:
    # card_id is given: the library would otherwise read the clock (and sleep a millisecond) to make one.
    return Card(card_id=1, state=State(row.state), step=row.step, stability=row.stability, difficulty=row.difficulty,
                due=row.due.astimezone(UTC), last_review=row.last_review.astimezone(UTC))


def next_day_start(now: datetime, tz_name: str) -> datetime:
    """The first instant (UTC) of the local day after `now`'s: the end of "today" for due cards."""
    return day_end(local_day(now, tz_name), tz_name)


def review(row: CardRow | None, rating: Rating, now: datetime, tz_name: str,
           desired_retention: float = DEFAULT_RETENTION) -> CardRow:
    """The card after one graded answer at `now` (a new card for a first answer)."""
    now = now.astimezone(UTC)
    before = to_card(row) if row is not None else Card(card_id=1, due=now)
    after, _ = scheduler(desired_retention).review_card(before, rating, now)
    lapsed = row is not None and row.state == State.Review and rating == Rating.Again
    stability, difficulty = after.stability, after.difficulty
    if stability is None or difficulty is None:  # cannot happen: a reviewed card has both
        raise RuntimeError("FSRS returned a reviewed card without stability or difficulty")
    return CardRow(int(after.state), after.step, stability, difficulty, max(after.due, next_day_start(now, tz_name)),
                   now, (row.reviews if row else 0) + 1, (row.lapses if row else 0) + int(lapsed))


def is_due(due: datetime, now: datetime, tz_name: str) -> bool:
    """Due when its due instant falls on or before the learner's current local day."""
    return due < next_day_start(now, tz_name)


def is_mastered(state: int, stability: float) -> bool:
    return state == State.Review and stability >= MASTERED_STABILITY_DAYS

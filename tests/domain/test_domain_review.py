"""The FSRS rules over plain values: ratings, whole-day scheduling, the local-day "due" rule, mastery."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Rating, State

from bot.domain import review
from bot.errors import BadInput

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def test_ratings_from_a_verdict():
    assert review.rating_for(False, False) == Rating.Again
    assert review.rating_for(False, True) == Rating.Again
    assert review.rating_for(True, True) == Rating.Hard
    assert review.rating_for(True, False) == Rating.Good


@pytest.mark.parametrize("value", [0.69, 0.98, 1.0, 0.0])
def test_an_absurd_retention_is_refused_with_the_range(value):
    with pytest.raises(BadInput, match="between 0.7 and 0.97"):
        review.scheduler(value)


def test_the_scheduler_has_no_minute_steps_and_no_fuzz():
    sched = review.scheduler(0.85)
    assert (sched.learning_steps, sched.relearning_steps, sched.enable_fuzzing, sched.desired_retention) == ((), (), False, 0.85)


def test_a_scripted_sequence_matches_the_library_in_whole_days():
    now = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    row, expected = None, Card(card_id=1, due=now)
    for rating in (Rating.Good, Rating.Again, Rating.Hard, Rating.Good, Rating.Good, Rating.Again, Rating.Good):
        row = review.review(row, rating, now, "UTC")
        expected, _ = review.scheduler().review_card(expected, rating, now)
        assert (row.state, row.step, row.stability, row.difficulty, row.due) == (
            expected.state, expected.step, expected.stability, expected.difficulty, expected.due)
        assert (row.due - now) % timedelta(days=1) == timedelta(0) and row.due - now >= timedelta(days=1)
        now = row.due
    assert row.reviews == 7 and row.lapses == 2  # Again on a card in review is a lapse (the first Again was too)


def test_due_means_on_or_before_the_local_day():
    due = local(BERLIN, 2026, 3, 11, 22, 0)  # late on the 11th, Berlin time
    assert review.is_due(due, local(BERLIN, 2026, 3, 11, 0, 30), BERLIN)  # from the morning of that day
    assert not review.is_due(due, local(BERLIN, 2026, 3, 10, 23, 30), BERLIN)  # not the evening before
    # At 23:30 UTC on the 10th it is already the 11th in Berlin, and still the 10th in UTC.
    assert review.is_due(due, datetime(2026, 3, 10, 23, 30, tzinfo=UTC), BERLIN)
    assert not review.is_due(due, datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "UTC")


def test_a_card_answered_on_a_25_hour_day_is_not_due_again_that_day():
    now = local(NEW_YORK, 2026, 11, 1, 0, 30)  # clocks go back at 02:00: this local day has 25 hours
    row = review.review(None, Rating.Again, now, NEW_YORK)
    library, _ = review.scheduler().review_card(Card(card_id=1, due=now), Rating.Again, now)
    assert library.due == now + timedelta(days=1)  # 23:30 the same local day
    assert row.due == local(NEW_YORK, 2026, 11, 2, 0, 0)  # moved to the next local midnight
    assert not review.is_due(row.due, local(NEW_YORK, 2026, 11, 1, 23, 59), NEW_YORK)
    assert review.is_due(row.due, local(NEW_YORK, 2026, 11, 2, 0, 1), NEW_YORK)


def test_a_23_hour_day_keeps_the_librarys_date():
    now = local(BERLIN, 2026, 3, 28, 23, 30)  # the next day (the 29th) has 23 hours
    row = review.review(None, Rating.Again, now, BERLIN)
    assert row.due == now + timedelta(days=1)  # 00:30 UTC+2 on the 30th: a day later, still whole
    assert not review.is_due(row.due, local(BERLIN, 2026, 3, 29, 23, 59), BERLIN)


def test_mastered_is_review_with_three_weeks_of_stability():
    assert review.is_mastered(State.Review, 21.0)
    assert not review.is_mastered(State.Review, 20.9)
    assert not review.is_mastered(State.Relearning, 40.0)
    assert not review.is_mastered(State.Learning, 40.0)

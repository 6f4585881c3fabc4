"""The answer rules on plain values: no database, no event loop."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.content.schema import Choice, FreeTextQuestion, SingleChoiceQuestion
from bot.domain import answering
from bot.domain.answering import Attempt, DeliveryFacts, Payable, Tally, advance, award, judge, streak_moves
from bot.domain.calendar import DayCounter
from bot.domain.statuses import DeliveryKind, VerdictStatus
from bot.domain.streaks import StreakState
from bot.errors import BadInput, NotFound

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
CHOICE = SingleChoiceQuestion(id="pick", prompt="Which?", explanation="That one.", kind="single_choice", difficulty=2,
                              choices=[Choice(id="a", text="Adam"), Choice(id="b", text="SGD", correct=True)])
TYPED = FreeTextQuestion(id="typed", prompt="Why?", explanation="Because.", kind="free_text", accepted=["overfitting"])
QUESTIONS = {q.id: q for q in (CHOICE, TYPED)}


def delivery(question_id: str = "pick", *, id: int = 1, learner_id: int | None = None, kind: str = DeliveryKind.POST,
             closes_at: datetime | None = None, closed_at: datetime | None = None,
             quiz_day: date | None = None) -> DeliveryFacts:
    return DeliveryFacts(id, 7, question_id, kind, learner_id, closes_at, closed_at, "Europe/Berlin", quiz_day, "posted")


def attempt(d: DeliveryFacts | None, raw: str = "2", *, user: str = "u1", learner_id: int | None = 10,
            by_post: bool = False, in_community: bool = True, now: datetime = NOW) -> Attempt:
    return Attempt(d, by_post, in_community, learner_id, user, raw, now)


def one(a: Attempt) -> answering.Judgement:
    [judged] = judge([a], QUESTIONS.get)
    return judged


def test_a_daily_post_that_is_gone_is_refused():
    judged = one(attempt(None, by_post=True))
    assert isinstance(judged.error, NotFound) and str(judged.error) == answering.GONE
    assert not judged.may_repeat


@pytest.mark.parametrize("a", [
    attempt(None),  # no such delivery
    attempt(delivery(), in_community=False),  # a delivery of another community
    attempt(delivery(learner_id=11), learner_id=10),  # a lesson question given to someone else
    attempt(delivery(learner_id=11), learner_id=None),  # ... and the person is new here
], ids=["missing", "other community", "not yours", "not yours, new learner"])
def test_a_question_not_open_to_you_is_refused(a):
    judged = one(a)
    assert isinstance(judged.error, NotFound) and str(judged.error) == answering.NOT_OPEN
    assert not judged.may_repeat  # a refusal never turns into a repeat


def test_your_own_lesson_question_is_graded():
    judged = one(attempt(delivery(learner_id=10, kind=DeliveryKind.LESSON)))
    assert judged.reading is not None and judged.reading.grade.correct and judged.reading.choice_id == "b"


def test_a_retired_question_is_refused():
    judged = one(attempt(delivery("gone")))
    assert isinstance(judged.error, NotFound) and str(judged.error) == answering.RETIRED


def test_a_second_answer_in_the_same_batch_is_a_repeat_of_the_first():
    d = delivery()
    first, again, other = judge([attempt(d, "1"), attempt(d, "2"), attempt(d, "2", user="u2", learner_id=None)],
                                QUESTIONS.get)
    assert first.reading is not None and not first.reading.grade.correct
    assert again.status == VerdictStatus.REPEAT and again.twin == 0 and again.reading is None
    assert other.reading is not None and other.reading.grade.correct  # someone else answers for themselves


def test_a_refused_first_answer_leaves_the_next_one_free():
    d = delivery()
    unreadable, fine = judge([attempt(d, "9"), attempt(d, "2")], QUESTIONS.get)
    assert isinstance(unreadable.error, BadInput) and unreadable.may_repeat
    assert fine.reading is not None and fine.twin is None


@pytest.mark.parametrize("d", [
    delivery(closes_at=NOW),  # closes exactly now
    delivery(closes_at=NOW - timedelta(seconds=1)),
    delivery(closes_at=NOW + timedelta(hours=1), closed_at=NOW - timedelta(minutes=1)),  # revealed early
], ids=["at close", "after close", "closed by its reveal"])
def test_a_closed_question_says_closed(d):
    judged = one(attempt(d))
    assert judged.status == VerdictStatus.CLOSED and judged.reading is None and judged.error is None
    assert judged.may_repeat  # the learner may have answered while it was open


def test_a_closed_answer_by_a_newcomer_cannot_be_a_repeat():
    assert not one(attempt(delivery(closes_at=NOW), learner_id=None)).may_repeat


def test_open_until_the_last_instant():
    assert one(attempt(delivery(closes_at=NOW + timedelta(microseconds=1)))).reading is not None


def test_an_empty_typed_answer_is_bad_input():
    judged = one(attempt(delivery("typed"), "   "))
    assert isinstance(judged.error, BadInput)


def test_a_post_answer_counts_for_the_post_day_others_for_the_local_day():
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already 3 March in Berlin
    assert answering.counted_day(delivery(quiz_day=date(2026, 3, 1)), late) == date(2026, 3, 1)
    assert answering.counted_day(delivery(kind=DeliveryKind.PRACTICE), late) == date(2026, 3, 3)


def test_points_follow_difficulty_and_correctness():
    assert answering.points_for(CHOICE, True, DeliveryKind.PRACTICE) == 20
    assert answering.points_for(CHOICE, False, DeliveryKind.PRACTICE) == 0
    assert answering.points_for(CHOICE, True, DeliveryKind.REVIEW) == 0


def test_personal_questions_pay_once_per_learner_and_question():
    decided = award([
        Payable(1, "pick", DeliveryKind.LESSON, 20),
        Payable(1, "pick", DeliveryKind.PRACTICE, 20),  # the same question again: only the first may pay
        Payable(2, "pick", DeliveryKind.PRACTICE, 20),
        Payable(1, "pick", DeliveryKind.POST, 20),  # a daily post always pays
        Payable(3, "pick", DeliveryKind.LESSON, 0),  # nothing to pay
    ])
    assert decided.once == [0, 1, 2]
    assert decided.claims == {(1, "pick"): 0, (2, "pick"): 2}


START = Tally(points=5, answers=1, correct=1, streak=StreakState(1, 1, 0, 1, date(2026, 3, 1)))
EVERY_DAY = DayCounter("UTC")  # before any daily post, every date is a quiz day


def test_an_answer_adds_to_the_counters():
    step = advance(START, 10, True, date(2026, 3, 1), None)  # the same day: no calendar needed
    assert step.tally == Tally(15, 2, 2, START.streak) and not step.replay
    wrong = advance(START, 0, False, date(2026, 3, 1), None)
    assert (wrong.tally.points, wrong.tally.answers, wrong.tally.correct) == (5, 2, 1)


def test_the_next_quiz_day_moves_the_streak():
    assert streak_moves(START.streak, date(2026, 3, 2))
    step = advance(START, 10, True, date(2026, 3, 2), EVERY_DAY)
    assert (step.tally.streak.current, step.tally.streak.last_day) == (2, date(2026, 3, 2))


def test_a_missed_quiz_day_ends_the_streak():
    step = advance(START, 10, True, date(2026, 3, 3), EVERY_DAY)
    assert step.tally.streak.current == 1 and step.tally.streak.best == 1


def test_a_day_without_a_post_is_no_quiz_day():
    posts = DayCounter("UTC", date(2026, 2, 1), frozenset({date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 4)}))
    assert advance(START, 10, True, date(2026, 3, 2), posts).tally.streak == START.streak  # no post that day
    assert advance(START, 10, True, date(2026, 3, 4), posts).tally.streak.current == 2  # 2 and 3 March had none


def test_an_answer_for_an_earlier_day_asks_for_a_replay():
    step = advance(START, 10, True, date(2026, 2, 27), None)
    assert step.replay and step.tally.points == 15 and step.tally.streak == START.streak


def test_moving_a_streak_needs_the_calendar():
    assert streak_moves(StreakState(), date(2026, 3, 1))  # a first answer
    with pytest.raises(ValueError):
        advance(START, 10, True, date(2026, 3, 2), None)

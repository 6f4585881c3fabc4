"""Spaced review through the engine: memory cards follow every graded answer (FSRS, whole days),
review deliveries hand out due cards most overdue first, pay no points and keep the streak."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import actor, utc
from fsrs import Card, Rating, State
from sqlmodel import select

from bot.domain import review
from bot.models import MemoryCard

NOW = utc(2026, 3, 2, 12, 0)  # a Monday, noon UTC
ME = actor("ada")
RIGHT = {"mini-capital": "2", "mini-loss": "KL divergence", "mini-hard": "1"}
WRONG = {"mini-capital": "1", "mini-loss": "cross entropy", "mini-hard": "2"}


async def answer_lesson(engine, index: int, raw: str, now: datetime, who=ME):
    card = await engine.lesson_question(who, "mini", index, now)
    return await engine.answer(who, card.delivery_id, raw, now)


async def cards(store) -> dict[str, MemoryCard]:
    async with store.read() as session:
        return {c.question_id: c for c in (await session.exec(select(MemoryCard))).all()}


async def test_a_first_answer_makes_a_card_due_on_a_later_day(engine, store):
    await answer_lesson(engine, 0, RIGHT["mini-capital"], NOW)
    card = (await cards(store))["mini-capital"]
    assert (card.state, card.reviews, card.lapses) == (State.Review, 1, 0)
    assert card.due.date() > NOW.date() and card.last_review == NOW
    status = await engine.review_status(ME, NOW)
    assert status.due == 0 and status.next_due == card.due
    assert (await engine.review_next(ME, NOW)).card is None


async def test_a_due_card_is_reviewed_for_no_points_and_keeps_the_streak(engine, store):
    await answer_lesson(engine, 0, WRONG["mini-capital"], NOW)
    later = (await cards(store))["mini-capital"].due + timedelta(hours=1)
    got = await engine.review_next(ME, later)
    assert got.card is not None and got.card.question_id == "mini-capital" and got.status.due == 1
    verdict = await engine.answer(ME, got.card.delivery_id, RIGHT["mini-capital"], later)
    assert verdict.review and verdict.correct and verdict.points == 0 and verdict.explanation
    assert verdict.streak == 2  # two days in a row: the lesson on Monday, the review on Tuesday
    streak = await engine.streak(ME, later)
    assert streak.answered_today and streak.points == 0 and streak.reviews_due == 0
    card = (await cards(store))["mini-capital"]
    assert card.reviews == 2 and card.due > later
    assert (await engine.review_next(ME, later)).card is None  # answered today: not due again today


async def test_the_card_follows_the_librarys_own_scheduler(engine, store):
    """Again, Hard (a misspelling the fuzzy match accepts) and Good, each on the day the card is due."""
    sched = review.scheduler(0.9)
    expected = Card(card_id=1, due=NOW)
    now = NOW
    for raw, rating in (("cross entropy", Rating.Again), ("relative entropi", Rating.Hard), ("KL divergence", Rating.Good),
                        ("KL divergence", Rating.Good), ("relative entropy", Rating.Good), ("nope", Rating.Again)):
        got = await engine.review_next(ME, now)
        if got.card is None:
            verdict = await answer_lesson(engine, 1, raw, now)
        else:
            verdict = await engine.answer(ME, got.card.delivery_id, raw, now)
        assert verdict.correct == (rating != Rating.Again)
        expected, _ = sched.review_card(expected, rating, now)
        card = (await cards(store))["mini-loss"]
        assert (card.state, card.stability, card.difficulty, card.due) == (
            expected.state, expected.stability, expected.difficulty, expected.due)
        now = card.due
    assert card.reviews == 6 and card.lapses == 1


async def test_repeats_and_refusals_leave_the_card_alone(engine, store):
    card = await engine.lesson_question(ME, "mini", 0, NOW)
    await engine.answer(ME, card.delivery_id, "2", NOW)
    before = (await cards(store))["mini-capital"]
    again = await engine.answer(ME, card.delivery_id, "1", NOW + timedelta(days=3))
    assert again.status == "repeat"
    assert (await cards(store))["mini-capital"] == before


async def test_mastery_counts_answered_questions_with_three_weeks_of_stability(engine, store):
    now = NOW
    await answer_lesson(engine, 0, RIGHT["mini-capital"], now)
    await answer_lesson(engine, 1, WRONG["mini-loss"], now)
    for _ in range(6):  # right on every due day until the card holds for three weeks
        card = (await cards(store))["mini-capital"]
        if card.stability >= review.MASTERED_STABILITY_DAYS:
            break
        now = card.due
        got = await engine.review_next(ME, now)
        while got.card is not None and got.card.question_id != "mini-capital":  # mini-loss may be due too
            await engine.answer(ME, got.card.delivery_id, WRONG["mini-loss"], now)
            got = await engine.review_next(ME, now)
        assert got.card is not None
        await engine.answer(ME, got.card.delivery_id, RIGHT["mini-capital"], now)
    # A card planted for a question never answered (as by a bug or a hand edit) is never counted.
    async with store.write() as session:
        learner_id = (await session.exec(select(MemoryCard.learner_id))).first()
        session.add(MemoryCard(learner_id=learner_id, question_id="mini-hard", state=State.Review, step=None,
                               stability=99.0, difficulty=5.0, due=now + timedelta(days=90), last_review=now, reviews=9))
    view = await engine.mastery(ME, now)
    (lesson,) = view.lessons
    assert (lesson.lesson_id, lesson.mastered, lesson.answered, lesson.questions) == ("mini", 1, 2, 3)
    assert (view.mastered, view.answered, view.questions) == (1, 2, 3)
    (listing,) = await engine.lessons(ME)
    assert (listing.mastered, listing.answered) == (1, 2)
    streak = await engine.streak(ME, now)
    assert (streak.mastered, streak.answered_questions, streak.questions) == (1, 2, 3)


async def test_mastery_of_a_stranger_is_empty(engine):
    view = await engine.mastery(actor("nobody"), NOW)
    assert (view.mastered, view.answered, view.questions) == (0, 0, 3)
    assert (await engine.review_next(actor("nobody"), NOW)).status.next_due is None


def test_the_retention_setting_is_checked_at_start(tmp_path):
    from pydantic import ValidationError

    from bot.settings import Settings

    assert Settings(QUIZBOT_DATA_DIR=tmp_path).review_retention == 0.9
    assert Settings(QUIZBOT_DATA_DIR=tmp_path, QUIZBOT_REVIEW_RETENTION="0.8").review_retention == 0.8
    with pytest.raises(ValidationError, match="QUIZBOT_REVIEW_RETENTION must be between 0.7 and 0.97"):
        Settings(QUIZBOT_DATA_DIR=tmp_path, QUIZBOT_REVIEW_RETENTION="0.99")

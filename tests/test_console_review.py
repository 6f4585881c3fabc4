"""The console's review flow end to end: due cards one at a time with the usual verdict, no points,
"N due" in the streak, mastery in the lesson list and its own table, and when the next card is due."""
from __future__ import annotations

from datetime import timedelta

from test_console import say, session  # noqa: F401  (the session fixture)


async def test_review_in_the_console(session):
    await say(session, "lesson 1", "next", "next", "1", "kl divergence", "2")  # wrong, right, wrong
    out = await say(session, "streak", "review")
    assert "Reviews: 0 due · mastered 0 of 3 answered (3 questions in all)" in out
    assert "Nothing due for review. The next card is due" in out
    session.fake_clock.now += timedelta(days=1)
    assert "Reviews: 2 due" in await say(session, "streak")
    out = await say(session, "review")
    assert "Review (A mini lesson) · 2 due" in out and "Which model is bigger" in out
    out = await say(session, "2")
    assert "Correct!" in out and "The teacher is the large model." in out
    assert "Review: no points (reviews are for memory) · total 20 · streak 2 day(s)" in out
    assert "Review (A mini lesson) · 1 due" in out and "temperature above 1" in out
    out = await say(session, "1")
    assert "Correct!" in out and "Nothing due for review. The next card is due" in out
    out = await say(session, "review", "2")
    assert "Nothing due for review" in out and "Unknown command '2'" in out  # no card open: nothing answered
    out = await say(session, "lessons", "mastery", "streak")
    assert "Mastered" in out and "0/3" in out
    assert "Mastery — 0 of 3 questions mastered" in out
    assert "Reviews: 0 due" in out and "Streak: 2 day(s)" in out and "Points: 20" in out


async def test_review_before_any_answer_says_how_cards_come(session):
    out = await say(session, "review", "help")
    assert "Nothing to review yet" in out
    assert "review " in out and "mastery " in out  # the help lists both

"""Group commit: answers waiting together share one transaction, and each still gets its own verdict."""
from __future__ import annotations

import asyncio

from conftest import actor, utc
from sqlalchemy import func
from sqlmodel import select

import bot.engine.group_commit as group_commit
from bot.errors import BadInput, NotFound
from bot.models import Answer, LearnerStats

NOW = utc(2026, 3, 2, 10)


async def count(store, model) -> int:
    async with store.read() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_a_crowd_answering_together_gets_one_row_each(engine, store):
    cards = {u: await engine.lesson_question(actor(u), "mini", 0, NOW) for u in (f"u{i}" for i in range(60))}
    odd = await engine.lesson_question(actor("odd"), "mini", 0, NOW)
    calls = []
    for user, card in cards.items():
        calls += [engine.answer(actor(user), card.delivery_id, "2", NOW),   # right
                  engine.answer(actor(user), card.delivery_id, "1", NOW)]   # a double click with another choice
    calls.append(engine.answer(actor("odd"), odd.delivery_id, "9", NOW))  # out of range: nothing stored
    calls.append(engine.answer(actor("u1"), cards["u2"].delivery_id, "2", NOW))  # someone else's question
    results = await asyncio.gather(*calls, return_exceptions=True)
    verdicts, errors = results[:-2], results[-2:]
    assert isinstance(errors[0], BadInput) and isinstance(errors[1], NotFound)
    assert [v.status for v in verdicts] == ["new", "repeat"] * 60
    assert all(v.correct and v.points == 10 and v.total_points == 10 for v in verdicts)
    assert await count(store, Answer) == 60
    assert await engine.verify_stats(actor("u0")) == []


async def test_one_failing_answer_does_not_sink_its_batch(engine, store, monkeypatch):
    cards = {u: await engine.lesson_question(actor(u), "mini", 0, NOW) for u in ("ann", "bob", "cat")}
    real = group_commit.verdict_for

    def flaky(question, answer, total, state, status):
        if answer.learner_id == 2:  # bob's answer blows up after the rows were written
            raise RuntimeError("rendering failed")
        return real(question, answer, total, state, status)

    monkeypatch.setattr(group_commit, "verdict_for", flaky)
    results = await asyncio.gather(*(engine.answer(actor(u), c.delivery_id, "2", NOW) for u, c in cards.items()),
                                   return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["Verdict", "RuntimeError", "Verdict"]
    # The failed batch was rolled back and retried one by one: bob's answer is not half-stored.
    async with store.read() as session:
        learners = set((await session.exec(select(Answer.learner_id))).all())
        bob_stats = (await session.exec(select(LearnerStats).where(LearnerStats.learner_id == 2))).one()
    assert learners == {1, 3} and bob_stats.answers == 0
    assert await engine.verify_stats(actor("ann")) == []


async def test_batches_are_bounded(engine, monkeypatch):
    monkeypatch.setattr(group_commit, "MAX_BATCH", 7)
    sizes = []
    real = group_commit.GroupCommitter._commit

    async def spy(self, requests):
        sizes.append(len(requests))
        return await real(self, requests)
    monkeypatch.setattr(group_commit.GroupCommitter, "_commit", spy)
    cards = [await engine.lesson_question(actor(f"u{i}"), "mini", 0, NOW) for i in range(20)]
    await asyncio.gather(*(engine.answer(actor(f"u{i}"), c.delivery_id, "2", NOW) for i, c in enumerate(cards)))
    assert max(sizes) <= 7 and sum(sizes) == 20 and len(sizes) >= 3

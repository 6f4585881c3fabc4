"""What the simulated channels and learners do through the engine: daily schedules posted by a
tick (a no-op front door), and the answers learners click or type."""
from __future__ import annotations

import random
from datetime import datetime

from bot.bench.fakes import PLATFORM
from bot.content.schema import FreeTextQuestion, Question, SingleChoiceQuestion
from bot.engine import Engine
from bot.views import Actor, ScheduleSpec


def answer_text(question: Question, rng: random.Random) -> str:
    """What a learner clicks or types: right about 60% of the time."""
    right = rng.random() < 0.6
    if isinstance(question, SingleChoiceQuestion):
        pool = [c.id for c in question.choices if c.correct == right] or [c.id for c in question.choices]
        return rng.choice(pool)
    assert isinstance(question, FreeTextQuestion)
    if right and question.accepted:
        return rng.choice(question.accepted)
    if right and question.model_answer:
        return question.model_answer
    return rng.choice(["no idea", "the bigger model", "it makes training faster"])


def admin(community: str) -> Actor:
    return Actor(PLATFORM, community, "admin", "Admin", is_admin=True)


async def create_daily_schedules(engine: Engine, community: str, channels: int, created: datetime) -> None:
    """One daily 09:00 schedule per channel (`<community>-<n>`), made by the community's admin at `created`."""
    for c in range(channels):
        await engine.schedules.create(admin(community), ScheduleSpec(f"{community}-{c}", "09:00", "daily", shuffle=True),
                                      created)


async def post_due(engine: Engine, at: datetime, expected: int) -> list[int]:
    """One tick at `at`; returns the ids of the posts it made (exactly `expected`, or the set-up failed)."""
    outcomes = await engine.tick(at)
    posted = [o.post_id for o in outcomes if o.status == "posted" and o.post_id is not None]
    if len(posted) != expected:
        raise RuntimeError(f"set-up: expected {expected} posts at {at}, got {outcomes}")
    return posted


async def post_questions(engine: Engine, post_ids: list[int]) -> dict[int, Question]:
    """Each post's question, as the learner sees it on the card."""
    return {pid: engine.catalog.questions[(await engine.post_question(pid)).question_id] for pid in post_ids}

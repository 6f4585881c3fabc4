"""Lesson browsing and question picking: reads only; showing a question is the desk's job."""
from __future__ import annotations

import random

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.content.schema import Lesson
from bot.errors import NotFound
from bot.models import Answer, Learner
from bot.views import LessonListing, SnippetCard


def find_lesson(catalog: Catalog, name: str) -> Lesson:
    lesson = catalog.find_lesson(name)
    if lesson is None:
        options = ", ".join(f"{i}. {lesson.title}" for i, lesson in enumerate(catalog.lessons, 1))
        raise NotFound(f"No lesson matches '{name[:60]}'. Lessons: {options}")
    return lesson


def snippet_card(catalog: Catalog, lesson_id: str, index: int) -> SnippetCard:
    lesson = find_lesson(catalog, lesson_id)
    if not 0 <= index < len(lesson.snippets):
        raise NotFound(f"Lesson '{lesson.title}' has {len(lesson.snippets)} parts; there is no part {index + 1}.")
    snippet = lesson.snippets[index]
    return SnippetCard(lesson.id, lesson.title, index, len(lesson.snippets), snippet.title, snippet.body)


async def answered_questions(session: AsyncSession, learner_id: int | None) -> set[str]:
    if learner_id is None:
        return set()
    rows = await session.exec(select(Answer.question_id).where(Answer.learner_id == learner_id).distinct())
    return set(rows.all())


def listings(catalog: Catalog, answered: set[str], mastered: set[str]) -> list[LessonListing]:
    """`mastered` counts only among answered questions (a card exists only after an answer anyway)."""
    return [
        LessonListing(i, lesson.id, lesson.title, lesson.summary, len(lesson.snippets), len(lesson.questions),
                      sum(q.id in answered for q in lesson.questions),
                      sum(q.id in answered and q.id in mastered for q in lesson.questions))
        for i, lesson in enumerate(catalog.lessons, 1)
    ]


def lesson_matches(catalog: Catalog, prefix: str, limit: int = 25) -> list[tuple[str, str]]:
    """(id, title) pairs for autocomplete, best first."""
    low = prefix.strip().lower()
    hits = [lesson for lesson in catalog.lessons if not low or low in lesson.title.lower() or low in lesson.id]
    return [(lesson.id, lesson.title) for lesson in hits[:limit]]


async def pick_practice(session: AsyncSession, catalog: Catalog, learner: Learner | None, rng: random.Random) -> str:
    """Unseen questions first; after that, the ones last answered longest ago."""
    last_seen: dict[str, object] = {}
    if learner is not None:
        rows = await session.exec(select(Answer.question_id, func.max(Answer.answered_at))
                                  .where(Answer.learner_id == learner.id).group_by(Answer.question_id))
        last_seen = dict(rows.all())
    unseen = [qid for qid in catalog.questions if qid not in last_seen]
    if unseen:
        return rng.choice(unseen)
    return min(last_seen, key=lambda qid: (last_seen[qid], qid)) if last_seen else rng.choice(list(catalog.questions))

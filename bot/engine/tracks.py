"""Which question a schedule posts next: its track in order (or a fixed shuffle), no repeats
until the track is exhausted, then the least recently posted again."""
from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.errors import BadInput
from bot.models import Post, Schedule

USED = ("claimed", "posted", "failed")


def split(text: str) -> tuple[str, ...]:
    return tuple(x for x in (text or "").split(",") if x)


def resolve_lessons(catalog: Catalog, names: tuple[str, ...]) -> tuple[str, ...]:
    ids = []
    for name in names:
        lesson = catalog.find_lesson(name)
        if lesson is None:
            raise BadInput(f"No lesson matches '{name[:60]}' (use a lesson id, number or title).", field="lessons")
        ids.append(lesson.id)
    return tuple(dict.fromkeys(ids))


def track_questions(catalog: Catalog, lessons: tuple[str, ...], tags: tuple[str, ...], shuffle: bool,
                    seed: int) -> list[str]:
    wanted_tags = set(tags)
    out = []
    for lesson in catalog.lessons:
        if lessons and lesson.id not in lessons:
            continue
        for q in lesson.questions:
            if wanted_tags and not wanted_tags & (set(q.tags) | set(lesson.tags)):
                continue
            out.append(q.id)
    if shuffle:
        random.Random(seed).shuffle(out)
    return out


def schedule_track(catalog: Catalog, schedule: Schedule) -> list[str]:
    return track_questions(catalog, split(schedule.track_lessons), split(schedule.track_tags),
                           schedule.shuffle, schedule.shuffle_seed)


async def last_posted(session: AsyncSession, schedule_id: int) -> dict[str, date]:
    rows = await session.exec(select(Post.question_id, func.max(Post.local_date))
                              .where(Post.schedule_id == schedule_id, Post.status.in_(USED), Post.question_id != None)  # noqa: E711
                              .group_by(Post.question_id))
    return dict(rows.all())


def choose(track: list[str], posted: dict[str, date]) -> str:
    for qid in track:
        if qid not in posted:
            return qid
    order = {qid: i for i, qid in enumerate(track)}
    return min(track, key=lambda qid: (posted[qid], order[qid]))


def pick(catalog: Catalog, schedule, posted: dict[str, date], track: list[str] | None = None) -> str | None:
    """The question a schedule posts next: its queued one, else its track's (None: the track selects
    nothing). `schedule` is a Schedule or a row with its columns; `track` may be passed in when cached."""
    if schedule.queued_question_id and schedule.queued_question_id in catalog.questions:
        return schedule.queued_question_id
    track = schedule_track(catalog, schedule) if track is None else track
    return choose(track, posted) if track else None


async def next_question(session: AsyncSession, catalog: Catalog, schedule: Schedule) -> str:
    question_id = pick(catalog, schedule, await last_posted(session, schedule.id))
    if question_id is None:
        raise BadInput("This schedule's track selects no question; change its lessons or tags.", field="lessons")
    return question_id

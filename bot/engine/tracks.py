"""Which question a schedule posts next: its track in order (or a fixed shuffle), no repeats
until the track is exhausted, then the least recently posted again."""
from __future__ import annotations

import random
from datetime import date

from sqlalchemy import case, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.errors import BadInput
from bot.models import RetiredQuestion, Schedule, ScheduleQuestion, row_id, table_of


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


USAGE, RETIRED = table_of(ScheduleQuestion), table_of(RetiredQuestion)


async def last_used(conn, schedule_ids: set[int]) -> dict[int, dict[str, date]]:
    """Per schedule: each question it used, and the local date it last did (a post claimed, posted or failed)."""
    if not schedule_ids:
        return {}
    history: dict[int, dict[str, date]] = {}
    for sid, qid, day in await conn.execute(select(USAGE.c.schedule_id, USAGE.c.question_id, USAGE.c.last_used)
                                            .where(USAGE.c.schedule_id.in_(schedule_ids))):
        history.setdefault(sid, {})[qid] = day
    return history


async def retired_in(conn, community_ids: set[int]) -> dict[int, set[str]]:
    """Per community, the questions its admins retired from its schedules."""
    if not community_ids:
        return {}
    out: dict[int, set[str]] = {}
    for cid, qid in await conn.execute(select(RETIRED.c.community_id, RETIRED.c.question_id)
                                       .where(RETIRED.c.community_id.in_(community_ids))):
        out.setdefault(cid, set()).add(qid)
    return out


async def note_used(conn, store, used: dict[tuple[int, str], date]) -> None:
    """Move `last_used` forward for (schedule, question) pairs just claimed; a later date never goes back."""
    if not used:
        return
    add = store.insert(USAGE)
    later = case((add.excluded.last_used > USAGE.c.last_used, add.excluded.last_used), else_=USAGE.c.last_used)
    # Sorted: concurrent claims lock the rows in the same order.
    await conn.execute(add.on_conflict_do_update(index_elements=["schedule_id", "question_id"], set_={"last_used": later}),
                       [dict(schedule_id=s, question_id=q, last_used=d) for (s, q), d in sorted(used.items())])


async def last_posted(session: AsyncSession, schedule_id: int) -> dict[str, date]:
    return (await last_used(await session.connection(), {schedule_id})).get(schedule_id, {})


def choose(track: list[str], posted: dict[str, date]) -> str:
    for qid in track:
        if qid not in posted:
            return qid
    order = {qid: i for i, qid in enumerate(track)}
    return min(track, key=lambda qid: (posted[qid], order[qid]))


def pick(catalog: Catalog, schedule, posted: dict[str, date], track: list[str] | None = None,
         retired: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The question a schedule posts next: its queued one, else its track's (None: the track selects
    nothing). `schedule` is a Schedule or a row with its columns; `track` may be passed in when cached.
    A question its community retired is never picked, queued or not."""
    queued: str | None = schedule.queued_question_id
    if queued and queued in catalog.questions and queued not in retired:
        return queued
    track = schedule_track(catalog, schedule) if track is None else track
    if retired:
        track = [qid for qid in track if qid not in retired]
    return choose(track, posted) if track else None


async def next_question(session: AsyncSession, catalog: Catalog, schedule: Schedule) -> str:
    conn = await session.connection()
    retired = (await retired_in(conn, {schedule.community_id})).get(schedule.community_id, set())
    question_id = pick(catalog, schedule, await last_posted(session, row_id(schedule)), retired=retired)
    if question_id is None:
        raise BadInput("This schedule's track selects no question; change its lessons or tags.", field="lessons")
    return question_id

"""Admin operations on schedules. Each refuses callers the front door did not mark as admins,
validates everything before writing, and writes in one transaction."""
from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.content import Catalog
from bot.db import Store
from bot.domain import recap, slots
from bot.domain.statuses import PostStatus
from bot.engine import tracks
from bot.engine.identity import community_for, find_learner
from bot.errors import BadInput, NotAllowed, NotFound
from bot.ids import require_id
from bot.models import Community, Post, Schedule, row_id
from bot.timeutil import is_valid_zone, zone
from bot.views import Actor, ScheduleSpec, ScheduleView

OPEN_MINUTES_MAX = 7 * 24 * 60
CHANNEL_ID_MAX = 64
ROLE_RE = re.compile(r"^[\w-]{1,64}$")
WARN_AHEAD = timedelta(days=7)
TIMING = ("local_time", "weekdays", "timezone")


def require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise NotAllowed(f"Only admins can {what}.")


def validated(catalog: Catalog, spec: ScheduleSpec, community_tz: str) -> dict:
    """Every field parsed and checked; returns the column values. Raises BadInput on the first problem."""
    if not (spec.channel_id or "").strip():
        raise BadInput("Pick a channel for the schedule.", field="channel")
    if len(spec.channel_id.strip()) > CHANNEL_ID_MAX:  # the column's width: PostgreSQL would refuse the row
        raise BadInput(f"A channel id is at most {CHANNEL_ID_MAX} characters.", field="channel")
    if not spec.channel_id.isprintable():  # no platform's channel id has control characters (PostgreSQL stores no NUL)
        raise BadInput("That is not a channel id.", field="channel")
    at = slots.parse_time(spec.time)
    weekdays = slots.parse_weekdays(spec.weekdays)
    tz = (spec.timezone or "").strip() or None
    if tz is not None and not is_valid_zone(tz):
        raise BadInput(f"Unknown time zone '{tz[:64]}': use an IANA name such as Europe/Berlin.", field="timezone")
    lessons = tracks.resolve_lessons(catalog, tuple(spec.lessons))
    tags = tuple(dict.fromkeys(t.strip().lower() for t in spec.tags if t.strip()))
    seed = random.Random(f"{spec.channel_id}:{lessons}:{tags}").randrange(1 << 30)
    if not tracks.track_questions(catalog, lessons, tags, spec.shuffle, seed):
        raise BadInput("That track selects no question: check the lessons and tags.", field="lessons")
    if spec.open_minutes is not None and not 1 <= spec.open_minutes <= OPEN_MINUTES_MAX:
        raise BadInput(f"A question can stay open from 1 minute to {OPEN_MINUTES_MAX // 1440} days.", field="open_minutes")
    role = (spec.ping_role or "").strip() or None
    if role is not None and not ROLE_RE.match(role):
        raise BadInput("The ping role must be a role id.", field="ping_role")
    return dict(
        channel_id=spec.channel_id.strip(), channel_name="".join(filter(str.isprintable, spec.channel_name or ""))[:100],
        local_time=at.strftime("%H:%M"),
        weekdays=",".join(weekdays), timezone=tz, track_lessons=",".join(lessons), track_tags=",".join(tags),
        shuffle=spec.shuffle, shuffle_seed=seed, open_minutes=spec.open_minutes, ping_role=role,
        results_in_thread=spec.results_in_thread,
        recap_weekday=None if spec.recap_weekday is None else recap.parse_recap_day(spec.recap_weekday),
    )


def zone_of(schedule: Schedule, community: Community) -> str:
    return schedule.timezone or community.timezone


async def skipped_dates(session: AsyncSession, schedule: Schedule, now: datetime) -> frozenset[date]:
    rows = await session.exec(select(col(Post.local_date)).where(Post.schedule_id == schedule.id, Post.status == PostStatus.SKIPPED,
                                                            Post.slot_at > now))
    return frozenset(rows.all())


async def taken_dates(session: AsyncSession, schedule: Schedule, community: Community, after: datetime) -> frozenset[date]:
    """Local dates from `after`'s day on that already have a ledger row (posted, posted early, skipped...)."""
    today = after.astimezone(zone(zone_of(schedule, community))).date()
    return frozenset((await session.exec(select(col(Post.local_date)).where(
        Post.schedule_id == schedule.id, Post.local_date >= today))).all())


async def upcoming(session: AsyncSession, schedule: Schedule, community: Community,
                   now: datetime) -> tuple[date, datetime] | None:
    """The next slot that will really post: skipped days and days already in the ledger are passed over."""
    return slots.next_slot(now, slots.parse_time(schedule.local_time), tuple(tracks.split(schedule.weekdays)),
                           zone_of(schedule, community), await taken_dates(session, schedule, community, now))


async def view(session: AsyncSession, catalog: Catalog, schedule: Schedule, community: Community,
               now: datetime) -> ScheduleView:
    tz = zone_of(schedule, community)
    nxt = await upcoming(session, schedule, community, now) if schedule.enabled else None
    track = tracks.schedule_track(catalog, schedule)
    posted = await tracks.last_posted(session, row_id(schedule))
    remaining = sum(1 for q in track if q not in posted)
    warning = None
    if schedule.enabled:
        due = slots.slots_between(now, now + WARN_AHEAD, slots.parse_time(schedule.local_time),
                                  tuple(tracks.split(schedule.weekdays)), tz)
        if remaining < due:
            warning = (f"The track runs out in {remaining} post(s), within a week; after that questions repeat, "
                       "least recently posted first. Add lessons or tags to keep it fresh.")
    return ScheduleView(
        row_id(schedule), schedule.platform, schedule.channel_id, schedule.channel_name, schedule.local_time,
        tuple(tracks.split(schedule.weekdays)), tz, tracks.split(schedule.track_lessons),
        tracks.split(schedule.track_tags), schedule.shuffle, schedule.open_minutes, schedule.ping_role,
        schedule.results_in_thread, schedule.enabled,
        nxt[1].astimezone(zone(tz)) if nxt else None, nxt[1] if nxt else None, len(track), remaining,
        schedule.queued_question_id, tuple(sorted(await skipped_dates(session, schedule, now))), warning,
        schedule.recap_weekday,
    )


async def load(session: AsyncSession, actor: Actor, schedule_id: int, lock: bool = False) -> tuple[Schedule, Community]:
    require_id(schedule_id, "schedule")
    community, _ = await find_learner(session, actor)
    stmt = select(Schedule).where(Schedule.id == schedule_id)
    # FOR NO KEY UPDATE, not FOR UPDATE: posts still reference the row by its key while it changes
    schedule = (await session.exec(stmt.with_for_update(key_share=True) if lock else stmt)).first()
    if schedule is None or community is None or schedule.community_id != community.id:
        raise NotFound(f"There is no schedule #{schedule_id} here.")
    return schedule, community


async def create(store: Store, session: AsyncSession, catalog: Catalog, actor: Actor, spec: ScheduleSpec,
                 now: datetime, default_tz: str) -> Schedule:
    require_admin(actor, "create schedules")
    community = await community_for(store, session, actor, now, default_tz)
    values = validated(catalog, spec, community.timezone)
    inserted = await session.exec(store.insert(Schedule).values(
        community_id=community.id, platform=actor.platform, enabled=True, created_by=actor.user_id,
        created_at=now, updated_at=now, posting_from=now, **values,
    ).on_conflict_do_nothing(index_elements=["platform", "channel_id"]).returning(Schedule.id))
    schedule_id = inserted.scalar_one_or_none()
    if schedule_id is None:
        existing = (await session.exec(select(Schedule).where(Schedule.platform == actor.platform,
                                                              Schedule.channel_id == values["channel_id"]))).one()
        raise BadInput(f"That channel already has a schedule (#{existing.id}); edit or remove it instead.", field="channel")
    created = await session.get(Schedule, schedule_id)
    if created is None:  # cannot happen: inserted by this transaction just now
        raise RuntimeError(f"schedule #{schedule_id} vanished within its own transaction")
    return created


def spec_of(schedule: Schedule) -> ScheduleSpec:
    return ScheduleSpec(schedule.channel_id, schedule.local_time, schedule.weekdays, schedule.timezone,
                        tracks.split(schedule.track_lessons), tracks.split(schedule.track_tags), schedule.shuffle,
                        schedule.open_minutes, schedule.ping_role, schedule.results_in_thread, schedule.channel_name,
                        schedule.recap_weekday)


async def update(session: AsyncSession, catalog: Catalog, actor: Actor, schedule_id: int, changes: dict,
                 now: datetime) -> Schedule:
    require_admin(actor, "change schedules")
    schedule, community = await load(session, actor, schedule_id, lock=True)
    unknown = set(changes) - set(ScheduleSpec.__dataclass_fields__) - {"channel_id"}
    if unknown:
        raise BadInput(f"Unknown schedule field(s): {', '.join(sorted(unknown))}.")
    if "channel_id" in changes and changes["channel_id"] != schedule.channel_id:
        raise BadInput("A schedule stays with its channel: remove it and create one in the other channel.", field="channel")
    values = validated(catalog, replace(spec_of(schedule), **changes), community.timezone)
    if values["track_lessons"] == schedule.track_lessons and values["track_tags"] == schedule.track_tags:
        values["shuffle_seed"] = schedule.shuffle_seed  # same track: keep its order
    if any(values[k] != getattr(schedule, k) for k in TIMING):
        schedule.posting_from = now  # a new time owes no slot from before the change
    for key, value in values.items():
        setattr(schedule, key, value)
    schedule.updated_at = now
    session.add(schedule)
    return schedule

"""Find-or-create the community and learner behind an Actor, inside the caller's transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import Store
from bot.errors import BadInput
from bot.limits import USER_ID_MAX, clean_name
from bot.models import Community, Learner, LearnerStats
from bot.views import Actor


@dataclass(frozen=True, slots=True)
class CommunityRef:
    """A community as one transaction sees it: its id (fixed) and its time zone as read then."""
    id: int
    timezone: str


@dataclass(frozen=True, slots=True)
class LearnerRef:
    id: int


async def community_for(store: Store, session: AsyncSession, actor: Actor, now: datetime,
                        default_timezone: str = "UTC") -> Community:
    if len(actor.community_id) > USER_ID_MAX or len(actor.user_id) > USER_ID_MAX:  # every write comes through here
        raise BadInput(f"A community or user id is at most {USER_ID_MAX} characters.")
    stmt = store.insert(Community).values(
        platform=actor.platform, external_id=actor.community_id,
        name=clean_name(actor.community_name or actor.community_id, 200),
        timezone=default_timezone, created_at=now,
    ).on_conflict_do_nothing(index_elements=["platform", "external_id"])
    await session.exec(stmt)
    return (await session.exec(select(Community).where(
        Community.platform == actor.platform, Community.external_id == actor.community_id))).one()


async def learner_for(store: Store, session: AsyncSession, actor: Actor, now: datetime,
                      default_timezone: str = "UTC") -> tuple[Community, Learner]:
    community = await community_for(store, session, actor, now, default_timezone)
    name = clean_name(actor.display_name)
    stmt = store.insert(Learner).values(
        community_id=community.id, user_id=actor.user_id, display_name=name, created_at=now,
    )
    # Keep the name fresh: people rename themselves.
    stmt = stmt.on_conflict_do_update(index_elements=["community_id", "user_id"], set_={"display_name": name})
    await session.exec(stmt)
    learner = (await session.exec(select(Learner).where(
        Learner.community_id == community.id, Learner.user_id == actor.user_id))).one()
    await session.exec(store.insert(LearnerStats).values(
        learner_id=learner.id, community_id=community.id).on_conflict_do_nothing(index_elements=["learner_id"]))
    return community, learner


async def find_learner(session: AsyncSession, actor: Actor) -> tuple[Community | None, Learner | None]:
    """Read-only lookup in one statement (every read starts with it): a learner who never acted
    simply isn't there yet. The unique keys on both tables allow at most one row."""
    found = (await session.exec(select(Community, Learner).outerjoin(
        Learner, (col(Learner.community_id) == Community.id) & (col(Learner.user_id) == actor.user_id)).where(
        Community.platform == actor.platform, Community.external_id == actor.community_id))).first()
    return (found[0], found[1]) if found else (None, None)


class Readers:
    """Who reads boards, remembered by this process: a board call then skips the lookup statement.
    Ids never change once committed; a community's time zone can (an admin, perhaps in another
    process), so a board computed with a remembered zone checks it in its own statement
    (`learner_board(zone_remembered=True)`). Only readers who exist as learners are remembered."""

    LIMIT = 100_000  # a full table is simply emptied: it refills from the database

    def __init__(self) -> None:
        self._known: dict[tuple[str, str, str], tuple[CommunityRef, LearnerRef]] = {}

    def get(self, actor: Actor) -> tuple[CommunityRef, LearnerRef] | None:
        return self._known.get((actor.platform, actor.community_id, actor.user_id))

    def remember(self, actor: Actor, community: CommunityRef, learner: LearnerRef | None) -> None:
        if learner is None:
            return
        if len(self._known) >= self.LIMIT:
            self._known.clear()
        self._known[actor.platform, actor.community_id, actor.user_id] = (community, learner)


async def find_reader(session: AsyncSession, actor: Actor) -> tuple[CommunityRef | None, LearnerRef | None]:
    """`find_learner` for read-only views that need ids and the time zone only: plain columns, no ORM
    rows to build (a leaderboard call is a few statements, so this one's cost shows)."""
    found = (await session.exec(select(Community.id, Community.timezone, Learner.id).outerjoin(
        Learner, (col(Learner.community_id) == Community.id) & (col(Learner.user_id) == actor.user_id)).where(
        Community.platform == actor.platform, Community.external_id == actor.community_id))).first()
    if found is None:
        return None, None
    community_id, timezone, learner_id = found
    assert community_id is not None  # a primary key: never NULL in a row read back
    return CommunityRef(community_id, timezone), (LearnerRef(learner_id) if learner_id is not None else None)

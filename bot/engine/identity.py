"""Find-or-create the community and learner behind an Actor, inside the caller's transaction."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import Store
from bot.models import Community, Learner, LearnerStats
from bot.views import Actor

NAME_MAX = 100


def clean_name(name: str, limit: int = NAME_MAX) -> str:
    """Display names are shown to others: one line, no control characters, bounded."""
    text = " ".join("".join(ch for ch in name if ch.isprintable()).split())
    return text[:limit] or "someone"


async def community_for(store: Store, session: AsyncSession, actor: Actor, now: datetime,
                        default_timezone: str = "UTC") -> Community:
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
        Learner, (Learner.community_id == Community.id) & (Learner.user_id == actor.user_id)).where(
        Community.platform == actor.platform, Community.external_id == actor.community_id))).first()
    return (found[0], found[1]) if found else (None, None)

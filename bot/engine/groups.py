"""Study groups inside a community. One group per learner is the membership table's key."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import Store
from bot.engine.identity import CommunityRef
from bot.errors import BadInput, NotFound
from bot.models import Community, GroupMembership, Learner, LearnerStats, StudyGroup
from bot.views import GroupChange, GroupView

NAME_RE = re.compile(r"^[\w][\w .'-]{1,39}$")


def group_key(name: str) -> str:
    return " ".join(name.casefold().split())


def clean_group_name(name: str) -> str:
    text = " ".join((name or "").split())
    if not NAME_RE.match(text):
        raise BadInput("A group name is 2-40 letters, digits, spaces, dots, dashes or underscores.")
    return text


async def find_group(session: AsyncSession, community: Community | CommunityRef, name: str) -> StudyGroup:
    group = (await session.exec(select(StudyGroup).where(
        StudyGroup.community_id == community.id, StudyGroup.name_key == group_key(name)))).first()
    if group is None:
        names = (await session.exec(select(StudyGroup.name).where(StudyGroup.community_id == community.id)
                                    .order_by(StudyGroup.name))).all()
        hint = f" Groups here: {', '.join(names)}." if names else " There are no groups yet: create one."
        raise NotFound(f"There is no group called '{name[:40]}'.{hint}")
    return group


async def current_group(session: AsyncSession, learner: Learner) -> StudyGroup | None:
    return (await session.exec(select(StudyGroup).join(GroupMembership, col(GroupMembership.group_id) == StudyGroup.id)
                               .where(GroupMembership.learner_id == learner.id))).first()


async def _drop_if_empty(session: AsyncSession, group: StudyGroup) -> bool:
    members = (await session.exec(select(func.count()).select_from(GroupMembership)
                                  .where(GroupMembership.group_id == group.id))).one()
    if members == 0:
        await session.exec(delete(StudyGroup).where(col(StudyGroup.id) == group.id))
        return True
    return False


async def _move(store: Store, session: AsyncSession, learner: Learner, group: StudyGroup, now: datetime) -> str | None:
    previous = await current_group(session, learner)
    if previous is not None and previous.id == group.id:
        return previous.name
    await session.exec(store.insert(GroupMembership).values(learner_id=learner.id, group_id=group.id, joined_at=now)
                          .on_conflict_do_update(index_elements=["learner_id"], set_={"group_id": group.id, "joined_at": now}))
    if previous is not None:
        await _drop_if_empty(session, previous)
        return previous.name
    return None


async def create(store: Store, session: AsyncSession, community: Community, learner: Learner, name: str,
                 now: datetime) -> GroupChange:
    name = clean_group_name(name)
    inserted = await session.exec(store.insert(StudyGroup).values(
        community_id=community.id, name=name, name_key=group_key(name), created_by=learner.id, created_at=now,
    ).on_conflict_do_nothing(index_elements=["community_id", "name_key"]).returning(StudyGroup.id))
    if inserted.scalar_one_or_none() is None:
        raise BadInput(f"A group called '{name}' already exists here: join it instead.")
    group = await find_group(session, community, name)
    previous = await _move(store, session, learner, group, now)
    return GroupChange("created", group.name, previous)


async def join(store: Store, session: AsyncSession, community: Community, learner: Learner, name: str,
               now: datetime) -> GroupChange:
    group = await find_group(session, community, name)
    previous = await _move(store, session, learner, group, now)
    if previous == group.name:
        return GroupChange("joined", group.name, None, ("You were already in this group.",))
    return GroupChange("moved" if previous else "joined", group.name, previous)


async def leave(session: AsyncSession, learner: Learner) -> GroupChange:
    group = await current_group(session, learner)
    if group is None:
        raise BadInput("You are not in a group.")
    await session.exec(delete(GroupMembership).where(col(GroupMembership.learner_id) == learner.id))
    dropped = await _drop_if_empty(session, group)
    return GroupChange("left", group.name, None, ("The group was empty and has been removed.",) if dropped else ())


async def listing(session: AsyncSession, community: Community, learner: Learner | None) -> list[GroupView]:
    rows = (await session.exec(
        select(StudyGroup.id, StudyGroup.name, func.count(col(GroupMembership.learner_id)), func.coalesce(func.sum(LearnerStats.points), 0))
        .join(GroupMembership, col(GroupMembership.group_id) == StudyGroup.id, isouter=True)
        .join(LearnerStats, col(LearnerStats.learner_id) == GroupMembership.learner_id, isouter=True)
        .where(StudyGroup.community_id == community.id)
        .group_by(col(StudyGroup.id), col(StudyGroup.name)).order_by(StudyGroup.name))).all()
    mine = await current_group(session, learner) if learner else None
    return [GroupView(name, int(members), int(points), mine is not None and mine.id == gid)
            for gid, name, members, points in rows]


async def group_names(session: AsyncSession, community: Community | None, prefix: str, limit: int = 25) -> list[str]:
    if community is None:
        return []
    stmt = select(StudyGroup.name).where(StudyGroup.community_id == community.id)
    if prefix.strip():
        stmt = stmt.where(col(StudyGroup.name_key).contains(group_key(prefix)))
    return list((await session.exec(stmt.order_by(StudyGroup.name).limit(limit))).all())

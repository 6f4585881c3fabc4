"""The ids an answer batch needs before it can write (communities, deliveries, learners), read with one
set-based statement per kind, and the ones worth remembering once the batch has committed (known_ids)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select

from bot.domain import answering
from bot.domain.statuses import PostStatus
from bot.engine.answer_batch import Batch, Request, filled
from bot.engine.batch_sql import BatchSql
from bot.engine.identity import CommunityRef
from bot.engine.known_ids import KnownIds
from bot.limits import clean_name
from bot.models import Community


async def resolve(conn: AsyncConnection, sql: BatchSql, known: KnownIds, batch: Batch) -> None:
    """Community ids, deliveries (with what may have changed: closing, time zone) and known learners."""
    requests = batch.requests
    for r in requests:
        key = (r.actor.platform, r.actor.community_id)
        if key not in batch.communities:
            # Looked up, not created: a community with no row has no delivery to answer, and a refused
            # answer must leave nothing behind.
            batch.communities[key] = known.communities.get(key) or (await conn.execute(
                select(Community.id).where(Community.platform == key[0], Community.external_id == key[1]))).scalar()
    unknown_posts = {r.post_id for r in requests if r.post_id is not None and r.post_id not in known.post_deliveries}
    post_delivery: dict[int, int | None] = dict((await conn.execute(sql.posts.where(
        sql.posts.selected_columns.id.in_(unknown_posts)))).all()) if unknown_posts else {}
    for r in requests:
        if r.post_id is not None:
            r.delivery_id = known.post_deliveries.get(r.post_id) or post_delivery.get(r.post_id)
    ids = {r.delivery_id for r in requests if r.delivery_id is not None}
    deliveries = {d.id: answering.DeliveryFacts(*d._tuple()) for d in (await conn.execute(sql.deliveries.where(
        sql.deliveries.selected_columns.id.in_(ids)))).all()} if ids else {}
    pairs: set[tuple[int, str]] = set()
    for r in requests:
        r.delivery = deliveries.get(r.delivery_id)
        cid = batch.communities[(r.actor.platform, r.actor.community_id)]
        if cid is None:
            continue  # no community, so no delivery of it: refused as not open here
        r.learner_id = known.learners.get((cid, r.actor.user_id))
        if r.learner_id is None:
            pairs.add((cid, r.actor.user_id))
        if r.delivery is not None and r.delivery.community_id == cid:
            r.community = CommunityRef(cid, r.delivery.timezone)
    if pairs:
        found = {(c, u): i for c, u, i in (await conn.execute(sql.learners.where(sql.learner_key.in_(pairs)))).tuples()}
        for r in requests:
            if r.learner_id is None:
                r.learner_id = found.get((batch.communities[(r.actor.platform, r.actor.community_id)], r.actor.user_id))


async def add_learners(conn: AsyncConnection, sql: BatchSql, requests: list[Request]) -> None:
    """Learners answering for the first time (with their stats row); each request gets its learner id."""
    if not requests:
        return
    communities = [filled(r.community, "community") for r in requests]  # judged open: matched to it
    rows = {(c.id, r.actor.user_id): {"community_id": c.id, "user_id": r.actor.user_id,
                                      "display_name": clean_name(r.actor.display_name), "created_at": r.now}
            for r, c in zip(requests, communities, strict=True)}
    ordered = [rows[k] for k in sorted(rows)]  # a fixed order: concurrent batches lock rows alike
    ids = {(c, u): i for c, u, i in (await conn.execute(sql.add_learners, ordered)).tuples()}
    await conn.execute(sql.add_stats, [{"learner_id": ids[k], "community_id": k[0]} for k in sorted(ids)])
    for r, c in zip(requests, communities, strict=True):
        r.learner_id = ids[(c.id, r.actor.user_id)]


def remember(known: KnownIds, batch: Batch) -> None:
    """After the commit: the ids this batch saw are facts now (see known_ids)."""
    for key, community_id in batch.communities.items():
        if community_id is not None:
            known.add(known.communities, key, community_id)
    for r in batch.requests:
        if r.community is not None and r.learner_id is not None:
            known.add(known.learners, (r.community.id, r.actor.user_id), r.learner_id)
        if r.post_id is not None and r.delivery is not None and r.delivery.post_status == PostStatus.POSTED:
            known.add(known.post_deliveries, r.post_id, r.delivery.id)

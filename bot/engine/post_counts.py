"""How many answers each daily post has, counted by the answer batch that changed it.

The group commit counts, in its own transaction and with one statement for all the batch's posts,
the posts its new answers went to, and reports them once the batch has committed. The live-count
service shows them on the platform; nothing polls the database for them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.content import Catalog
from bot.engine.answers import card_of
from bot.engine.ledger import CARD_COLUMNS, COMMUNITY, POST, SCHEDULE, post_card
from bot.models import Answer, table_of
from bot.views import PostCard

ANSWER = table_of(Answer)
# Post → its delivery's answers; the unique (delivery_id, learner_id) index serves the count.
POST_ANSWER_COUNTS = (select(POST.c.id, func.count(ANSWER.c.id))
                      .join(ANSWER, ANSWER.c.delivery_id == POST.c.delivery_id).group_by(POST.c.id))


@dataclass(frozen=True)
class PostCount:
    post_id: int
    answers: int


CountsReport = Callable[[list[PostCount]], None]  # told after the commit; must not block the answer path


async def count_post_answers(conn: AsyncConnection, delivery_ids: Iterable[int]) -> list[PostCount]:
    """The answer count of every post among these deliveries, in one statement."""
    ids = sorted(set(delivery_ids))
    if not ids:
        return []
    rows = await conn.execute(POST_ANSWER_COUNTS.where(POST.c.delivery_id.in_(ids)))
    return [PostCount(post_id, answers) for post_id, answers in rows.tuples()]


async def open_post_card(conn: AsyncConnection, catalog: Catalog, post_id: int) -> PostCard | None:
    """The daily post as sent (with its message reference), while it is posted and not yet revealed."""
    row = (await conn.execute(
        select(POST.c.id.label("post_id"), POST.c.local_date, POST.c.question_id, POST.c.delivery_id, POST.c.closes_at,
               POST.c.claim_token, POST.c.message_ref, *CARD_COLUMNS, COMMUNITY.c.external_id)
        .join(SCHEDULE, SCHEDULE.c.id == POST.c.schedule_id).join(COMMUNITY, COMMUNITY.c.id == POST.c.community_id)
        .where(POST.c.id == post_id, POST.c.status == "posted", POST.c.revealed_at.is_(None)))).first()
    if row is None or row.question_id not in catalog.questions:
        return None
    question = card_of(catalog, row.delivery_id, row.question_id, closes_at=row.closes_at)
    return post_card(row, row.external_id, row.post_id, row.local_date, question, row.closes_at,
                     row.claim_token or "", row.message_ref)

"""The answer path's memory-card step: every new graded answer of a batch reviews its learner's FSRS
card for the question (bot.domain.review), in the batch's transaction. Set-based: one read and one
upsert per batch, whatever its size."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db import Store
from bot.domain import review
from bot.engine.answer_batch import Stored
from bot.models import MemoryCard, table_of

CARD = table_of(MemoryCard)
CARD_FIELDS = tuple(f.name for f in fields(review.CardRow))
KEY = ("learner_id", "question_id")


class CardSql:
    def __init__(self, store: Store):
        self.cards = select(CARD.c.learner_id, CARD.c.question_id, *(CARD.c[name] for name in CARD_FIELDS))
        self.card_key = tuple_(CARD.c.learner_id, CARD.c.question_id)
        add = store.insert(CARD)
        self.put_cards = add.on_conflict_do_update(index_elements=list(KEY),
                                                   set_={name: add.excluded[name] for name in CARD_FIELDS})


async def review_answers(conn: AsyncConnection, sql: CardSql, new: Sequence[Stored], desired_retention: float) -> None:
    """Review each answer's card in arrival order (two answers to one question in a batch review it
    twice). The caller holds the learners' stats rows locked, so no other batch moves these cards."""
    if not new:
        return
    keys = sorted({(s.learner_id, s.answer.question_id) for s in new})
    rows = await conn.execute(sql.cards.where(sql.card_key.in_(keys)))
    cards: dict[tuple[int, str], review.CardRow] = {(r[0], r[1]): review.CardRow(*r[2:]) for r in rows.tuples()}
    for s in new:
        key = (s.learner_id, s.answer.question_id)
        rating = review.rating_for(s.answer.correct, s.request.typo)
        cards[key] = review.review(cards.get(key), rating, s.request.now, s.community.timezone, desired_retention)
    await conn.execute(sql.put_cards, [{"learner_id": k[0], "question_id": k[1], **{f: getattr(c, f) for f in CARD_FIELDS}}
                                       for k, c in sorted(cards.items())])

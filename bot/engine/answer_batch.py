"""What the group committer carries for one batch: each waiting answer (Request) and the batch's shared reads."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from bot.domain.answering import DeliveryFacts
from bot.engine.answers import AnswerRow
from bot.engine.identity import CommunityRef
from bot.engine.stats import Counters
from bot.views import Actor, Verdict


@dataclass(slots=True)
class Request:
    actor: Actor
    delivery_id: int | None  # None: found from post_id in the batch
    raw: str
    now: datetime
    future: asyncio.Future[Verdict]
    post_id: int | None = None
    result: Verdict | None = None
    error: Exception | None = None
    community: CommunityRef | None = None
    delivery: DeliveryFacts | None = None
    learner_id: int | None = None
    answer: AnswerRow | None = None  # a new answer this request adds, or the first one (a repeat)
    twin: Request | None = None  # an earlier request in the batch for the same delivery and learner
    typo: bool = False  # graded right only thanks to the fuzzy match: its memory card is rated Hard

    def done(self) -> bool:
        return self.result is not None or self.error is not None


@dataclass
class Batch:
    requests: list[Request]
    communities: dict[tuple[str, str], int | None] = field(default_factory=dict)  # None: no such community
    stats: dict[int, Counters] = field(default_factory=dict)


T = TypeVar("T")


def filled(value: T | None, what: str) -> T:
    """A request's field that an earlier step of the batch filled in (see GroupCommitter._commit's order)."""
    if value is None:  # cannot happen unless a step is reordered
        raise RuntimeError(f"an answer batch reached a step without its {what}")
    return value


@dataclass(frozen=True, slots=True)
class Stored:
    """A new answer this batch inserted, with what every later step reads of it."""

    request: Request
    answer: AnswerRow
    answer_id: int
    delivery: DeliveryFacts
    community: CommunityRef
    learner_id: int
    day: date  # the quiz day it counts for

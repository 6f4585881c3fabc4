"""When a daily question is open, when a slot is still worth sending, and when a failed send is
tried again. The poster and the front doors ask these; none of them reads a clock here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.statuses import OutcomeStatus, PostStatus

RETRY_DELAYS = (30, 60, 120, 300, 600, 900)  # seconds between send attempts inside the grace window


@dataclass(frozen=True)
class PostingPolicy:
    grace: timedelta = timedelta(hours=3)  # a slot missed longer ago than this is recorded as missed
    claim_timeout: timedelta = timedelta(minutes=2)  # a claim older than this was left by a crash
    send_timeout: timedelta = timedelta(seconds=45)  # well under claim_timeout, so a live claim is never retaken


def is_open(closes_at: datetime | None, now: datetime, closed_at: datetime | None = None) -> bool:
    """A question takes answers until it closes: at `closes_at`, or when its reveal closed it."""
    return closed_at is None and (closes_at is None or now < closes_at)


def within_grace(slot_at: datetime, now: datetime, policy: PostingPolicy) -> bool:
    """A slot this recent is still sent; an older one is recorded as missed (a stale question helps no one)."""
    return now - slot_at <= policy.grace


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1])


def retry_at(status: OutcomeStatus, attempts: int, retryable: bool, resume_at: datetime | None,
             slot_at: datetime, now: datetime, policy: PostingPolicy) -> datetime | None:
    """When an unsent slot is tried again: a deferral when the platform takes it, a failure after a
    back-off; None when it is not (not retryable, or past the grace window: it would post a stale question)."""
    if status == OutcomeStatus.DEFERRED:
        at = resume_at
    else:
        at = now + retry_delay(attempts) if retryable else None
    if at is not None and at > slot_at + policy.grace:
        return None
    return at


def is_stale_claim(status: str, claimed_at: datetime | None, now: datetime, policy: PostingPolicy) -> bool:
    """A claim this old was left by a crash (a live one is sent well within the claim timeout)."""
    return status == PostStatus.CLAIMED and claimed_at is not None and claimed_at <= now - policy.claim_timeout


def may_retake(status: str, slot_at: datetime, has_delivery: bool, claimed_at: datetime | None,
               next_attempt_at: datetime | None, now: datetime, policy: PostingPolicy) -> bool:
    """A ledger row is taken over only when its claim was left by a crash or its failed send is due again,
    inside the grace window."""
    if slot_at < now - policy.grace or not has_delivery:
        return False
    if status == PostStatus.CLAIMED:
        return is_stale_claim(status, claimed_at, now, policy)
    if status == PostStatus.FAILED:
        return next_attempt_at is not None and next_attempt_at <= now
    return False


def closes_at(now: datetime, open_minutes: int | None, next_slot_at: datetime | None) -> datetime:
    """A post is open for `open_minutes`, else until the schedule's next post (a day when there is none)."""
    if open_minutes:
        return now + timedelta(minutes=open_minutes)
    return next_slot_at if next_slot_at is not None else now + timedelta(days=1)

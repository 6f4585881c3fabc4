"""Posting policy on plain values: when a question is open, a slot still worth sending, a retry due."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import posting
from bot.domain.posting import PostingPolicy, is_open, may_retake, retry_at, retry_delay, within_grace
from bot.domain.statuses import OutcomeStatus, PostStatus

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
POLICY = PostingPolicy()
SECOND = timedelta(seconds=1)


def test_open_until_closes_at_and_never_after_a_close():
    assert is_open(None, NOW)  # a lesson question never closes
    assert is_open(NOW + SECOND, NOW)
    assert not is_open(NOW, NOW)  # the closing instant is closed
    assert not is_open(NOW - SECOND, NOW)
    assert not is_open(NOW + SECOND, NOW, closed_at=NOW - SECOND)  # its reveal closed it early
    assert not is_open(None, NOW, closed_at=NOW)


def test_grace_window_edges():
    assert within_grace(NOW - POLICY.grace, NOW, POLICY)
    assert not within_grace(NOW - POLICY.grace - SECOND, NOW, POLICY)
    assert within_grace(NOW + SECOND, NOW, POLICY)  # an admin's post for a later slot


def test_retry_delays_grow_and_level_off():
    assert [retry_delay(n).total_seconds() for n in (0, 1, 2, 3, 6, 50)] == [30, 30, 60, 120, 900, 900]


def test_a_failed_send_backs_off_inside_the_grace_window():
    slot = NOW
    assert retry_at(OutcomeStatus.FAILED, 2, True, None, slot, NOW, POLICY) == NOW + timedelta(seconds=60)
    assert retry_at(OutcomeStatus.FAILED, 2, False, None, slot, NOW, POLICY) is None  # e.g. a deleted channel
    late = NOW + POLICY.grace - timedelta(seconds=10)
    assert retry_at(OutcomeStatus.FAILED, 1, True, None, slot, late, POLICY) is None  # would post past the grace


def test_a_deferred_send_resumes_when_the_platform_says():
    resume = NOW + timedelta(seconds=7)
    assert retry_at(OutcomeStatus.DEFERRED, 5, True, resume, NOW, NOW, POLICY) == resume
    assert retry_at(OutcomeStatus.DEFERRED, 5, True, NOW + POLICY.grace + SECOND, NOW, NOW, POLICY) is None


def test_only_a_crashed_claim_or_a_due_retry_is_retaken():
    stale, fresh = NOW - POLICY.claim_timeout, NOW - POLICY.claim_timeout + SECOND
    assert may_retake(PostStatus.CLAIMED, NOW, True, stale, None, NOW, POLICY)
    assert not may_retake(PostStatus.CLAIMED, NOW, True, fresh, None, NOW, POLICY)  # still being sent
    assert may_retake(PostStatus.FAILED, NOW, True, None, NOW, NOW, POLICY)
    assert not may_retake(PostStatus.FAILED, NOW, True, None, NOW + SECOND, NOW, POLICY)  # backing off
    assert not may_retake(PostStatus.FAILED, NOW, True, None, None, NOW, POLICY)  # failed for good
    assert not may_retake(PostStatus.POSTED, NOW, True, None, None, NOW, POLICY)
    assert not may_retake(PostStatus.FAILED, NOW, False, None, NOW, NOW, POLICY)  # its delivery is gone
    old = NOW - POLICY.grace - SECOND
    assert not may_retake(PostStatus.CLAIMED, old, True, stale, None, NOW, POLICY)


def test_a_stale_claim_is_only_a_claim():
    old = NOW - POLICY.claim_timeout
    assert posting.is_stale_claim(PostStatus.CLAIMED, old, NOW, POLICY)
    assert not posting.is_stale_claim(PostStatus.FAILED, old, NOW, POLICY)
    assert not posting.is_stale_claim(PostStatus.CLAIMED, None, NOW, POLICY)


def test_a_post_closes_after_its_minutes_or_at_the_next_post():
    nxt = NOW + timedelta(days=2)
    assert posting.closes_at(NOW, 30, nxt) == NOW + timedelta(minutes=30)
    assert posting.closes_at(NOW, None, nxt) == nxt
    assert posting.closes_at(NOW, None, None) == NOW + timedelta(days=1)


def test_statuses_equal_their_stored_strings():
    assert PostStatus.POSTED == "posted" and f"{OutcomeStatus.DEFERRED}" == "deferred"

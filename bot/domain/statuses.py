"""The statuses the core stores and reports. StrEnum values equal the stored strings, so database
rows, comparisons with plain strings and JSON output are unchanged."""
from __future__ import annotations

from enum import StrEnum


class VerdictStatus(StrEnum):
    NEW = "new"  # counted now
    REPEAT = "repeat"  # answered before: the first verdict again, nothing changed
    CLOSED = "closed"  # the question no longer takes answers


class DeliveryKind(StrEnum):
    LESSON = "lesson"
    PRACTICE = "practice"
    POST = "post"  # a daily question posted to a channel
    REVIEW = "review"  # a due memory card, given to its learner: keeps the streak, pays no points


# Questions a learner was given alone: each pays once per learner, however often it is given.
PERSONAL_KINDS = frozenset({DeliveryKind.LESSON, DeliveryKind.PRACTICE})


class PostStatus(StrEnum):
    """A row of the posting ledger (one per schedule and local date)."""

    CLAIMED = "claimed"  # a process is sending it
    POSTED = "posted"
    FAILED = "failed"  # retried after a back-off while inside the grace window
    MISSED = "missed"  # the bot was down past the grace window
    SKIPPED = "skipped"  # an admin skipped the day


class RecapStatus(StrEnum):
    """A row of the recap ledger (one per schedule and week)."""

    CLAIMED = "claimed"
    POSTED = "posted"
    FAILED = "failed"  # retried after a back-off while inside the grace window
    EMPTY = "empty"  # nobody answered that week: nothing was sent


class OutcomeStatus(StrEnum):
    """What one scheduler pass did with one slot."""

    POSTED = "posted"
    FAILED = "failed"
    DEFERRED = "deferred"  # rate limited: tried again later, no attempt spent
    MISSED = "missed"
    REVEALED = "revealed"
    RECAPPED = "recapped"  # a weekly recap was sent

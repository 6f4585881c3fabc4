"""Ids the answer path would otherwise look up in every batch, kept in this process's memory.

Only facts that cannot change once committed are kept: a community's id for its platform and
external id, a learner's id for its community and user id, and the delivery behind a daily post
that has been posted. None of these rows is ever deleted or re-pointed (a posted post is never
removed and keeps its delivery), so another process cannot make an entry wrong. What other
processes or admins can change — closing times, time zones, the posted-days calendar, counters —
is read inside each batch's transaction instead.

Entries are added only after the transaction that saw them has committed, and everything is
dropped when a batch fails, so an id from a rolled-back insert is never used.
"""
from __future__ import annotations

LIMIT = 200_000  # per table; a full table is simply emptied (cheap, and it refills from the database)


class KnownIds:
    def __init__(self) -> None:
        self.communities: dict[tuple[str, str], int] = {}  # (platform, external id) -> community id
        self.learners: dict[tuple[int, str], int] = {}  # (community id, user id) -> learner id
        self.post_deliveries: dict[int, int] = {}  # posted post id -> its delivery id

    @staticmethod
    def add(table: dict, key, value) -> None:
        if len(table) >= LIMIT and key not in table:
            table.clear()
        table[key] = value

    def forget(self) -> None:
        self.communities.clear()
        self.learners.clear()
        self.post_deliveries.clear()

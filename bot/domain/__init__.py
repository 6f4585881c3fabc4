"""The rules, over plain values: grading and question kinds, streaks, the quiz calendar, answering
(judge, award, advance), the posting policy and the statuses they speak of.

Nothing here does I/O, reads the clock or knows the database: callers pass `now` and the facts a
rule needs, so every rule is tested without a database or an event loop.
"""

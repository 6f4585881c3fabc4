"""How big each scenario is: the full run (the issue's numbers), --quick, and the hidden --tiny (smoke tests)."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Sizes:
    profile: str
    # 1. answers
    learners: int  # concurrent simulated learners
    posts: int  # open daily posts (one channel each); every learner answers every post
    sequential_answers: int  # extra answers made one at a time (no queueing): the engine's service time
    floor_rows_min: int  # the raw-driver floor commits at least this many rows
    # 2. leaderboard
    board_learners: int
    board_answers: int
    board_days: int
    board_channels: int
    board_runs: int  # timed calls per period
    # 3. fan-out
    fanout_schedules: int
    fanout_per_community: int
    limited_schedules: int  # the rate-limited part (kept bounded: every tick walks every schedule)
    # 4. content
    content_runs: int
    help_runs: int
    # 5. open loop (answers arriving as a Poisson process after the daily posts)
    open_loop_seconds: float  # how long answers arrive, at each rate
    open_loop_rates: tuple[float, ...] = (100.0, 300.0)  # answers a second (the two loads)
    open_loop_posts: int = 3  # daily posts open at once, one channel each
    # 6. spaced review
    review_learners: int = 10_000  # learners with memory cards in one community
    review_cards: int = 30  # cards per learner
    review_runs: int = 200  # timed "what is due" calls; as many learners answer a review and a practice question

    def as_dict(self) -> dict:
        return asdict(self)


FULL = Sizes("full", learners=1000, posts=3, sequential_answers=300, floor_rows_min=3000, open_loop_seconds=30,
             board_learners=100_000, board_answers=2_000_000, board_days=90, board_channels=3, board_runs=20,
             fanout_schedules=10_000, fanout_per_community=10, limited_schedules=1000,
             content_runs=9, help_runs=5)
QUICK = Sizes("quick", learners=100, posts=3, sequential_answers=100, floor_rows_min=2000, open_loop_seconds=5,
              board_learners=10_000, board_answers=200_000, board_days=90, board_channels=3, board_runs=20,
              fanout_schedules=1000, fanout_per_community=10, limited_schedules=200,
              content_runs=7, help_runs=5, review_learners=2_000, review_runs=100)
TINY = Sizes("tiny", learners=30, posts=2, sequential_answers=20, floor_rows_min=300, open_loop_seconds=1,
             board_learners=2000, board_answers=20_000, board_days=30, board_channels=2, board_runs=5,
             fanout_schedules=60, fanout_per_community=10, limited_schedules=60,
             content_runs=3, help_runs=2, review_learners=200, review_cards=10, review_runs=20)

PROFILES = {s.profile: s for s in (FULL, QUICK, TINY)}

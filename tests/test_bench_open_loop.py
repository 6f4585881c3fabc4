"""The open-loop benchmark's load: Poisson arrivals that are reproducible and never repeat a
(learner, post) pair, and a pacer that starts each answer without waiting for earlier ones."""
from __future__ import annotations

import asyncio
import math

from bot.bench.open_loop import pace, poisson_arrivals


def test_arrivals_are_reproducible_ordered_and_inside_the_window():
    first, learners = poisson_arrivals(300, 5, 3, seed=300)
    again, _ = poisson_arrivals(300, 5, 3, seed=300)
    other, _ = poisson_arrivals(300, 5, 3, seed=301)
    assert first == again and first != other
    instants = [a.at for a in first]
    assert instants == sorted(instants) and 0 < instants[0] and instants[-1] < 5
    assert learners == math.ceil(len(first) / 3)


def test_each_learner_answers_each_post_at_most_once():
    arrivals, learners = poisson_arrivals(100, 30, 3, seed=100)
    pairs = [(a.learner, a.post) for a in arrivals]
    assert len(set(pairs)) == len(pairs)
    assert {a.post for a in arrivals} == {0, 1, 2}
    assert all(0 <= a.learner < learners for a in arrivals)


def test_arrival_count_follows_the_rate():
    # A Poisson count over 30 s at 100/s has mean 3,000 and standard deviation ~55: six of them either side.
    counts = [len(poisson_arrivals(100, 30, 3, seed=s)[0]) for s in range(5)]
    assert all(3000 - 330 < n < 3000 + 330 for n in counts), counts


def test_the_pacer_starts_answers_while_earlier_ones_wait():
    """An open loop: the first answer cannot finish until the last has started. A pacer that waited for
    replies (a closed loop) would never start the last one, and the test would time out."""
    last_started = None
    started: list[int] = []

    async def answer(n: int, due: float) -> None:
        started.append(n)
        if n == 0:
            await last_started.wait()
        elif n == 4:
            last_started.set()

    async def main() -> list[float]:
        nonlocal last_started
        last_started = asyncio.Event()
        return await asyncio.wait_for(pace([0.0, 0.001, 0.002, 0.003, 0.004], answer), timeout=60)

    lags = asyncio.run(main())
    assert started == [0, 1, 2, 3, 4]
    assert len(lags) == 5 and all(lag >= 0 for lag in lags)

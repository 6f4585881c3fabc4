"""The item statistics' definitions on small hand-made response sets (no database)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import item_stats as ist

KEY = ist.ItemKey("q", ("a", "b", "c"), frozenset({"a"}))


def test_first_attempts_keep_the_earliest_answer_and_its_time():
    t = datetime(2026, 1, 1, tzinfo=UTC)
    log = [ist.LoggedAnswer(2, 1, "q", True, "a", t + timedelta(seconds=50), t),
           ist.LoggedAnswer(1, 1, "q", False, "b", t + timedelta(seconds=20), t),
           ist.LoggedAnswer(3, 2, "q", True, "a", t, None)]
    got = sorted(ist.first_attempts(log), key=lambda r: r.learner)
    assert [(r.correct, r.seconds) for r in got] == [(False, 20.0), (True, None)]


def test_efficiency_is_one_when_the_item_orders_learners_as_the_rest_does():
    # Moodle: cov(x, rest) / cov(sorted x, sorted rest): 1 when both orders agree.
    assert ist.efficiency([0, 0, 1, 1], [1, 2, 3, 4]) == pytest.approx(1.0)
    assert ist.efficiency([1, 1, 0, 0], [1, 2, 3, 4]) == pytest.approx(-1.0)
    assert ist.correlation([0, 0, 0], [1, 2, 3]) is None  # no variance: no index


def figures(attempts: int, facility: float, discrimination: float, shares=(0.6, 0.3, 0.1), top=(0.9, 0.1, 0.0)):
    choices = tuple(ist.ChoiceFigures(c, c == "a", s, t) for c, s, t in zip("abc", shares, top, strict=True))
    return ist.ItemFigures("q", attempts, attempts, facility, 0.4, 1 / 3, discrimination, 0.3, 0.5, choices, None)


def test_flags_wait_for_thirty_first_attempts_and_dead_distractors_for_fifty():
    assert ist.flags(figures(29, 0.99, -0.5)) == ()
    assert [f.code for f in ist.flags(figures(30, 0.99, 0.3))] == ["too_easy"]
    assert [f.code for f in ist.flags(figures(40, 0.6, 0.3, shares=(0.6, 0.38, 0.02)))] == []
    assert [f.code for f in ist.flags(figures(50, 0.6, 0.3, shares=(0.6, 0.38, 0.02)))] == ["dead_distractor"]


def test_below_chance_is_too_hard_and_a_distractor_the_top_prefers_is_named():
    hard = ist.flags(figures(30, 0.3, 0.3))  # 30% < 1/3: worse than guessing
    assert [f.code for f in hard] == ["too_hard"] and "guessing alone would score 33%" in hard[0].reason
    miskey = ist.flags(figures(30, 0.5, 0.05, top=(0.2, 0.7, 0.1)))
    assert [f.code for f in miskey] == ["low_discrimination", "top_prefers_distractor"]
    assert "choice 2 (70%)" in miskey[1].reason


def test_groups_round_half_up_and_keep_at_least_one():
    assert [ist.group_size(n, 0.27) for n in (0, 1, 2, 10, 100)] == [0, 1, 1, 3, 27]

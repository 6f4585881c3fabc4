"""The weekly recap's figures, over plain answer facts: which week a recap covers, participation per
day, the top learners and groups, the hardest question and the most improved learner.

The engine reads the facts (the answers to one schedule's daily posts) and keeps only the SQL.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.slots import WEEKDAYS, parse_weekdays
from bot.errors import BadInput

DEFAULT_RECAP_DAY = "mon"
TOP_LEARNERS = 5
TOP_GROUPS = 3
IMPROVED_MIN_ANSWERS = 3  # in each of the two weeks: a rise from one lucky answer is no rise


@dataclass(frozen=True)
class AnswerFact:
    learner_id: int
    name: str
    group: str | None  # the learner's study group now (groups are ranked by their present members)
    day: date  # the quiz day (community zone)
    correct: bool
    points: int
    question_id: str


@dataclass(frozen=True)
class Tally:
    key: str  # a learner id as text, or a group name
    name: str
    points: int
    answers: int
    correct: int

    @property
    def share(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class Improvement:
    learner_id: int
    name: str
    before: float
    after: float


def parse_recap_day(text: str | None) -> str | None:
    """'mon'..'sun' (or a longer name), 'off' → None. One day only."""
    value = (text or "").strip().lower()
    if value in ("off", "none", "no"):
        return None
    days = parse_weekdays(value)
    if len(days) != 1:
        raise BadInput("The recap goes out on one day a week: a weekday such as mon, or off.", field="recap")
    return days[0]


def recap_week(recap_day: date) -> tuple[date, date]:
    """A recap posted on `recap_day` covers the seven quiz days before it (first and last day)."""
    return recap_day - timedelta(days=7), recap_day - timedelta(days=1)


def per_day(facts: Iterable[AnswerFact], first: date) -> tuple[tuple[date, int, int], ...]:
    """(day, answers, correct) for each of the seven days from `first`, unanswered days included."""
    counts = {first + timedelta(days=i): [0, 0] for i in range(7)}
    for f in facts:
        if f.day in counts:
            counts[f.day][0] += 1
            counts[f.day][1] += f.correct
    return tuple((day, n, c) for day, (n, c) in counts.items())


def _ranked(tallies: dict[str, Tally], limit: int) -> tuple[Tally, ...]:
    return tuple(sorted(tallies.values(), key=lambda t: (-t.points, -t.correct, t.name.casefold(), t.key))[:limit])


def _add(tallies: dict[str, Tally], key: str, name: str, f: AnswerFact) -> None:
    t = tallies.get(key) or Tally(key, name, 0, 0, 0)
    tallies[key] = Tally(key, t.name, t.points + f.points, t.answers + 1, t.correct + f.correct)


def top_learners(facts: Iterable[AnswerFact], limit: int = TOP_LEARNERS) -> tuple[Tally, ...]:
    """Most points this week; ties by correct answers, then name."""
    tallies: dict[str, Tally] = {}
    for f in facts:
        _add(tallies, str(f.learner_id), f.name, f)
    return _ranked(tallies, limit)


def top_groups(facts: Iterable[AnswerFact], limit: int = TOP_GROUPS) -> tuple[Tally, ...]:
    """Study groups by their members' points this week (learners in no group are left out)."""
    tallies: dict[str, Tally] = {}
    for f in facts:
        if f.group is not None:
            _add(tallies, f.group, f.group, f)
    return _ranked(tallies, limit)


def hardest_question(facts: Iterable[AnswerFact]) -> tuple[str, int, int] | None:
    """(question id, answers, correct) with the lowest share correct; ties: more answers, then id."""
    tallies: dict[str, Tally] = {}
    for f in facts:
        _add(tallies, f.question_id, f.question_id, f)
    if not tallies:
        return None
    worst = min(tallies.values(), key=lambda t: (t.share, -t.answers, t.key))
    return worst.key, worst.answers, worst.correct


def most_improved(this_week: Iterable[AnswerFact], week_before: Iterable[AnswerFact],
                  min_answers: int = IMPROVED_MIN_ANSWERS) -> Improvement | None:
    """The largest rise in share correct over the week before, among learners with at least
    `min_answers` answers in each week; None when nobody rose. Ties: the larger share now, then name."""
    now = {t.key: t for t in top_learners(this_week, limit=1 << 30)}
    before = {t.key: t for t in top_learners(week_before, limit=1 << 30)}
    rises = [(t.share - before[key].share, t) for key, t in now.items()
             if key in before and t.answers >= min_answers and before[key].answers >= min_answers]
    rises = [(rise, t) for rise, t in rises if rise > 0]
    if not rises:
        return None
    rise, best = min(rises, key=lambda item: (-item[0], -item[1].share, item[1].name.casefold(), item[1].key))
    return Improvement(int(best.key), best.name, before[best.key].share, best.share)


def weekday_of(day: date) -> str:
    return WEEKDAYS[day.weekday()]

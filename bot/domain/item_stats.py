"""Item analysis over plain values: how each question behaves, from learners' first answers to it.

The figures follow Moodle's quiz statistics report (question/classes/statistics/questions/calculator.php),
with a learner's first attempts at the questions standing in for one quiz attempt:
- facility index: the mean mark over the maximum, i.e. the share of first attempts that were right;
- SD: the sample standard deviation of the item's mark (n - 1);
- random guess score: 1 / the number of choices (0 for free text);
- discrimination index: the Pearson correlation of the item's mark with the learner's total on the OTHER
  items (Moodle's "other marks": the total minus this item), i.e. the corrected item-total point-biserial;
- discriminative efficiency: that covariance over the largest covariance the two distributions allow,
  Cmax, which Moodle gets by pairing both lists sorted in the same order;
- Moodle marks a question "dubious" when its discriminative efficiency is below 15%.
Moodle shows these as percentages; here they are fractions (0.42 is Moodle's 42.00%).

Beside them, the classic upper/lower 27% discrimination index (Kelley): the share right among the 27%
of the item's learners with the highest totals minus that among the 27% with the lowest, and each
choice's share among all learners and among the top quarter by total, which is what reveals a likely
miskeyed question or a distractor nobody takes. A total is the learner's count of right first answers
(Moodle's sum of marks); ties are broken by learner id, so the groups are reproducible.
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

MIN_ATTEMPTS = 30  # no flag from fewer first attempts: the figures are noise below that
MIN_ATTEMPTS_DEAD = 50  # a distractor is "dead" only with this many attempts behind it
TOO_EASY = 0.95
TOO_HARD = 0.25
LOW_DISCRIMINATION = 0.1
DEAD_SHARE = 0.03
MOODLE_DUBIOUS_EFFICIENCY = 0.15
TOP_SHARE = 0.25  # the top quarter, for choice shares
KELLEY_SHARE = 0.27  # upper and lower groups of the discrimination index


@dataclass(frozen=True, slots=True)
class LoggedAnswer:
    """One row of the answer log, with when the question was shown (None: the door does not know)."""

    answer_id: int
    learner: int
    question: str
    correct: bool
    choice: str | None
    answered_at: datetime
    shown_at: datetime | None


@dataclass(frozen=True, slots=True)
class Response:
    """A learner's first answer to a question."""

    learner: int
    question: str
    correct: bool
    choice: str | None
    seconds: float | None  # from shown to answered, when known


@dataclass(frozen=True, slots=True)
class ItemKey:
    """What grading needs of a question: its choices in order (none for free text) and the right one(s)."""

    question: str
    choices: tuple[str, ...]
    keys: frozenset[str]

    @property
    def chance(self) -> float:
        """Moodle's random guess score."""
        return 1 / len(self.choices) if self.choices else 0.0


@dataclass(frozen=True, slots=True)
class ChoiceFigures:
    choice: str
    is_key: bool
    share: float  # of all first attempts
    top_share: float  # of the top quarter's first attempts


@dataclass(frozen=True, slots=True)
class ItemFigures:
    question: str
    attempts: int  # first attempts (learners)
    answers: int  # every answer in the log, repeats included
    facility: float | None
    sd: float | None
    chance: float
    discrimination: float | None  # corrected item-total point-biserial
    upper_lower: float | None  # 27% upper minus lower
    efficiency: float | None  # discriminative efficiency
    choices: tuple[ChoiceFigures, ...]
    median_seconds: float | None

    @property
    def moodle_dubious(self) -> bool:
        return self.efficiency is not None and self.efficiency < MOODLE_DUBIOUS_EFFICIENCY


@dataclass(frozen=True, slots=True)
class Flag:
    code: str  # too_easy | too_hard | low_discrimination | top_prefers_distractor | dead_distractor
    reason: str


def first_attempts(log: Iterable[LoggedAnswer]) -> list[Response]:
    """Each learner's first answer to each question (earliest, then lowest id), in no particular order."""
    first: dict[tuple[int, str], LoggedAnswer] = {}
    for row in log:
        key = (row.learner, row.question)
        seen = first.get(key)
        if seen is None or (row.answered_at, row.answer_id) < (seen.answered_at, seen.answer_id):
            first[key] = row
    return [Response(r.learner, r.question, r.correct, r.choice, _seconds(r)) for r in first.values()]


def _seconds(row: LoggedAnswer) -> float | None:
    if row.shown_at is None or row.answered_at < row.shown_at:
        return None
    return (row.answered_at - row.shown_at).total_seconds()


def totals(responses: Iterable[Response]) -> dict[int, int]:
    """Each learner's count of right first answers."""
    out: dict[int, int] = defaultdict(int)
    for r in responses:
        out[r.learner] += int(r.correct)
    return dict(out)


def group_size(n: int, share: float) -> int:
    """How many of n learners a top/bottom group holds: the share rounded half up, at least one."""
    return max(1, int(n * share + 0.5)) if n else 0


def analyse(responses: Sequence[Response], keys: Mapping[str, ItemKey],
            answers: Mapping[str, int] | None = None) -> dict[str, ItemFigures]:
    """Figures for every question in `keys` that has a first attempt. `answers`: all log rows per question."""
    total = totals(responses)
    by_item: dict[str, list[Response]] = defaultdict(list)
    for r in responses:
        if r.question in keys:
            by_item[r.question].append(r)
    return {q: item_figures(keys[q], rows, total, (answers or {}).get(q, len(rows))) for q, rows in by_item.items()}


def item_figures(key: ItemKey, rows: Sequence[Response], total: Mapping[int, int], answers: int) -> ItemFigures:
    n = len(rows)
    marks = [float(r.correct) for r in rows]
    rest = [float(total[r.learner] - r.correct) for r in rows]
    ranked = sorted(rows, key=lambda r: (-total[r.learner], r.learner))
    top = ranked[:group_size(n, TOP_SHARE)]
    times = [r.seconds for r in rows if r.seconds is not None]
    return ItemFigures(
        question=key.question, attempts=n, answers=answers, facility=_mean(marks), sd=_sd(marks),
        chance=key.chance, discrimination=correlation(marks, rest), upper_lower=upper_lower(ranked),
        efficiency=efficiency(marks, rest), choices=_choice_shares(key, rows, top),
        median_seconds=statistics.median(times) if times else None)


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _sd(xs: Sequence[float]) -> float | None:
    if len(xs) < 2:
        return None
    mean = sum(xs) / len(xs)
    return math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1))


def _covariance_sum(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when either side does not vary (or fewer than two pairs)."""
    if len(xs) < 2:
        return None
    vx, vy = _covariance_sum(xs, xs), _covariance_sum(ys, ys)
    if vx <= 0 or vy <= 0:
        return None
    return _covariance_sum(xs, ys) / math.sqrt(vx * vy)


def efficiency(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Moodle's discriminative efficiency: cov(x, y) / cov(sorted x, sorted y); None when the latter is 0."""
    if len(xs) < 2:
        return None
    most = _covariance_sum(sorted(xs), sorted(ys))
    return _covariance_sum(xs, ys) / most if most > 0 else None


def upper_lower(ranked: Sequence[Response]) -> float | None:
    """Share right in the upper 27% minus the lower 27% (`ranked`: best total first); None under 2 learners."""
    n = len(ranked)
    if n < 2:
        return None
    k = min(group_size(n, KELLEY_SHARE), n // 2)
    upper, lower = ranked[:k], ranked[n - k:]
    return (sum(r.correct for r in upper) - sum(r.correct for r in lower)) / k


def _choice_shares(key: ItemKey, rows: Sequence[Response], top: Sequence[Response]) -> tuple[ChoiceFigures, ...]:
    def share(group: Sequence[Response], choice: str) -> float:
        return sum(r.choice == choice for r in group) / len(group) if group else 0.0
    return tuple(ChoiceFigures(c, c in key.keys, share(rows, c), share(top, c)) for c in key.choices)


def flags(figures: ItemFigures) -> tuple[Flag, ...]:
    """What an admin should look at, each with a plain reason; nothing under MIN_ATTEMPTS first attempts."""
    f = figures
    if f.attempts < MIN_ATTEMPTS or f.facility is None:
        return ()
    out: list[Flag] = []
    if f.facility >= TOO_EASY:
        out.append(Flag("too_easy", f"Too easy: {_pct(f.facility)} of first answers are right."))
    if f.facility <= TOO_HARD or f.facility < f.chance:
        below = f" (guessing alone would score {_pct(f.chance)})" if f.facility < f.chance else ""
        out.append(Flag("too_hard", f"Too hard: only {_pct(f.facility)} of first answers are right{below}."))
    if f.discrimination is not None and f.discrimination < LOW_DISCRIMINATION:
        how = ("weaker learners do better than stronger ones" if f.discrimination < 0
               else "stronger and weaker learners do about equally well")
        out.append(Flag("low_discrimination", f"Low discrimination ({f.discrimination:+.2f}): {how}."))
    out += _choice_flags(f)
    return tuple(out)


def _choice_flags(f: ItemFigures) -> list[Flag]:
    out: list[Flag] = []
    key_top = max((c.top_share for c in f.choices if c.is_key), default=0.0)
    for number, c in enumerate(f.choices, 1):
        if c.is_key:
            continue
        if c.top_share > key_top:
            out.append(Flag("top_prefers_distractor",
                            f"The top quarter picks choice {number} ({_pct(c.top_share)}) more than the key "
                            f"({_pct(key_top)}): likely miskeyed or ambiguous."))
        if f.attempts >= MIN_ATTEMPTS_DEAD and c.share < DEAD_SHARE:
            out.append(Flag("dead_distractor", f"Choice {number} is almost never picked ({_pct(c.share)}): "
                                               "replace it with a plausible wrong answer."))
    return out


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"

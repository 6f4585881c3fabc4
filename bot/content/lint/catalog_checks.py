"""Checks across questions: where keys sit and how long they are, per lesson and for the whole catalog,
and stems that ask the same thing twice. Pure functions over located questions."""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.content.lint.question_checks import QuestionAt, key_stats
from bot.content.lint.rules import Finding
from bot.content.lint.words import STOP_WORDS, words
from bot.content.schema import SingleChoiceQuestion

KEY_LONGEST_SHARE_MAX = 0.30  # chance is 1 in the number of options; a third or more is a pattern
CATALOG_RATIO_MAX = 1.15
POSITION_SHARE_MAX = 0.35
LESSON_MIN_SINGLE_CHOICE = 4  # shares over fewer questions are noise
CATALOG_MIN_SINGLE_CHOICE = 20
DUPLICATE_SCORE_MIN = 90  # rapidfuzz token_set_ratio of the prompts without stop words
DUPLICATE_MIN_WORDS = 3  # shorter prompts are subsets of too many others to compare
POSITION_LABELS = "ABCDEF"


@dataclass(frozen=True)
class KeyFigures:
    """Where single-choice keys sit and how long they are, over a lesson or the catalog."""

    single_choice: int
    key_longest: int
    mean_ratio: float | None
    positions: dict[str, int]

    @property
    def key_longest_share(self) -> float | None:
        return self.key_longest / self.single_choice if self.single_choice else None

    def crowded_positions(self) -> list[tuple[str, float]]:
        """Positions holding more than POSITION_SHARE_MAX of the keys, with their share."""
        if not self.single_choice:
            return []
        return [(label, n / self.single_choice) for label, n in self.positions.items()
                if n / self.single_choice > POSITION_SHARE_MAX]

    def as_dict(self) -> dict:
        share = self.key_longest_share
        return {"single_choice": self.single_choice, "key_longest": self.key_longest,
                "key_longest_share": round(share, 3) if share is not None else None,
                "mean_key_distractor_ratio": round(self.mean_ratio, 3) if self.mean_ratio is not None else None,
                "key_positions": self.positions}


def key_figures(questions: list[QuestionAt]) -> KeyFigures:
    stats = [key_stats(at.question) for at in questions if isinstance(at.question, SingleChoiceQuestion)]
    widest = max((len(at.question.choices) for at in questions if isinstance(at.question, SingleChoiceQuestion)),
                 default=0)
    counts = Counter(s.position for s in stats)
    return KeyFigures(single_choice=len(stats), key_longest=sum(s.key_longest for s in stats),
                      mean_ratio=statistics.fmean(s.ratio for s in stats) if stats else None,
                      positions={POSITION_LABELS[i]: counts.get(i, 0) for i in range(widest)})


def _positions_text(crowded: list[tuple[str, float]], figures: KeyFigures) -> str:
    return ", ".join(f"{label} holds {figures.positions[label]} of {figures.single_choice} keys ({share:.0%})"
                     for label, share in crowded)


def _crowding(figures: KeyFigures, path: str, line: int | None, longest_code: str, position_code: str) -> list[Finding]:
    """Too many keys that are the longest option, or on one position."""
    out = []
    share = figures.key_longest_share
    if share is not None and share > KEY_LONGEST_SHARE_MAX:
        out.append(Finding(longest_code, path, line, f"the key is the longest option in {figures.key_longest} of "
                           f"{figures.single_choice} single-choice questions ({share:.0%}; at most "
                           f"{KEY_LONGEST_SHARE_MAX:.0%})"))
    crowded = figures.crowded_positions()
    if crowded:
        out.append(Finding(position_code, path, line, f"{_positions_text(crowded, figures)}; at most "
                           f"{POSITION_SHARE_MAX:.0%} each"))
    return out


def check_lesson_keys(questions: list[QuestionAt], path: str, line: int | None) -> list[Finding]:
    figures = key_figures(questions)
    if figures.single_choice < LESSON_MIN_SINGLE_CHOICE:
        return []
    return _crowding(figures, path, line, "LESSON-KEY-LONGEST", "LESSON-KEY-POSITION")


def check_catalog_keys(figures: KeyFigures, path: str) -> list[Finding]:
    if figures.single_choice < CATALOG_MIN_SINGLE_CHOICE:
        return []
    out = _crowding(figures, path, None, "CATALOG-KEY-LONGEST", "CATALOG-KEY-POSITION")
    if figures.mean_ratio is not None and figures.mean_ratio > CATALOG_RATIO_MAX:
        out.append(Finding("CATALOG-KEY-RATIO", path, None, f"keys are on average {figures.mean_ratio:.2f}x the mean "
                           f"distractor length (at most {CATALOG_RATIO_MAX})"))
    return out


def _stem_words(prompt: str) -> str:
    return " ".join(w for w in words(prompt) if w not in STOP_WORDS)


def duplicate_stems(questions: list[QuestionAt]) -> list[tuple[Finding, QuestionAt]]:
    """Each later question whose prompt nearly repeats an earlier one, with that earlier question."""
    stems = [(at, _stem_words(at.question.prompt)) for at in questions]
    out = []
    for j, (later, later_stem) in enumerate(stems):
        if len(later_stem.split()) < DUPLICATE_MIN_WORDS:
            continue
        for earlier, earlier_stem in stems[:j]:
            if len(earlier_stem.split()) < DUPLICATE_MIN_WORDS:
                continue
            score = fuzz.token_set_ratio(later_stem, earlier_stem, score_cutoff=DUPLICATE_SCORE_MIN)
            if score:
                out.append((later.finding("DUPLICATE-STEM", f"the prompt nearly repeats '{earlier.question.id}' "
                                          f"({earlier.path}:{earlier.line()}; similarity {score:.0f})"), earlier))
    return out

"""Numeric questions: the learner types a number, right when it falls inside one of the answers' bands
(a value give or take its tolerance, or a range), as Moodle's numerical questions grade.

Read generously: "3.14", "3,14" (a decimal comma), "1,000" (thousands), "6.02e23", "-2", with words
around them ("about 42 kg"). Several numbers ("3 or 4") are right only when every one of them is. A
number just outside the band, within one more band's width (or 1% of the answer when the band is a
single point), is "close".
"""
from __future__ import annotations

import math
import re

from bot.content.schema import NumericAnswer, NumericQuestion
from bot.domain.grading.answer_text import has_non_answer, normalise, says_nothing
from bot.domain.grading.grades import MAX_ANSWER_CHARS, NON_ANSWER, WRONG, Grade
from bot.domain.kinds.base import Kind, Reading, given_answer
from bot.errors import BadInput

_NUMBER = re.compile(r"(?<![\w.,])[-+\u2212]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|[.,]\d+)"
                     r"(?:[eE][-+]?\d+)?(?![\w])")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
RELATIVE_EPSILON = 1e-9  # binary floats: 0.1 + 0.2 must count as 0.3
CLOSE_SHARE = 0.01  # a point answer's "close" band: 1% of it


def numbers_in(text: str) -> list[float]:
    """The numbers a learner typed, in order."""
    found = []
    for match in _NUMBER.finditer(text[:MAX_ANSWER_CHARS]):
        token = match.group(0).replace("\u2212", "-")
        token = token.replace(",", "") if _THOUSANDS.match(token) else token.replace(",", ".")
        value = float(token)
        if math.isfinite(value):
            found.append(value)
    return found


def _inside(x: float, low: float, high: float, widen: float = 0.0) -> bool:
    slack = RELATIVE_EPSILON * max(1.0, abs(low), abs(high)) + widen
    return low - slack <= x <= high + slack


def _close_width(answer: NumericAnswer) -> float:
    low, high = answer.bounds
    return max(high - low, CLOSE_SHARE * max(abs(low), abs(high)))


def format_number(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:.15g}"


def answer_text(answer: NumericAnswer, between: str = " to ", give_or_take: str = " (± {})") -> str:
    """'3.14 (± 0.01)' or '1 to 5' for people; other spellings (GIFT's '3.14:0.01', '1..5') by the joiners."""
    if answer.value is None:
        low, high = answer.bounds
        return f"{format_number(low)}{between}{format_number(high)}"
    if answer.tolerance:
        return format_number(answer.value) + give_or_take.format(format_number(answer.tolerance))
    return format_number(answer.value)


def grade_numeric(question: NumericQuestion, answer: str) -> Grade:
    found = numbers_in(answer)
    if not found:
        return NON_ANSWER if says_nothing(normalise(answer[:MAX_ANSWER_CHARS])) or has_non_answer(
            normalise(answer[:MAX_ANSWER_CHARS])) else WRONG
    hits = [next((a for a in question.answers if _inside(x, *a.bounds)), None) for x in found]
    if all(hits):
        matched = tuple(dict.fromkeys(answer_text(a) for a in hits if a is not None))
        return Grade(correct=True, close=False, matched=matched, similarity=100.0)
    close = len(set(found)) == 1 and any(_inside(found[0], *a.bounds, widen=_close_width(a)) for a in question.answers)
    return Grade(correct=False, close=close, matched=(), similarity=0.0)


def read(question: NumericQuestion, raw: str) -> Reading:
    text = raw.strip()
    if not text:
        raise BadInput("Type a number, such as 3.14.")
    graded = grade_numeric(question, text)
    if not numbers_in(text) and not graded.non_answer:
        raise BadInput("Type a number, such as 3.14.")
    return Reading(None, text, graded)


def right_answer(question: NumericQuestion) -> str:
    return " or ".join(answer_text(a) for a in question.answers)


def answered_nothing(question: NumericQuestion, correct: bool, text: str | None) -> bool:
    return not correct and bool(text) and grade_numeric(question, text or "").non_answer


KIND: Kind[NumericQuestion] = Kind(
    name="numeric", schema=NumericQuestion, read=read, grade=grade_numeric, choices=lambda question: (),
    right_answer=right_answer, shown_answer=lambda question, choice_id, text: given_answer(choice_id, text),
    is_non_answer=answered_nothing, key_text=right_answer)

"""Grading answers: pure functions, no I/O, no clock, no database.

Learners type on phones, so a right answer must survive case, accents, punctuation, typos and
"twenty-five" vs "25". A wrong answer must not slip through on a lucky fuzzy score, so short
aliases and short keywords only ever match exactly, as whole words.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.content.schema import FreeTextQuestion, SingleChoiceQuestion
from bot.errors import BadInput

MAX_ANSWER_CHARS = 2000  # longer answers are cut first, so the work per answer stays bounded
SHORT_ALIAS_CHARS = 4  # an alias this short ("kl", "t=1") fuzzily matches almost anything ("ok")
SHORT_KEYWORD_CHARS = 5  # rubric keywords shorter than this must match exactly
CLOSE_MARGIN = 15  # a near miss scores within this many points below the threshold
CHOICE_TEXT_MIN = 90  # typed choice words must score this high to pick a choice


@dataclass(frozen=True)
class Grade:
    correct: bool
    close: bool  # a near miss: not accepted, but close to an accepted answer (tell the learner "close")
    matched: tuple[str, ...]  # rubric criterion labels met, or the accepted alias matched
    similarity: float  # best fuzzy similarity 0-100 found (100 for a choice hit)


WRONG = Grade(correct=False, close=False, matched=(), similarity=0.0)


class UnknownChoice(BadInput, ValueError):
    """The choice id is not one of the question's; a caller bug or a stale button, never a wrong answer."""


# --- normalising -------------------------------------------------------------------------------

_UNITS = {w: n for n, w in enumerate("one two three four five six seven eight nine".split(), 1)}
_SMALL = _UNITS | {
    w: n for n, w in enumerate(
        "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(), 10)
}
_TENS = {w: n * 10 for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # "1,000" -> "1000"


def normalise(text: str) -> str:
    """Reduce text to what matters for comparing answers: lower-case words and digits, single spaces.

    Accents and punctuation go; a decimal point inside a number stays ("0.5"); a dash between
    numbers reads as "to" so "5-20", "5 to 20" and "five to twenty" all become "5 to 20";
    number words become digits. Idempotent, so normalising stored text twice is harmless.
    """
    text = unicodedata.normalize("NFKD", text).casefold()
    text = unicodedata.normalize("NFKD", text)  # casefolding can produce decomposable characters
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = _THOUSANDS_COMMA.sub("", text)
    out = []
    for i, c in enumerate(text):
        if c.isalnum() or c.isspace():
            out.append(c)
        elif c == "." or c in _HYPHENS:
            between_digits = 0 < i < len(text) - 1 and text[i - 1].isdecimal() and text[i + 1].isdecimal()
            out.append(("." if c == "." else " to ") if between_digits else " ")
        else:
            out.append(" ")
    return " ".join(_numbers_to_digits("".join(out).split()))


def _numbers_to_digits(words: list[str]) -> list[str]:
    """Replace each run of English number words with its digits: "twenty five" -> "25"."""
    result, i = [], 0
    while i < len(words):
        value, end = _read_number(words, i)
        if end > i:
            result.append(str(value))
            i = end
        else:
            result.append(words[i])
            i += 1
    return result


def _read_number(words: list[str], i: int) -> tuple[int, int]:
    """Read one number such as "two thousand and five" or "twelve hundred" starting at words[i].

    Returns (value, index after it); the index is i when no number starts there. Made for 0..9999:
    "one two" is two numbers, not three.
    """
    if words[i] == "zero":
        return 0, i + 1
    total = 0
    value, j = _below_hundred(words, i)
    if _word(words, j) == "thousand":
        total += (value or 1) * 1000
        value, j = _below_hundred(words, _skip_and(words, j + 1))
    if _word(words, j) == "hundred":
        total += (value or 1) * 100
        value, j = _below_hundred(words, _skip_and(words, j + 1))
    return total + value, j


def _below_hundred(words: list[str], i: int) -> tuple[int, int]:
    """Read 1..99 ("seven", "fifteen", "forty", "forty two") at words[i]; (0, i) if there is none."""
    word = _word(words, i)
    if word in _SMALL:
        return _SMALL[word], i + 1
    if word in _TENS:
        unit = _word(words, i + 1)
        if unit in _UNITS:
            return _TENS[word] + _UNITS[unit], i + 2
        return _TENS[word], i + 1
    return 0, i


def _skip_and(words: list[str], i: int) -> int:
    """Step over the "and" of "one hundred and five", but only when a number follows it."""
    if _word(words, i) == "and" and _below_hundred(words, i + 1)[1] > i + 1:
        return i + 1
    return i


def _word(words: list[str], i: int) -> str | None:
    return words[i] if i < len(words) else None


# --- matching helpers (inputs already normalised) ---------------------------------------------

def _contains_phrase(text: str, phrase: str) -> bool:
    """Whole words only: "kl" is in "the kl divergence" but not in "klaxon"."""
    return f" {phrase} " in f" {text} "


def _ratio(text: str, phrase: str) -> float:
    """fuzz.ratio, but numbers must agree exactly: "5 to 30" is no typo of "5 to 20"."""
    if _numbers(text) != _numbers(phrase):
        return 0.0
    return fuzz.ratio(text, phrase)


def _numbers(text: str) -> list[str]:
    return [word for word in text.split() if any(c.isdigit() for c in word)]


def _best_window_ratio(text: str, phrase: str) -> float:
    """Best ratio of the phrase against each run of as many words in the text.

    Unlike token_set_ratio this is one-directional: the text must hold something close to the
    whole phrase, so "the kl divergence" does not pass for "reverse kl divergence".
    """
    words, n = text.split(), len(phrase.split())
    windows = (" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1)))
    return max(_ratio(window, phrase) for window in windows)


def _alias_similarity(answer: str, alias: str) -> float:
    """100 when the alias is in the answer; otherwise the fuzzy score, except for short aliases."""
    if _contains_phrase(answer, alias):
        return 100.0
    if len(alias) <= SHORT_ALIAS_CHARS:
        return 0.0
    return max(_ratio(answer, alias), _best_window_ratio(answer, alias))


def _keyword_similarity(answer: str, keyword: str) -> float:
    if _contains_phrase(answer, keyword):
        return 100.0
    if len(keyword) < SHORT_KEYWORD_CHARS:
        return 0.0
    return _best_window_ratio(answer, keyword)


# --- grading -----------------------------------------------------------------------------------

def grade_choice(question: SingleChoiceQuestion, choice_id: str) -> Grade:
    """Right or wrong, never "close": a choice is picked, not typed."""
    choice = next((c for c in question.choices if c.id == choice_id), None)
    if choice is None:
        raise UnknownChoice(f"There is no choice {choice_id!r} in this question.")
    if choice.correct:
        return Grade(correct=True, close=False, matched=(choice.id,), similarity=100.0)
    return WRONG


def grade_free_text(question: FreeTextQuestion, answer: str) -> Grade:
    """Correct when an accepted alias matches or enough rubric criteria are met.

    `close` flags a near miss worth a "close!" rather than a plain "no": an alias missed by a
    few points, or some but not enough rubric criteria.
    """
    text = normalise(answer[:MAX_ANSWER_CHARS])
    if not text:
        return WRONG
    threshold = question.threshold

    best_alias, best_alias_score = None, 0.0
    for alias in question.accepted:
        key = normalise(alias)
        score = _alias_similarity(text, key) if key else 0.0
        if score > best_alias_score:
            best_alias, best_alias_score = alias, score
    if best_alias is not None and best_alias_score >= threshold:
        return Grade(correct=True, close=False, matched=(best_alias,), similarity=best_alias_score)

    met, best_keyword_score = [], 0.0
    for criterion in question.rubric:
        scores = [_keyword_similarity(text, k) for k in map(normalise, criterion.keywords) if k]
        best = max(scores, default=0.0)
        best_keyword_score = max(best_keyword_score, best)
        if best >= threshold:
            met.append(criterion.label)

    correct = bool(question.rubric) and len(met) >= question.min_criteria
    close = not correct and (best_alias_score >= threshold - CLOSE_MARGIN or bool(met))
    return Grade(
        correct=correct,
        close=close,
        matched=tuple(met),
        similarity=max(best_alias_score, best_keyword_score),
    )


def grade(question: SingleChoiceQuestion | FreeTextQuestion, answer: str) -> Grade:
    """Grade any question; for a single-choice question `answer` is the choice id."""
    if isinstance(question, SingleChoiceQuestion):
        return grade_choice(question, answer)
    if isinstance(question, FreeTextQuestion):
        return grade_free_text(question, answer)
    raise TypeError(f"cannot grade a {type(question).__name__}")


def match_choice_text(question: SingleChoiceQuestion, text: str) -> str | None:
    """Let a learner type a choice's words instead of its number; None unless exactly one choice fits.

    An exact (normalised) match wins; otherwise the best token_set_ratio must reach 90 and beat
    every other choice. Short text ("a", "the") only matches exactly, because token_set_ratio
    scores 100 for any text whose words all appear in a choice.
    """
    typed = normalise(text[:MAX_ANSWER_CHARS])
    if not typed:
        return None
    texts = {c.id: normalise(c.text) for c in question.choices}
    exact = [cid for cid, t in texts.items() if t == typed]
    if exact:
        return exact[0] if len(exact) == 1 else None
    if len(typed) <= SHORT_ALIAS_CHARS:
        return None
    scores = sorted(((fuzz.token_set_ratio(typed, t), cid) for cid, t in texts.items()), reverse=True)
    (best, best_id), (runner_up, _) = scores[0], scores[1]
    return best_id if best >= CHOICE_TEXT_MIN and best > runner_up else None

"""Single-choice questions: the learner picks one of the numbered choices (a button, its number or
its words typed). Right or wrong, never "close": a choice is picked, not typed."""
from __future__ import annotations

from rapidfuzz import fuzz

from bot.content.schema import SingleChoiceQuestion
from bot.domain.grading.answer_text import normalise
from bot.domain.grading.grades import MAX_ANSWER_CHARS, SHORT_ALIAS_CHARS, WRONG, Grade, UnknownChoice
from bot.domain.kinds.base import Kind, Reading, ShownChoice, given_answer
from bot.errors import BadInput

CHOICE_TEXT_MIN = 90  # typed choice words must score this high to pick a choice


def grade_choice(question: SingleChoiceQuestion, choice_id: str) -> Grade:
    choice = next((c for c in question.choices if c.id == choice_id), None)
    if choice is None:
        raise UnknownChoice(f"There is no choice {choice_id!r} in this question.")
    if choice.correct:
        return Grade(correct=True, close=False, matched=(choice.id,), similarity=100.0)
    return WRONG


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


def interpret_choice(question: SingleChoiceQuestion, raw: str) -> str:
    """A choice id (buttons), its number as shown (1..n), or its words (typed)."""
    text = raw.strip()
    ids = [c.id for c in question.choices]
    if text in ids:
        return text
    if text.isdigit():
        n = int(text)
        if 1 <= n <= len(ids):
            return ids[n - 1]
        raise BadInput(f"There is no choice {n}: answer with a number from 1 to {len(ids)}.")
    matched = match_choice_text(question, text)
    if matched is None:
        raise BadInput(f"I couldn't tell which choice you meant: answer with a number from 1 to {len(ids)}.")
    return matched


def read(question: SingleChoiceQuestion, raw: str) -> Reading:
    choice_id = interpret_choice(question, raw)
    return Reading(choice_id, None, grade_choice(question, choice_id))


def choices(question: SingleChoiceQuestion) -> tuple[ShownChoice, ...]:
    return tuple(ShownChoice(c.id, str(i), c.text, c.correct) for i, c in enumerate(question.choices, 1))


def right_answer(question: SingleChoiceQuestion) -> str:
    shown = next(c for c in choices(question) if c.correct)
    return f"{shown.label}. {shown.text}"


def shown_answer(question: SingleChoiceQuestion, choice_id: str | None, text: str | None) -> str:
    if choice_id:
        for c in choices(question):
            if c.id == choice_id:
                return f"{c.label}. {c.text}"
    return given_answer(choice_id, text)


KIND: Kind[SingleChoiceQuestion] = Kind(
    name="single_choice", schema=SingleChoiceQuestion, read=read, grade=grade_choice, choices=choices,
    right_answer=right_answer, shown_answer=shown_answer, is_non_answer=lambda question, correct, text: False,
    key_text=lambda question: next(c.text for c in question.choices if c.correct))

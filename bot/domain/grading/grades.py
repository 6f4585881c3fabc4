"""What grading says of one answer, shared by every question kind."""
from __future__ import annotations

from dataclasses import dataclass

from bot.errors import BadInput

MAX_ANSWER_CHARS = 2000  # longer answers are cut first, so the work per answer stays bounded
SHORT_ALIAS_CHARS = 4  # an alias this short ("kl", "t=1") fuzzily matches almost anything ("ok")


@dataclass(frozen=True)
class Grade:
    correct: bool
    close: bool  # a near miss: not accepted, but close to an accepted answer (tell the learner "close")
    matched: tuple[str, ...]  # rubric criterion labels met, or the accepted alias matched
    similarity: float  # best fuzzy similarity 0-100 found (100 for a choice hit)
    non_answer: bool = False  # the learner said they do not know, or nothing at all: tell them kindly
    typo: bool = False  # right only thanks to the fuzzy match (a misspelling): spaced review rates it Hard


WRONG = Grade(correct=False, close=False, matched=(), similarity=0.0)
NON_ANSWER = Grade(correct=False, close=False, matched=(), similarity=0.0, non_answer=True)


class UnknownChoice(BadInput, ValueError):
    """The choice id is not one of the question's; a caller bug or a stale button, never a wrong answer."""

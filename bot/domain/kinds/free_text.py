"""Free-text questions: the learner types words, graded as below.

Generous where people are: case, accents, punctuation, small typos, plurals, "twenty-five" for "25",
"fourfold" for "4x", and hedges around a right answer ("idk, maybe temperature?") do not matter.
Strict where it must be: a non-answer ("I don't know", "?", "pass") is never right; a negated term
("not X", "X is wrong") is not the term; a number needs its unit (3 years are not 3 months); short
aliases and keywords match only exactly, as whole words; and when a question wants one term, an
answer that offers several ("KL or JS", "3, 4 or 5") is only right if every one of them is.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.content.schema import FreeTextQuestion
from bot.domain.grading.answer_quantities import is_number
from bot.domain.grading.answer_text import (
    NON_ANSWER_BREAK,
    NON_ANSWER_WORDS,
    STOP_WORDS,
    has_non_answer,
    is_common,
    normalise,
    says_nothing,
    strip_non_answers,
)
from bot.domain.grading.grades import MAX_ANSWER_CHARS, NON_ANSWER, SHORT_ALIAS_CHARS, Grade
from bot.domain.grading.phrase_match import NEGATORS, Clause, Phrase, find, phrase
from bot.domain.kinds.base import Kind, Reading, given_answer
from bot.errors import BadInput

SHORT_KEYWORD_CHARS = 5  # rubric keywords shorter than this must match exactly
CLOSE_MARGIN = 15  # a near miss scores within this many points below the threshold
STUFFED_TERMS = 3  # this many bare extra terms beside the right one is a list, not an answer
ARTICLES = frozenset({"a", "an", "the"})
EXACT = 100.0  # a phrase match's score for the same words (phrase_match.Match.score)


# --- reading an answer -------------------------------------------------------------------------

# Clauses: a term never spans punctuation, and a negation reaches no further than its clause.
_CLAUSE = re.compile(r"[;:!?()\[\]{}\n]|(?<!\d),|,(?!\d)|\.(?!\d)|\s[-\u2013\u2014]+\s|\u2014"
                     r"|(?<=[^\W\d_])\s*/\s*(?=[^\W\d_])")
# Alternatives offered side by side: "KL or JS", "3, 4, 5", "alpha / temperature".
_ALTERNATIVES = re.compile(r"(?<!\d),|,(?!\d)|;|\n|\bor\b|\bvs\b|(?<=[^\W\d_])\s*/\s*(?=[^\W\d_])", re.I)
_ASIDE = re.compile(r"\([^)]*\)?")  # "(32 bits -> 8 bits)": an explanation, not a list of guesses


def _clauses(raw: str) -> list[Clause]:
    parts = (strip_non_answers(normalise(part)).split() for part in _CLAUSE.split(raw))
    return [Clause(words) for words in parts if words]


@dataclass
class _Found:
    alias: str | None = None  # the accepted answer matched best
    alias_score: float = 0.0
    met: tuple[str, ...] = ()  # rubric criterion labels met
    met_exactly: int = 0  # how many of them a keyword met word for word, with no typo
    negated: bool = False  # a term was there, but negated
    covered: frozenset[tuple[int, int]] = frozenset()  # (clause, word) positions inside a match


def _units_of(question: FreeTextQuestion) -> dict[str, set[str]]:
    return _units_in((*question.accepted, *(k for c in question.rubric for k in c.keywords)))


@functools.lru_cache(maxsize=1024)
def _units_in(texts: tuple[str, ...]) -> dict[str, set[str]]:
    """Which unit may follow each number: {"3": {"month"}} when an accepted answer says "3 months"."""
    units: dict[str, set[str]] = {}
    for text in texts:
        words = phrase(text, SHORT_ALIAS_CHARS).words
        for number, unit in zip(words, words[1:], strict=False):
            if is_number(number) and unit.isalpha() and unit not in STOP_WORDS:
                units.setdefault(number, set()).add(unit)
    return units


def _search(question: FreeTextQuestion, clauses: list[Clause], units: dict[str, set[str]]) -> _Found:
    found, covered = _Found(), set[tuple[int, int]]()

    def hits(target: Phrase) -> float:
        best = 0.0
        for c, clause in enumerate(clauses):
            for match in find(clause, target, question.threshold, units):
                if match.negated:
                    found.negated = True
                    continue
                covered.update((c, i) for i in range(match.start, match.end))
                best = max(best, match.score)
        return best

    for alias in question.accepted:
        score = hits(phrase(alias, SHORT_ALIAS_CHARS))
        if score > found.alias_score:
            found.alias, found.alias_score = alias, score
    met = []
    for criterion in question.rubric:
        scores = [hits(phrase(k, SHORT_KEYWORD_CHARS - 1)) for k in criterion.keywords]
        if max(scores, default=0.0) > 0:
            met.append(criterion.label)
            found.met_exactly += max(scores) >= EXACT
    found.met, found.covered = tuple(met), frozenset(covered)
    return found


def _offers_alternatives(question: FreeTextQuestion, raw: str, units: dict[str, set[str]]) -> bool:
    """ "temperature or alpha", "3, 4 or 5": a right term beside a bare wrong one is a guess list."""
    alternatives = _ALTERNATIVES.split(_ASIDE.sub(" ", raw))  # "(train/test mismatch)" explains, offers nothing
    if len(alternatives) > 1:
        for alternative in alternatives:
            clauses = _clauses(alternative)
            found = _search(question, clauses, units)
            if not (found.alias or found.met) and _is_bare_term([w for clause in clauses for w in clause.words]):
                return True
    words = strip_non_answers(normalise(_ASIDE.sub(" ", raw))).split()
    if any(w in STOP_WORDS for w in words):
        return False  # a sentence, not a pile of terms
    covered = _search(question, [Clause(words)], units).covered
    extra = {w for i, w in enumerate(words) if (0, i) not in covered and _is_term(w)}
    return len(extra) >= STUFFED_TERMS


def _is_term(word: str) -> bool:
    return word != NON_ANSWER_BREAK and word not in NON_ANSWER_WORDS and not is_common(word) \
        and (len(word) > 1 or is_number(word))


def _is_bare_term(words: list[str]) -> bool:
    """One to three words naming something, with no negation and no sentence around them."""
    if any(w in NEGATORS for w in words) or any(w in STOP_WORDS and w not in ARTICLES for w in words):
        return False
    return 1 <= sum(map(_is_term, words)) <= 3


def _near_miss(question: FreeTextQuestion, text: str) -> float:
    """The best fuzzy score of any accepted answer against the whole text or a run of as many words,
    for telling a learner "close". Numbers must agree exactly: "5 to 30" is no typo of "5 to 20"."""
    words = text.split()
    best = 0.0
    for alias in question.accepted:
        target = phrase(alias, SHORT_ALIAS_CHARS)
        if not (target.fuzzy and target.words):
            continue
        n, wanted = len(target.words), _numbers(target.words)
        runs = [words[i:i + n] for i in range(max(1, len(words) - n + 1))] + [words]
        candidates = [" ".join(run) for run in runs if _numbers(run) == wanted]
        hit = process.extractOne(target.text, candidates, scorer=fuzz.ratio) if candidates else None
        best = max(best, hit[1] if hit else 0.0)
    return best


def _numbers(words: list[str] | tuple[str, ...]) -> list[str]:
    return [w for w in words if not w.isalpha()]  # normalised words are letters or hold a digit


# --- grading -----------------------------------------------------------------------------------

def grade_free_text(question: FreeTextQuestion, answer: str) -> Grade:
    """Correct when an accepted alias matches or enough rubric criteria are met, as the module says.

    `close` flags a near miss worth a "close!" rather than a plain "no": an alias missed by a few
    points, some but not enough rubric criteria, or the right term among guesses. `non_answer`
    flags an answer that says nothing, or only that the learner does not know.
    """
    raw = answer[:MAX_ANSWER_CHARS]
    text = normalise(raw)
    if says_nothing(text):
        return NON_ANSWER
    units = _units_of(question)
    found = _search(question, _clauses(raw), units)
    by_rubric = bool(question.rubric) and len(found.met) >= question.min_criteria
    similarity = max(found.alias_score, _near_miss(question, text))
    if found.alias or by_rubric:
        if not (question.accepted and _offers_alternatives(question, raw, units)):
            matched = (found.alias,) if found.alias else found.met
            exact = found.alias_score >= EXACT or (by_rubric and found.met_exactly >= question.min_criteria)
            return Grade(correct=True, close=False, matched=matched, similarity=similarity, typo=not exact)
        return Grade(correct=False, close=True, matched=found.met, similarity=similarity)
    if not found.met and not found.negated and has_non_answer(text):
        return NON_ANSWER
    close = not found.negated and (similarity >= question.threshold - CLOSE_MARGIN or bool(found.met))
    return Grade(correct=False, close=close, matched=found.met, similarity=similarity)


def is_non_answer(question: FreeTextQuestion, answer: str) -> bool:
    """What grade_free_text(...).non_answer says, without grading unless the text has a non-answer in it."""
    text = normalise(answer[:MAX_ANSWER_CHARS])
    if not (says_nothing(text) or has_non_answer(text)):
        return False
    return grade_free_text(question, answer).non_answer


# --- the kind --------------------------------------------------------------------------------

def read(question: FreeTextQuestion, raw: str) -> Reading:
    if not raw.strip():
        raise BadInput("Type an answer in words.")
    return Reading(None, raw.strip(), grade_free_text(question, raw))


def right_answer(question: FreeTextQuestion) -> str:
    return question.display_answer


def shown_answer(question: FreeTextQuestion, choice_id: str | None, text: str | None) -> str:
    return given_answer(choice_id, text)


def answered_nothing(question: FreeTextQuestion, correct: bool, text: str | None) -> bool:
    """A typed "I don't know" (graded again: an answer row keeps only right, close and the text)."""
    return not correct and bool(text) and is_non_answer(question, text or "")


def key_text(question: FreeTextQuestion) -> str:
    return " ".join([*question.accepted, question.model_answer or ""])


KIND: Kind[FreeTextQuestion] = Kind(
    name="free_text", schema=FreeTextQuestion, read=read, grade=grade_free_text, choices=lambda question: (),
    right_answer=right_answer, shown_answer=shown_answer, is_non_answer=answered_nothing, key_text=key_text)

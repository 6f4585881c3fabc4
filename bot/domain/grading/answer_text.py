"""Answer text reduced to comparable words, and the words that say nothing.

Learners type on phones, so a right answer must survive case, accents, punctuation, apostrophes
("don't" is "dont", not "don t") and number forms ("twenty-five", "3.0", "fourfold"). Pure and
idempotent: normalising stored text twice is harmless. The schema uses the same rules to refuse
accepted answers that would match anything, so this module depends on no question type.
"""
from __future__ import annotations

import re
import unicodedata

from bot.domain.grading.answer_quantities import canonical_quantities

_UNITS = {w: n for n, w in enumerate("one two three four five six seven eight nine".split(), 1)}
_SMALL = _UNITS | {
    w: n for n, w in enumerate(
        "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(), 10)
}
_TENS = {w: n * 10 for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # "1,000" -> "1000"
_CURRENCY = re.compile(r"[$\u20ac\u00a3]\s*(\d[\d.]*)")  # "$3" -> "3 dollar"
_SYMBOLS = {"%": " percent ", "\u00d7": " x "}

# Words that carry no answer: articles, pronouns, auxiliaries, conjunctions, prepositions.
STOP_WORDS = frozenset("""
a an the i im me my you your we our they their he she him her it its this that these those there here
is are was were be been am do does did have has had will would can could should may might must shall
and or but nor if then so than as of to in on at by for with from into about over under up down out off
not no yes what which who whom whose how why when where all any some each both either neither own same
just also too very only such
""".split())

# Said instead of an answer; removed before grading wherever they stand ("idk maybe temperature").
NON_ANSWER_PHRASES = tuple(sorted("""
i dont know|i do not know|dont know|do not know|i dont remember|dont remember|i cant remember|cant remember
cannot remember|can not remember|i cant recall|cant recall|i have no idea|no idea|have no clue|no clue
not a clue|dont have a clue|i havent a clue|havent got a clue|im not sure|i am not sure|not sure
not really sure|not entirely sure|not 100 percent sure|not certain|im unsure|unsure|idk|idek|dunno
i dunno|i forgot|i forget|beats me|who knows|no comment|i give up|give up|no answer|dont care
""".replace("\n", "|").split("|"), key=len, reverse=True))
# A non-answer only when nothing else is said ("pass" alone, not "pass the unit tests").
NON_ANSWER_WORDS = frozenset("pass skip next none nothing nope na unknown forgot whatever idc shrug ツ".split())
# Hedges, noises and politeness: they add nothing to an answer, nor make one.
FILLER_WORDS = frozenset("""
hmm hm um uh er erm eh meh yes yeah yep ok okay maybe perhaps probably sorry please thanks tbh honestly
really lol haha guess think believe obviously definitely surely clearly basically actually literally right
""".split())
NON_ANSWER_BREAK = "|"  # stands where a non-answer phrase was, so no phrase matches across it
_NON_ANSWER = re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, NON_ANSWER_PHRASES)) + r")(?!\S)")  # longest first


def normalise(text: str) -> str:
    """Reduce text to what matters for comparing answers: lower-case words and digits, single spaces.

    Accents and punctuation go; apostrophes are elided ("don't" -> "dont"); a decimal point or a
    fraction slash inside a number stays ("0.5", "1/4"); a dash between numbers reads as "to" so
    "5-20", "5 to 20" and "five to twenty" all become "5 to 20"; number words become digits; units
    and ratios get one spelling each (see answer_quantities).
    """
    text = unicodedata.normalize("NFKD", text).casefold()
    text = unicodedata.normalize("NFKD", text)  # casefolding can produce decomposable characters
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = _THOUSANDS_COMMA.sub("", text)
    text = _CURRENCY.sub(r" \1 dollar ", text)
    out = []
    for i, c in enumerate(text):
        before, after = text[i - 1] if i else "", text[i + 1] if i + 1 < len(text) else ""
        if c.isalnum() or c.isspace():
            out.append(c)
        elif c in _APOSTROPHES and before.isalpha() and after.isalpha():
            continue  # elided: "don't" -> "dont", so no stray one-letter word ("t") is left to match
        elif c in "./" and before.isdecimal() and after.isdecimal():
            out.append(c)
        elif c in _HYPHENS and before.isdecimal() and after.isdecimal():
            out.append(" to ")
        else:
            out.append(_SYMBOLS.get(c, " "))
    words = canonical_quantities(_numbers_to_digits("".join(out).split()))
    return " ".join(words)


def strip_non_answers(text: str) -> str:
    """The normalised text with every non-answer phrase replaced by NON_ANSWER_BREAK."""
    return _NON_ANSWER.sub(NON_ANSWER_BREAK, text)


def says_nothing(text: str) -> bool:
    """True when normalised text holds no answer at all: empty, or only non-answers and filler."""
    return all(w == NON_ANSWER_BREAK or w in NON_ANSWER_WORDS or is_common(w) for w in strip_non_answers(text).split())


def is_common(word: str) -> bool:
    return word in STOP_WORDS or word in FILLER_WORDS


def has_non_answer(text: str) -> bool:
    return NON_ANSWER_BREAK in strip_non_answers(text).split()


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


def catch_all_reason(term: str) -> str | None:
    """Why an accepted answer or rubric keyword would match answers it should not; None when it is fine."""
    words = normalise(term).split()
    if not words:
        return "has no letters or digits left once punctuation is removed"
    if len(words) == 1 and len(words[0]) == 1 and words[0].isalpha():
        return "is a single letter, which turns up in too many answers; write the word it stands for"
    if all(is_common(w) for w in words):
        return "is only common words (the, it, no, maybe...), which almost any answer contains"
    if says_nothing(" ".join(words)):
        return "is a non-answer (such as 'I don't know' or 'pass'), which is never a right answer"
    return None

"""Find an accepted answer or a rubric keyword in a learner's words: whole words, small typos, no negation.

Inputs are normalised word lists (see answer_text). A phrase matches a run of as many answer words,
word by word: equal, equal once a plural "s" is dropped, or, for words of four letters or more in a
phrase long enough to be fuzzy, within one typo (two from nine letters on). A typo never turns a
word into its opposite ("disagreement" is no typo of "agreement"), and numbers never fuzz. A match
does not count when the answer negates it ("not X", "no X", "X is wrong") or changes what it names
("inverse X", "X squared", "4x bigger").
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.domain.grading.answer_quantities import UNITS, is_number
from bot.domain.grading.answer_text import STOP_WORDS, normalise

# "it removes bias" says there is none; past participles are left out: "removed duplicates" is a filter.
NEGATORS = frozenset("""
not no never isnt arent wasnt werent dont doesnt didnt cant cannot wont nor neither without hasnt havent
hadnt shouldnt wouldnt couldnt aint nope nothing none removes eliminates reduces fixes prevents avoids less fewer
instead
""".split())
# Skipped when looking back from a match for a negator: "not really the X", "no need to check X".
_SKIPPED = frozenset("""
the a an any all really just even actually exactly quite called named necessarily simply very too much
need needs to be have has use using do does bother check checking ask asking for of about on by with
against risk risks chance there more because due thanks
""".split())
_COORDINATORS = frozenset({"or", "and", "nor"})  # "no tests or review": the negation covers both
_LOOK_BACK = 6
_AFTER_BE = frozenset({"wrong", "incorrect", "false", "unnecessary", "pointless", "useless", "irrelevant"})
_AFTER_BE_NOT = frozenset({"a", "an", "the", "it", "right", "correct", "needed", "necessary", "relevant", "true",
                           "real"})
_BE = frozenset({"is", "are", "was", "were"})
_BE_NOT = frozenset({"isnt", "arent", "wasnt", "werent"})
_CHANGERS_BEFORE = frozenset({"inverse", "reciprocal", "negative"})
_CHANGERS_AFTER = frozenset({"squared", "cubed", "inverse", "bigger", "larger", "greater"})
_OPPOSITE_PREFIXES = ("un", "in", "im", "ir", "il", "dis", "non", "mis", "de", "anti")


@dataclass(frozen=True)
class Phrase:
    source: str  # as written in the content
    words: tuple[str, ...]  # normalised
    fuzzy: bool  # long enough that a typo may be forgiven

    @property
    def text(self) -> str:
        return " ".join(self.words)


@functools.lru_cache(maxsize=8192)
def phrase(source: str, exact_up_to: int) -> Phrase:
    """A content phrase, normalised once; `exact_up_to` characters or fewer are never fuzzy."""
    words = tuple(normalise(source).split())
    return Phrase(source, words, len(" ".join(words)) > exact_up_to)


class Clause:
    """Normalised words of one clause, indexed so a phrase is only tried where its first word stands.

    Why the index: a 2000-character answer against a rubric of a hundred keywords would otherwise
    compare every word with every keyword in Python; here typos are found by rapidfuzz in C.
    """

    def __init__(self, words: list[str]):
        self.words = words
        self.positions: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            self.positions.setdefault(word, []).append(i)
        self._distinct = list(self.positions)
        self._lengths = {len(word) for word in self._distinct}
        self._by_singular: dict[str, list[str]] = {}
        for word in self._distinct:
            self._by_singular.setdefault(singular(word), []).append(word)
        self._starts: dict[tuple[str, bool], list[int]] = {}

    def starts(self, phrase_word: str, fuzzy: bool) -> list[int]:
        """Positions of the words that match `phrase_word` (see word_match), in order."""
        key = (phrase_word, fuzzy)
        if key not in self._starts:
            words = set(self._by_singular.get(singular(phrase_word), ()))
            allowance = _typo_allowance(phrase_word)
            near_length = any(abs(n - len(phrase_word)) <= allowance for n in self._lengths)
            if fuzzy and allowance and near_length and phrase_word.isalpha():
                near = process.extract(phrase_word, self._distinct, scorer=OSA.distance, score_cutoff=allowance,
                                       limit=None)
                words.update(w for w, _, _ in near if word_match(w, phrase_word, True) is not None)
            self._starts[key] = sorted(i for w in words for i in self.positions[w])
        return self._starts[key]


@dataclass(frozen=True)
class Match:
    start: int
    end: int  # exclusive; past a unit that follows a bare number
    negated: bool
    score: float  # 100 for the same words, else the fuzzy ratio of the typo'd run


@functools.lru_cache(maxsize=8192)
def singular(word: str) -> str:
    """A light plural-stripper, the same on both sides: "biases" -> "bias", "probabilities" -> "probability"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[:-2].endswith(("s", "x", "ch", "sh")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        return word[:-1]
    return word


def _typo_allowance(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 9 else 2


def _opposite(answer_word: str, phrase_word: str) -> bool:
    """One word is the other with a negating prefix: "disagreement" / "agreement", "unbiased" / "biased"."""
    for longer, shorter in ((answer_word, phrase_word), (phrase_word, answer_word)):
        for prefix in _OPPOSITE_PREFIXES:
            if longer.startswith(prefix) and not shorter.startswith(prefix) \
                    and OSA.distance(longer[len(prefix):], shorter, score_cutoff=1) <= 1:
                return True
    return False


@functools.lru_cache(maxsize=65536)
def word_match(answer_word: str, phrase_word: str, fuzzy: bool) -> int | None:
    """0 when the words are the same, 1 when one is a forgivable typo of the other, else None."""
    if answer_word == phrase_word or singular(answer_word) == singular(phrase_word):
        return 0
    if not fuzzy or not (answer_word.isalpha() and phrase_word.isalpha()):
        return None  # numbers, and words with digits in them ("int8", "fp16"), never fuzz
    if answer_word in NEGATORS or answer_word in STOP_WORDS:
        return None  # "never" is no typo of "newer", nor "not" of "note"
    allowance = _typo_allowance(phrase_word)
    if not allowance or OSA.distance(answer_word, phrase_word, score_cutoff=allowance) > allowance:
        return None
    return None if _opposite(answer_word, phrase_word) else 1


def find(clause: Clause, target: Phrase, threshold: int, units: dict[str, set[str]]) -> list[Match]:
    """Every place the phrase stands in the clause. `units`: the units the question allows after a number."""
    words, n = clause.words, len(target.words)
    found: list[Match] = []
    if not n:
        return found
    for start in clause.starts(target.words[0], target.fuzzy):
        if start + n > len(words):
            break
        window = words[start:start + n]
        scores = [word_match(a, p, target.fuzzy) for a, p in zip(window, target.words, strict=False)]
        if None in scores:
            continue
        score = fuzz.ratio(" ".join(window), target.text) if any(scores) else 100.0
        if score < threshold:
            continue
        end = start + n
        allowed = units.get(target.words[-1], set())
        if is_number(target.words[-1]) and end < len(words) and _is_unit(words[end], allowed):
            if not any(word_match(words[end], unit, True) is not None for unit in allowed):
                continue  # "3 years" is not "3" when the question counts months; "4 bits" is not 4x
            end += 1
        if _changed(words, start, end, target):
            continue
        found.append(Match(start, end, _negated(words, start, end, target), score))
    return found


def _is_unit(word: str, allowed: set[str]) -> bool:
    """A known unit, or any word where the question names the number's unit ("3 monts" for "3 months")."""
    return word in UNITS or (bool(allowed) and word not in STOP_WORDS and word.isalpha())


def _changed(words: list[str], start: int, end: int, target: Phrase) -> bool:
    """ "inverse temperature", "T squared", "4x bigger": a different thing that contains the phrase."""
    before = words[start - 1] if start else ""
    after = words[end] if end < len(words) else ""
    return (before in _CHANGERS_BEFORE and before not in target.words) or \
        (after in _CHANGERS_AFTER and after not in target.words)


def _negated(words: list[str], start: int, end: int, target: Phrase) -> bool:
    if target.words and target.words[0] in NEGATORS:
        return False  # the phrase itself is negative ("no refusals"): written to be matched as it is
    return _negated_before(words, start) or _negated_after(words, end)


def _negated_before(words: list[str], start: int) -> bool:
    i, looked = start - 1, 0
    while i >= 0 and looked < _LOOK_BACK:
        word = words[i]
        if word in NEGATORS or (word == "than" and i and words[i - 1] == "rather"):
            return True  # "rather than X" rules X out as "instead of X" does
        if word in _COORDINATORS:
            i -= 2  # step over the coordinator and the conjunct before it: "no tests or review"
        elif word in _SKIPPED or is_number(word):
            i -= 1  # "not one specific task": a count between the negator and the term
        else:
            return False
        looked += 1
    return False


def _negated_after(words: list[str], end: int) -> bool:
    """ "X is wrong", "X is not the answer", "X isnt right", "X not needed"."""
    nxt = words[end:end + 3]
    if not nxt:
        return False
    if nxt[0] in _BE and len(nxt) > 1:
        if nxt[1] in _AFTER_BE:
            return True
        return nxt[1] == "not" and len(nxt) > 2 and nxt[2] in _AFTER_BE_NOT
    if nxt[0] in _BE_NOT:
        return len(nxt) > 1 and nxt[1] in _AFTER_BE_NOT
    return nxt[0] == "unnecessary" or nxt[:2] == ["not", "needed"]

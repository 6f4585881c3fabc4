"""Item-writing checks on one question at a time: pure functions from a located question to findings."""
from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from bot.content.lint.rules import Finding
from bot.content.lint.sources import citations_in, fact_signals
from bot.content.lint.words import ABSOLUTE_WORDS, content_stems, one_common_word, words
from bot.content.schema import FreeTextQuestion, Question, SingleChoiceQuestion

KEY_RATIO_MAX = 1.3  # a key this much longer than the average distractor stands out
EXPLANATION_MIN_CHARS = 40  # room for why the key is right and why the tempting option is wrong
_OF_THE_ABOVE = re.compile(r"\b(?:all|none|both|neither)\s+(?:of\s+)?(?:the\s+)?above\b"
                           r"|^\s*(?:all|none|both|neither)\s+of\s+(?:these|those|them|the\s+(?:options|answers|choices))\W*$",
                           re.IGNORECASE)


@dataclass(frozen=True)
class QuestionAt:
    """A question with where it lives: `line(*loc)` finds a key inside it ("choices", 2) in its file."""

    question: Question
    path: str
    line: Callable[..., int | None]

    def finding(self, code: str, message: str, *loc: str | int) -> Finding:
        return Finding(code, self.path, self.line(*loc), message, self.question.id)


@dataclass(frozen=True)
class KeyStats:
    """How a single-choice key stands among its options, for the per-question and catalog figures."""

    position: int  # 0-based index of the key among the choices as written
    key_chars: int
    longest_distractor_chars: int
    ratio: float  # key length / mean distractor length

    @property
    def key_longest(self) -> bool:
        return self.key_chars > self.longest_distractor_chars


def key_stats(q: SingleChoiceQuestion) -> KeyStats:
    position = _key_index(q)
    key = len(q.choices[position].text.strip())
    others = [len(c.text.strip()) for i, c in enumerate(q.choices) if i != position]
    return KeyStats(position, key, max(others), key / max(statistics.fmean(others), 1.0))


def _key_index(q: SingleChoiceQuestion) -> int:
    return next(i for i, c in enumerate(q.choices) if c.correct)


def _quoted(items: list[str]) -> str:
    return ", ".join(f"'{item}'" for item in items)


def check_key_length(at: QuestionAt) -> list[Finding]:
    q = at.question
    if not isinstance(q, SingleChoiceQuestion):
        return []
    stats, out = key_stats(q), []
    where = ("choices", stats.position)
    if stats.key_longest:
        out.append(at.finding("KEY-LONGEST", f"the key is the longest option ({stats.key_chars} characters; "
                              f"the longest distractor has {stats.longest_distractor_chars})", *where))
    if stats.ratio > KEY_RATIO_MAX:
        out.append(at.finding("KEY-LENGTH-RATIO", f"the key is {stats.ratio:.2f}x the mean distractor length "
                              f"(at most {KEY_RATIO_MAX})", *where))
    return out


def check_of_the_above(at: QuestionAt) -> list[Finding]:
    q = at.question
    if not isinstance(q, SingleChoiceQuestion):
        return []
    return [at.finding("ALL-NONE-OF-ABOVE", f"option '{c.id}' is an 'of the above' option: \"{c.text}\"", "choices", i)
            for i, c in enumerate(q.choices) if _OF_THE_ABOVE.search(c.text)]


def check_absolute_words(at: QuestionAt) -> list[Finding]:
    q = at.question
    if not isinstance(q, SingleChoiceQuestion):
        return []
    key_at = _key_index(q)
    # an "all of the above" option is reported as such, not again for its "all"
    absolute = [[] if _OF_THE_ABOVE.search(c.text) else sorted(ABSOLUTE_WORDS.intersection(words(c.text)))
                for c in q.choices]
    distractors = [(i, found) for i, found in enumerate(absolute) if i != key_at and found]
    if distractors and not absolute[key_at]:
        named = ", ".join(f"'{q.choices[i].id}' ({_quoted(found)})" for i, found in distractors)
        verb = "is" if len(distractors) == 1 else "are"
        return [at.finding("ABSOLUTE-WORDS", f"distractor {named} {verb} absolute and the key is not",
                           "choices", distractors[0][0])]
    if absolute[key_at] and not distractors:
        return [at.finding("ABSOLUTE-WORDS", f"only the key is absolute ({_quoted(absolute[key_at])})", "choices", key_at)]
    return []


def check_clang(at: QuestionAt) -> list[Finding]:
    """The key repeats a meaningful word of the stem that no distractor has: a learner can match words."""
    q = at.question
    if not isinstance(q, SingleChoiceQuestion):
        return []
    key_at = _key_index(q)
    stem_words = content_stems(q.prompt)
    in_distractors = {s for i, c in enumerate(q.choices) if i != key_at for s in content_stems(c.text)}
    echoed = [w for s, w in content_stems(q.choices[key_at].text).items() if s in stem_words and s not in in_distractors]
    if not echoed:
        return []
    return [at.finding("CLANG", f"the key repeats {_quoted(echoed)} from the stem and no "
                       "distractor does", "choices", key_at)]


def check_free_text_terms(at: QuestionAt) -> list[Finding]:
    q = at.question
    if not isinstance(q, FreeTextQuestion):
        return []
    # Single letters, stop words and non-answers are refused by the schema itself (CONTENT-INVALID).
    out = []
    for r, criterion in enumerate(q.rubric):
        for k, keyword in enumerate(criterion.keywords):
            loc = ("rubric", r, "keywords", k)
            if one_common_word(keyword):
                out.append(at.finding("KEYWORD-COMMON", f"keyword '{keyword}' is a common word that wrong answers "
                                      "contain too", *loc))
    return out


def check_explanation(at: QuestionAt) -> list[Finding]:
    size = len(at.question.explanation.strip())
    if size >= EXPLANATION_MIN_CHARS:
        return []
    return [at.finding("EXPLANATION-SHORT", f"the explanation has {size} characters (at least "
                       f"{EXPLANATION_MIN_CHARS})", "explanation")]


def check_source(at: QuestionAt) -> list[Finding]:
    q = at.question
    if q.source:
        return []
    cited = citations_in(q.explanation)
    if cited:
        return [at.finding("SOURCE-MISSING", f"the explanation cites {_quoted(cited)} but the question has no "
                           "source", "explanation")]
    signals = fact_signals(q)
    if signals:
        return [at.finding("SOURCE-SUGGESTED", f"looks like a published result ({_quoted(signals)}) but has no "
                           "source")]
    return []


QUESTION_CHECKS = (check_key_length, check_of_the_above, check_absolute_words, check_clang, check_free_text_terms,
                   check_explanation, check_source)

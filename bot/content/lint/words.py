"""Word lists and word splitting for the item-writing checks.

The grader sees text through `bot.domain.grading.answer_text.normalise`, so the alias and keyword checks split text
the same way (that is how "don't" became "don t" and the bare alias "t" matched "I don't know").
"""
from __future__ import annotations

import re

from bot.domain.grading.answer_text import normalise

# Function words: an alias or keyword made only of these matches almost any sentence.
STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing don down during each few for from further had has
have having he her here hers him his how i if in into is it its itself just ll me more most my no
nor not now of off on once only or other our ours out over own re s same she should so some such t
than that the their theirs them then there these they this those through to too under until up ve
very was we were what when where which while who whom why will with would you your yours yes d m
""".split())

# Very common English words that carry little meaning alone: as a rubric keyword they match answers
# that say something else ("rate" in "disagreement rate", "test" in "I did not test it").
COMMON_WORDS = frozenset("""
able also always another answer area away back bad best better big case change come day different
done early end even ever every fact far feel find first get give go good great group hand help high
idea important keep kind know large last least less let life like line little long look lot low make
many may maybe might much must need never new next nothing number often old one only order part
people place point problem put real really right run running same say see seem set show side small
something sometimes start still sure take tell test thing things think time try turn two use used
using want way well whole work world worse wrong year
""".split())

# Words that make a claim absolute; test-wise learners know an option with them is usually wrong.
ABSOLUTE_WORDS = frozenset("""
always never only all none every everything nothing everyone nobody guaranteed guarantee guarantees
completely entirely totally impossible perfect perfectly
""".split())

_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ers", "es", "ed", "er", "ly", "s")


def words(text: str) -> list[str]:
    """Lower-case words as the grader sees them (accents, punctuation and apostrophes split off)."""
    return _WORD.findall(normalise(text))


def stem(word: str) -> str:
    """A crude stem, enough to see that "distilled" echoes "distillation" and "teachers" "teacher"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> dict[str, str]:
    """{stem: first word with it} for the words that carry meaning (no stop or very common words)."""
    out: dict[str, str] = {}
    for word in words(text):
        if len(word) > 2 and word not in STOP_WORDS and word not in COMMON_WORDS and not word.isdigit():
            out.setdefault(stem(word), word)
    return out


def one_common_word(text: str) -> bool:
    """A single very common word: phrases ("test set") are specific enough, "test" alone is not."""
    found = words(text)
    return len(found) == 1 and found[0] in COMMON_WORDS

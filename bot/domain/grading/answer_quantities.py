"""Numbers with their units and ratios in one canonical spelling, so equal quantities compare equal.

Works on a normalised word list (number words already digits). "3.0" is "3"; "3mo", "3 mths" and
"3 months" are "3 month"; "4 times", "x4", "fourfold" and "a factor of 4" are "4x"; a size given as
a share or a cut becomes the factor it shrinks by: "75% smaller", "a quarter of the size" and "25% of
the size" are all "4x". Every rewrite yields a spelling the rules leave alone, so this is idempotent.
"""
from __future__ import annotations

import re

_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_FACTOR = re.compile(r"^(\d+(?:\.\d+)?)(?:x|fold|times)$")
_X_FIRST = re.compile(r"^x(\d+(?:\.\d+)?)$")
_NUMBER_THEN_WORD = re.compile(r"^(\d+(?:\.\d+)?)([a-z]+)$")

UNITS = {
    "month": ("month", "months", "mo", "mos", "mth", "mths", "mnth", "mnths"),
    "year": ("year", "years", "yr", "yrs"),
    "week": ("week", "weeks", "wk", "wks"),
    "day": ("day", "days"),
    "hour": ("hour", "hours", "hr", "hrs"),
    "minute": ("minute", "minutes", "min", "mins"),
    "bit": ("bit", "bits"),
    "byte": ("byte", "bytes"),
    "gb": ("gb", "gig", "gigs", "gigabyte", "gigabytes"),
    "mb": ("mb", "megabyte", "megabytes"),
    "percent": ("percent", "pct"),
    "dollar": ("dollar", "dollars", "usd", "bucks"),
}
_UNIT_OF = {spelling: unit for unit, spellings in UNITS.items() for spelling in spellings}
_FACTOR_WORDS = ("x", "times", "fold")
_FOLD_WORDS = {"twofold": 2, "threefold": 3, "fourfold": 4, "fivefold": 5, "sixfold": 6, "eightfold": 8,
               "tenfold": 10, "hundredfold": 100}
_FRACTION_WORDS = {"half": "1/2", "quarter": "1/4", "third": "1/3", "fourth": "1/4", "eighth": "1/8"}
_ONLY_AFTER_ONE = {"third", "fourth", "eighth"}  # "a third" is a share; "the third month" is not
_ONE = ("a", "an", "1")
_SHARE_AFTER = {"of", "the", "as", "size"}  # "25% of the size", "1/4 the size", "a quarter as big"
_SHARE_BEFORE = {"to", "at"}  # "shrinks to a quarter"
_CUT_AFTER = {"smaller", "less", "lower", "fewer", "reduction", "decrease", "saving", "savings", "off", "cut", "drop"}
_CUT_VERBS = {"reduce", "reduces", "reduced", "reducing", "cut", "cuts", "shrink", "shrinks", "shrunk", "lower",
              "lowers", "lowered", "decrease", "decreases", "decreased", "save", "saves", "saving", "drop", "drops",
              "compress", "compresses"}


def canonical_quantities(words: list[str]) -> list[str]:
    words = _fraction_words(_split_number_suffixes(words))
    words = _factors(words)
    words = _units(words)
    return _shares(words)


def is_number(word: str) -> bool:
    return bool(_NUMBER.match(word) or _FRACTION.match(word))


def _canonical_number(word: str) -> str:
    """ "3.0" -> "3", "0.50" -> "0.5": one spelling per value."""
    if "." in word and _NUMBER.match(word):
        word = word.rstrip("0").rstrip(".")
    return word


def _split_number_suffixes(words: list[str]) -> list[str]:
    """ "3mo" -> "3 mo", "27k" -> "27000", "x4" -> "4x"; other letter suffixes ("3rd") stay."""
    out: list[str] = []
    for word in words:
        word = _canonical_number(word)
        x_first = _X_FIRST.match(word)
        if x_first:
            word = f"{_canonical_number(x_first.group(1))}x"
        joined = _NUMBER_THEN_WORD.match(word)
        if joined and joined.group(2) == "k":
            out.append(_canonical_number(str(float(joined.group(1)) * 1000)))
        elif joined and joined.group(2) in _UNIT_OF:
            out += [_canonical_number(joined.group(1)), joined.group(2)]
        elif joined and joined.group(2) in _FACTOR_WORDS:
            out.append(f"{_canonical_number(joined.group(1))}x")
        else:
            out.append(word)
    return out


def _factors(words: list[str]) -> list[str]:
    """ "4 times", "4 x", "4 fold", "a factor of 4", "fourfold" -> "4x"."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
        after = words[i + 2] if i + 2 < len(words) else ""
        if _NUMBER.match(word) and nxt in _FACTOR_WORDS:
            out.append(f"{word}x")
            i += 2
        elif word == "factor" and (_NUMBER.match(nxt) or (nxt == "of" and _NUMBER.match(after))):
            if out and out[-1] == "a":
                out.pop()  # "by a factor of 4" -> "by 4x"
            out.append(f"{after if nxt == 'of' else nxt}x")
            i += 3 if nxt == "of" else 2
        elif word in _FOLD_WORDS:
            out.append(f"{_FOLD_WORDS[word]}x")
            i += 1
        else:
            out.append(word)
            i += 1
    return out


def _units(words: list[str]) -> list[str]:
    """A unit right after a number takes its canonical name: "3 mths" -> "3 month"."""
    return [_UNIT_OF.get(w, w) if i and is_number(words[i - 1]) else w for i, w in enumerate(words)]


def _factor_token(share: float) -> str:
    """The factor a size shrinks by when it keeps `share` of itself: 0.25 -> "4x"."""
    factor = 1 / share
    if abs(factor - round(factor)) < 0.01:
        return f"{round(factor)}x"
    return f"{factor:.2f}".rstrip("0").rstrip(".") + "x"


def _shares(words: list[str]) -> list[str]:
    """Fractions and percentages of a size, and cuts by a percentage, become the factor ("4x")."""
    has_cut_verb = any(w in _CUT_VERBS for w in words)
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        percent = bool(_NUMBER.match(word)) and i + 1 < len(words) and words[i + 1] == "percent"
        value = _value(word, percent)
        end = i + 2 if percent else i + 1
        nxt = words[end] if end < len(words) else ""
        before = out[-1] if out else ""
        if value is not None and 0 < value < 1:
            if nxt in _SHARE_AFTER or before in _SHARE_BEFORE:
                out.append(_factor_token(value))
                i = end
                continue
            if percent and (nxt in _CUT_AFTER or (before == "by" and has_cut_verb)):
                out.append(_factor_token(1 - value))
                i = end
                continue
        out.append(word)
        i += 1
    return out


def _value(word: str, percent: bool) -> float | None:
    if percent:
        return float(word) / 100
    fraction = _FRACTION.match(word)
    if fraction and int(fraction.group(2)):
        return int(fraction.group(1)) / int(fraction.group(2))
    return None


def _fraction_words(words: list[str]) -> list[str]:
    """ "a quarter" / "quarter" -> "1/4", "one third" -> "1/3"; "the third month" stays."""
    out: list[str] = []
    for word in words:
        if word in _FRACTION_WORDS:
            after_one = bool(out) and out[-1] in _ONE
            if word in _ONLY_AFTER_ONE and not after_one:
                out.append(word)
                continue
            if after_one:
                out.pop()
            out.append(_FRACTION_WORDS[word])
        else:
            out.append(word)
    return out

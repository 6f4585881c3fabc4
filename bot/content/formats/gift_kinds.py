"""GIFT answer blocks as our question kinds, or the reason a question cannot be one.

Weights: our single-choice question has exactly one right choice, so the choice worth 100% (or
marked `=` without a weight) is the key, and choices worth 0% or less are wrong (a penalty is not
kept). A choice, answer or number worth between 0% and 100% is partial credit, which we cannot
represent: such a question is skipped with its line, as are several fully right choices.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from bot.content.formats.base import Skipped
from bot.content.formats.build import slugify, stable_hash
from bot.content.formats.gift_syntax import Answer, Block, GiftError, answers, plain, restore, split_feedback
from bot.content.schema import NumericAnswer
from bot.domain.grading.answer_text import catch_all_reason
from bot.domain.kinds.numeric import answer_text

Lines = Mapping[tuple[str | int, ...], int]  # a field inside the question -> its line
MAX_CHOICES = 6  # the schema's limit: one chat message's row of buttons
MAX_NUMBERS = 10
_TRUE_FALSE = re.compile(r"\s*(T|TRUE|F|FALSE)\s*(#.*)?", re.DOTALL)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*")
_TOLERANCE = re.compile(rf"\s*({_NUMBER})\s*(?::\s*({_NUMBER}))?\s*")


@dataclass(frozen=True)
class Parsed:
    """A question's kind-specific fields, its right answer in words, its feedback and finer lines."""

    data: dict[str, object]
    answer: str
    feedback: str | None
    lines: Lines


class Unrepresentable(Exception):
    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind, self.reason = kind, reason

    def skipped(self, line: int) -> Skipped:
        return Skipped(line, self.kind, self.reason)


def _is_key(a: Answer) -> bool:
    return a.weight == 100 or (a.right and a.weight is None)


def _partial(found: Sequence[Answer], fmt: str, what: str) -> None:
    for a in found:
        if a.weight is not None and 0 < a.weight < 100:
            raise Unrepresentable("partial credit", f"{what} '{plain(a.text, fmt)[:60]}' is worth {a.weight:g}%: "
                                  "partial credit cannot be represented (one answer is right, the rest wrong)")


def feedback(general: str | None, right: Sequence[str | None], others: Sequence[tuple[str, str | None]],
             fmt: str) -> str | None:
    """The general feedback, then the right answers' feedback, then why each wrong answer is wrong."""
    parts = [plain(general, fmt), *(plain(f, fmt) for f in right)]
    parts += [f"Not “{text}”: {plain(f, fmt)}" for text, f in others if plain(f, fmt)]
    return "\n\n".join(p for p in parts if p) or None


def choice_ids(texts: Sequence[str]) -> list[str]:
    """Ids from the choices' words, so a re-import with the choices reordered keeps what each means."""
    ids: list[str] = []
    for text in texts:
        base = slugify(text, 24) or "c-" + stable_hash(text)[:6]
        cid, n = base, 2
        while cid in ids:
            cid, n = f"{base[:21]}-{n}", n + 1
        ids.append(cid)
    return ids


def multiple_choice(part: str, start: int, block: Block, fmt: str, general: str | None) -> Parsed:
    found = answers(part, start)
    _partial(found, fmt, "choice")
    keys = [a for a in found if _is_key(a)]
    if len(keys) != 1:
        raise Unrepresentable("multiple answers" if keys else "no right choice",
                              f"{len(keys)} choices are fully right; a question here has exactly one right choice")
    if len(found) > MAX_CHOICES:
        raise Unrepresentable("too many choices", f"{len(found)} choices; a question here has at most {MAX_CHOICES}")
    texts = [plain(a.text, fmt) for a in found]
    for a, text in zip(found, texts, strict=True):
        if not text:
            raise GiftError("answers", "an answer has no text after its = or ~", block.line_at(a.offset))
    ids = choice_ids(texts)
    choices = [{"id": cid, "text": text, **({"correct": True} if _is_key(a) else {})}
               for cid, text, a in zip(ids, texts, found, strict=True)]
    key_text = texts[found.index(keys[0])]
    others = [(t, a.feedback) for t, a in zip(texts, found, strict=True) if a is not keys[0]]
    lines: Lines = {("choices", i): block.line_at(a.offset) for i, a in enumerate(found)}
    return Parsed({"kind": "single_choice", "choices": choices}, f"“{key_text}”",
                  feedback(general, [keys[0].feedback], others, fmt), lines)


def true_false(part: str, general: str | None, fmt: str) -> Parsed | None:
    match = _TRUE_FALSE.fullmatch(part)
    if match is None:
        return None
    truth = match.group(1).startswith("T")
    wrong, right = (match.group(2)[1:].split("#", 1) + [None])[:2] if match.group(2) else (None, None)
    choices = [{"id": "true", "text": "True", **({"correct": True} if truth else {})},
               {"id": "false", "text": "False", **({} if truth else {"correct": True})}]
    other = "False" if truth else "True"
    return Parsed({"kind": "single_choice", "choices": choices}, "True" if truth else "False",
                  feedback(general, [right], [(other, wrong)], fmt), {})


def short_answer(part: str, start: int, block: Block, fmt: str, general: str | None) -> Parsed:
    found = answers(part, start)
    _partial(found, fmt, "answer")
    keys = [a for a in found if _is_key(a)]
    if not keys:
        raise Unrepresentable("no right answer", "no answer is fully right")
    accepted = [plain(a.text, fmt) for a in keys]
    for a, text in zip(keys, accepted, strict=True):
        if not text:
            raise GiftError("answers", "an answer has no text after its =", block.line_at(a.offset))
        if "*" in text:
            raise Unrepresentable("wildcard", f"'{text[:60]}' uses Moodle's * wildcard; answers here are matched "
                                  "as words")
        why = catch_all_reason(text)
        if why:
            raise Unrepresentable("catch-all answer", f"accepted answer '{text[:60]}' {why}")
    others = [(plain(a.text, fmt), a.feedback) for a in found if not _is_key(a)]
    lines: Lines = {("accepted", i): block.line_at(a.offset) for i, a in enumerate(keys)}
    return Parsed({"kind": "free_text", "accepted": accepted}, f"“{accepted[0]}”",
                  feedback(general, [a.feedback for a in keys], others, fmt), lines)


def _number_answer(spec: str, line: int) -> dict[str, float]:
    if (match := _RANGE.fullmatch(spec)) is not None:
        values = {"min": float(match.group(1)), "max": float(match.group(2))}
    elif (match := _TOLERANCE.fullmatch(spec)) is not None:
        values = {"value": float(match.group(1)), **({"tolerance": abs(float(match.group(2)))} if match.group(2) else {})}
    else:
        raise GiftError("answers", f"'{spec.strip()[:40]}' is not a number, number:tolerance or min..max range", line)
    try:
        NumericAnswer.model_validate(values)
    except ValidationError as exc:
        raise GiftError("answers", f"'{spec.strip()[:40]}': {exc.errors()[0]['msg'].removeprefix('Value error, ')}",
                        line) from None
    return values


def numeric(part: str, start: int, block: Block, fmt: str, general: str | None) -> Parsed:
    body_at = part.index("#") + 1
    body = part[body_at:]
    if "=" in body or "~" in body:
        found = answers(body, start + body_at)
    else:
        text, fb = split_feedback(body)
        found = [Answer(True, None, text, fb, start + body_at)]
    _partial(found, fmt, "number")
    keys = [a for a in found if _is_key(a)]
    if not keys:
        raise Unrepresentable("no right answer", "no number is fully right")
    if len(keys) > MAX_NUMBERS:
        raise Unrepresentable("too many answers", f"{len(keys)} right numbers; at most {MAX_NUMBERS}")
    values = [_number_answer(restore(a.text), block.line_at(a.offset)) for a in keys]
    words = " or ".join(answer_text(NumericAnswer.model_validate(v)) for v in values)
    others = [(restore(a.text).strip(), a.feedback) for a in found if not _is_key(a)]
    lines: Lines = {("answers", i): block.line_at(a.offset) for i, a in enumerate(keys)}
    return Parsed({"kind": "numeric", "answers": values}, words,
                  feedback(general, [a.feedback for a in keys], others, fmt), lines)

"""A lesson as a Moodle GIFT file that our GIFT importer (and Moodle) reads back to the same questions.

Each question gets its id as `::title::` (so a re-import keeps the id), its first tag as its
`$CATEGORY:`, and its explanation as general feedback `####`. Text with `<` or `&` is marked
`[plain]`, so neither Moodle nor our importer reads it as HTML. The lesson's title, summary and
snippets become `//` comments. Difficulty, sources and lint waivers have no place in GIFT and are
left out; a free-text question graded by a rubric cannot be written, and is listed as skipped.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bot.content.formats.base import Skipped
from bot.content.formats.gift_syntax import escape, text_format
from bot.content.schema import FreeTextQuestion, Lesson, NumericAnswer, NumericQuestion, Question, SingleChoiceQuestion
from bot.domain.kinds.numeric import answer_text

_TOP = "$course$/top"


def _comment(text: str) -> Iterator[str]:
    for line in text.splitlines():
        yield f"// {line}".rstrip()


def _is_true_false(q: SingleChoiceQuestion) -> bool:
    return sorted(c.text.strip().casefold() for c in q.choices) == ["false", "true"]


def _number(answer: NumericAnswer) -> str:
    return answer_text(answer, between="..", give_or_take=":{}")


def _answers(q: Question) -> str | None:
    """The inside of the answer block, or None when GIFT cannot express the question."""
    if isinstance(q, SingleChoiceQuestion):
        if _is_true_false(q):
            return "TRUE" if next(c for c in q.choices if c.correct).text.strip().casefold() == "true" else "FALSE"
        return "\n" + "\n".join(f"{'=' if c.correct else '~'}{escape(c.text)}" for c in q.choices) + "\n"
    if isinstance(q, FreeTextQuestion):
        if q.rubric or not q.accepted:
            return None
        return "\n" + "\n".join(f"={escape(a)}" for a in q.accepted) + "\n"
    if isinstance(q, NumericQuestion):
        if len(q.answers) == 1:
            return "#" + _number(q.answers[0])
        return "#\n" + "\n".join(f"={_number(a)}" for a in q.answers) + "\n"
    return None


def _texts(q: Question) -> list[str]:
    texts = [q.prompt, q.explanation]
    if isinstance(q, SingleChoiceQuestion):
        texts += [c.text for c in q.choices]
    elif isinstance(q, FreeTextQuestion):
        texts += q.accepted
    return texts


def gift_text(lesson: Lesson) -> tuple[str, list[Skipped]]:
    lines = [*_comment(f"{lesson.title} ({lesson.id})"), *_comment(lesson.summary)]
    for snippet in lesson.snippets:
        lines += ["//", *_comment(f"{snippet.title}: {snippet.body}")]
    lines.append("")
    skipped: list[Skipped] = []
    category: str | None = None
    for q in lesson.questions:
        inside = _answers(q)
        if inside is None:
            skipped.append(Skipped(None, q.kind, "graded by a rubric, which GIFT cannot express", q.id))
            continue
        wanted = q.tags[0] if q.tags else None
        if wanted != category:
            lines += [f"$CATEGORY: {_TOP}" + (f"/{wanted}" if wanted else ""), ""]
            category = wanted
        # [plain]: text with < or & would be read as HTML, and a prompt starting "[html]" as a format
        plain = any("<" in t or "&" in t for t in _texts(q)) or text_format(q.prompt)[1] != q.prompt
        marker = "[plain]" if plain else ""
        lines += [f"::{q.id}::{marker}{escape(q.prompt)} {{{inside}####{escape(q.explanation)}}}", ""]
    return "\n".join(lines), skipped


def write_gift(lesson: Lesson, path: Path) -> list[Skipped]:
    text, skipped = gift_text(lesson)
    path.write_text(text, encoding="utf-8")
    return skipped

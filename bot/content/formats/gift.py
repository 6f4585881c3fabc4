"""Moodle GIFT: the importer and the exporter (https://docs.moodle.org/en/GIFT_format).

Imported: multiple choice (with feedback and weights: see gift_kinds), true/false, short answer
(free_text accepted answers), numerical (our `numeric` kind: tolerance, ranges, several answers),
`::titles::` (the question id), `$CATEGORY:` (tags, and the title when there is one category),
`// comments`, escapes, `[html]`/`[moodle]` text (tags stripped), general feedback `####`.
Skipped with their line: descriptions, essays, matching, missing-word and cloze questions, partial
credit, several right choices, more choices than a question may have.
"""
from __future__ import annotations

import re
from pathlib import Path

from bot.content.formats import gift_kinds
from bot.content.formats.base import Exporter, Importer, ImportOptions, ImportRead, Skipped
from bot.content.formats.build import ImportedQuestion, build_lesson, question_id, slugify
from bot.content.formats.files import ImportRefused, read_import_text
from bot.content.formats.gift_export import write_gift
from bot.content.formats.gift_syntax import PRIVATE_USE, Block, GiftError, blocks, plain, restore, text_format
from bot.content.sources.base import ContentProblem

LABEL = "Moodle GIFT"
_TITLE = re.compile(r"\s*::(.*?)::", re.DOTALL)
_CATEGORY_ROOTS = re.compile(r"^(?:\$(?:course|system|module|cat\d+)\$/?)?(?:top(?:/|$))?")


def category_of(line: str) -> str | None:
    """The last part of a `$CATEGORY:` path ('$course$/top/Physics/Optics' -> 'Optics'), None for the top."""
    path = _CATEGORY_ROOTS.sub("", restore(line.split(":", 1)[1]).strip())
    parts = [p.strip() for p in path.split("/") if p.strip()]
    return parts[-1] if parts else None


def _braces(rest: str, block: Block, at: int) -> tuple[int, int]:
    """Where the answer block opens and closes in `rest` (which starts at offset `at` of the block)."""
    open_at, close_at = rest.find("{"), rest.find("}")
    if open_at < 0:
        if close_at >= 0:
            raise GiftError("answers", "'}' with no '{' before it; write \\} for the character itself",
                            block.line_at(at + close_at))
        raise gift_kinds.Unrepresentable("description", "no answer block: a description, not a question")
    if close_at < 0:
        raise GiftError("answers", "the '{' opened here is never closed (a truncated file, or a '}' that lost its "
                        "line?)", block.line_at(at + open_at))
    if close_at < open_at:
        raise GiftError("answers", "'}' before the '{'; write \\} for the character itself", block.line_at(at + close_at))
    nested = rest.find("{", open_at + 1, close_at)
    if nested >= 0:
        raise GiftError("answers", "a second '{' before the first is closed; write \\{ for the character itself",
                        block.line_at(at + nested))
    after = rest[close_at + 1:]
    if "{" in after or "}" in after:
        raise gift_kinds.Unrepresentable("cloze", "several answer blocks in one question (cloze)")
    if after.strip():
        raise gift_kinds.Unrepresentable("missing word", "text after the answer block (a missing-word question)")
    return open_at, close_at


def _kind(part: str, start: int, block: Block, fmt: str, general: str | None) -> gift_kinds.Parsed:
    if not part.strip():
        raise gift_kinds.Unrepresentable("essay", "an essay (no answers to grade)")
    if part.lstrip().startswith("#"):
        return gift_kinds.numeric(part, start, block, fmt, general)
    if "~" in part:
        return gift_kinds.multiple_choice(part, start, block, fmt, general)
    if "->" in part:
        raise gift_kinds.Unrepresentable("matching", "a matching question (pairs with ->)")
    truth = gift_kinds.true_false(part, general, fmt)
    return truth or gift_kinds.short_answer(part, start, block, fmt, general)


def parse_question(block: Block, category: str | None) -> ImportedQuestion:
    """One question block; GiftError for bad syntax, Unrepresentable for a kind we cannot hold."""
    text, title, at = block.text, None, 0
    if text.lstrip().startswith("::"):
        match = _TITLE.match(text)
        if match is None:
            raise GiftError("title", "the '::' that opens the title is never closed", block.first_line)
        title, at = restore(match.group(1)).strip(), match.end()
    fmt, rest = text_format(text[at:])
    at = len(text) - len(rest)
    open_at, close_at = _braces(rest, block, at)
    prompt = plain(rest[:open_at], fmt)
    if not prompt:
        raise GiftError("prompt", "the question has no text before its '{'", block.first_line)
    inside = rest[open_at + 1:close_at]
    part, general = inside.split("####", 1) if "####" in inside else (inside, None)
    parsed = _kind(part, at + open_at + 1, block, fmt, general)
    tags = [t for t in [slugify(category or "")] if t]
    data = {"id": question_id(title, prompt + "\n" + restore(part)), "kind": parsed.data["kind"], "prompt": prompt,
            **parsed.data, **({"tags": tags} if tags else {})}
    return ImportedQuestion(block.first_line, data, parsed.answer, parsed.feedback,
                            {**parsed.lines, ("prompt",): block.first_line})


def read_gift(path: Path, options: ImportOptions) -> ImportRead:
    """One GIFT file as one lesson, with every syntax problem found and every skipped question listed."""
    origin = str(path)
    try:
        source = read_import_text(path)
    except ImportRefused as refused:
        return ImportRead([refused.problem])
    odd = PRIVATE_USE.search(source)
    if odd:
        line = source.count("\n", 0, odd.start()) + 1
        return ImportRead([ContentProblem(origin, "text", "private-use characters (U+E000-U+E006) are not "
                                          "allowed in a GIFT file", line)])
    found = blocks(source)
    if not found:
        return ImportRead([ContentProblem(origin, "", "the file has no questions (it is empty, or only comments)", 1)])
    questions: list[ImportedQuestion] = []
    skipped: list[Skipped] = []
    problems: list[ContentProblem] = []
    categories: list[str] = []
    category: str | None = None
    for block in found:
        if block.text.lstrip().startswith("$CATEGORY:"):
            category = category_of(block.text)
            if category and category not in categories:
                categories.append(category)
            continue
        try:
            questions.append(parse_question(block, category))
        except GiftError as err:
            problems.append(ContentProblem(origin, err.field, err.message, err.line))
        except gift_kinds.Unrepresentable as why:
            skipped.append(why.skipped(block.first_line))
        except ValueError as err:  # an answer block that does not start with = or ~
            problems.append(ContentProblem(origin, "answers", str(err), block.first_line))
    if problems:
        return ImportRead(list(problems), skipped=skipped)
    return build_lesson(path, questions, skipped, options, LABEL, categories=categories)


IMPORTER = Importer(name="gift", label=LABEL, suffixes=(".gift", ".txt"), read=read_gift)
EXPORTER = Exporter(name="gift", label=LABEL, suffix=".gift", write=write_gift)

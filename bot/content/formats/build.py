"""Building one lesson from imported questions, the same way for every format.

Ids are stable across re-imports: a question's id comes from the source's own id or title when it
has one, or else from a hash of its text, never from its position. The lesson gets one snippet
saying where its questions came from. A question's explanation is the source's feedback; when the
source has none, a plain "The answer is …" that says so.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.formats.base import ImportOptions, ImportRead, Skipped
from bot.content.schema import SNIPPET_BODY_MAX
from bot.content.sources.base import ContentProblem, Loc, SourcedLesson, format_loc, validate_lesson
from bot.domain import kinds  # a module, not its names: bot.domain.kinds imports bot.content.schema

SLUG_MAX = 64  # the schema's Slug pattern allows 64 characters
HASH_CHARS = 10  # 40 bits of a SHA-1: a collision inside one catalog is not a practical worry
MAX_FIELD_CHARS = 4000  # one text of a question: a chat message holds about this much (Discord: 4096)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """Lower-case ASCII words joined by '-' (accents dropped); '' when nothing of the text is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) <= limit:
        return slug
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]  # two long titles that share a start stay apart
    return f"{slug[:limit - 7].rstrip('-')}-{digest}"


def stable_hash(text: str) -> str:
    """A hex digest of the text's words, so re-wrapped or re-cased text hashes the same."""
    normal = " ".join(text.split()).casefold()
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


def question_id(source_id: str | None, text: str) -> str:
    """The source's id as a slug when it has a usable one, else 'q-' and a hash of the question's text."""
    slug = slugify(source_id or "")
    return slug or "q-" + stable_hash(text)[:HASH_CHARS]


def explanation(feedback: str | None, answer: str, label: str) -> str:
    """The format's feedback, or a plain statement of the answer that says the source gave no reason."""
    if feedback and feedback.strip():
        return feedback.strip()
    return f"The answer is {answer}. (The {label} source gives no explanation for this question.)"


@dataclass(frozen=True)
class ImportedQuestion:
    """One question read from a source, in our schema's fields except `explanation`."""

    line: int  # where the question starts in the input
    data: dict[str, object]  # id, kind, prompt, choices / accepted / answers, tags, …
    answer: str  # the right answer in words, for the explanation when the source has no feedback
    feedback: str | None = None
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict)  # finer lines: ("choices", 1) -> 7


def _locate(questions: Sequence[ImportedQuestion]) -> Callable[[Loc], int | None]:
    def locate(loc: Loc) -> int | None:
        if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int) and loc[1] < len(questions):
            q = questions[loc[1]]
            rest = tuple(part for part in loc[2:] if part not in kinds.KINDS)  # pydantic's union branch names
            for n in range(len(rest), 0, -1):
                if rest[:n] in q.lines:
                    return q.lines[rest[:n]]
            return q.line
        return 1
    return locate


def _too_long(origin: str, questions: Sequence[ImportedQuestion]) -> list[ContentProblem]:
    """Texts no chat message could show, named by their field and line."""
    problems = []

    def walk(value: object, loc: tuple[str | int, ...]) -> None:
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            problems.append(ContentProblem(origin, format_loc(loc), f"{len(value):,} characters; a question's "
                                           f"text may have at most {MAX_FIELD_CHARS:,}", _locate(questions)(loc)))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, (*loc, i))

    for i, q in enumerate(questions):
        walk({**q.data, "explanation": q.feedback or ""}, ("questions", i))
    return problems


def _same_ids(origin: str, questions: Sequence[ImportedQuestion]) -> list[ContentProblem]:
    """Two questions of the file with one id: the second is named, with where the first is."""
    first: dict[object, int] = {}
    problems = []
    for i, q in enumerate(questions):
        qid = q.data.get("id")
        if qid in first:
            problems.append(ContentProblem(origin, f"questions[{i}].id", f"'{qid}' is also the id of the question at "
                                           f"line {first[qid]}: ids come from the source's own id or title, or from "
                                           "the question's text; give the two different ones", q.line))
        first.setdefault(qid, q.line)
    return problems


def _snippet(path: Path, label: str, count: int, skipped: Sequence[Skipped], categories: Sequence[str],
             source_note: str | None = None) -> dict:
    body = f"These {count} question{'s' if count != 1 else ''} were imported from {path.name}, a {label} file."
    if source_note:
        body += f" {source_note}"
    if categories:
        body += " Its categories: " + ", ".join(categories) + "."
    if skipped:
        body += (f" {len(skipped)} question{'s' if len(skipped) != 1 else ''} in it could not be represented "
                 "here and were left out.")
    return {"title": "Where these questions come from", "body": body[:SNIPPET_BODY_MAX]}


def _left_out(questions: Sequence[ImportedQuestion], skipped: Sequence[Skipped]) -> list[Skipped]:
    """The skips that left a whole question out: one at the line of an imported question (an answer
    alias the schema refuses) left out only part of it."""
    kept = {q.line for q in questions}
    return [s for s in skipped if s.line not in kept]


def build_lesson(path: Path, questions: Sequence[ImportedQuestion], skipped: Sequence[Skipped],
                 options: ImportOptions, label: str, *, categories: Sequence[str] = (),
                 source_note: str | None = None) -> ImportRead:
    """The lesson as our schema sees it, or its problems; `categories` become the lesson's tags and
    `source_note` (who wrote the questions, what of the file was left aside) joins the snippet."""
    origin = str(path)
    if not questions:
        why = f" ({len(skipped)} skipped: see the list above)" if skipped else ""
        return ImportRead([ContentProblem(origin, "questions", f"no question in this file could be imported{why}")],
                          skipped=list(skipped))
    invalid = _too_long(origin, questions) + _same_ids(origin, questions)
    if invalid:
        return ImportRead(list(invalid), skipped=list(skipped))
    tags = list(dict.fromkeys(t for t in (slugify(c) for c in categories) if t))
    title = options.title or (categories[-1] if len(categories) == 1 else path.stem.replace("_", " ").strip())
    data = {
        "id": options.lesson_id or slugify(path.stem) or question_id(None, path.name),
        "title": title,
        "summary": options.summary or f"Questions imported from {path.name} ({label}).",
        "order": options.order,
        "tags": tags,
        "snippets": [_snippet(path, label, len(questions), _left_out(questions, skipped), categories, source_note)],
        "questions": [{**q.data, "explanation": explanation(q.feedback, q.answer, label)} for q in questions],
    }
    result = validate_lesson(data, origin, _locate(questions))
    entries: list[SourcedLesson | ContentProblem] = [*result] if isinstance(result, list) else [result]
    return ImportRead(entries, skipped=list(skipped))

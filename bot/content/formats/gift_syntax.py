"""Moodle GIFT syntax: escapes, question blocks with their lines, and the answer block's parts.

A GIFT file is questions separated by blank lines: `// comment` lines, `$CATEGORY: path` lines,
`::title::`, an optional `[html|moodle|plain|markdown]` format, the text, and one `{…}` answer block
whose answers start with `=` (right) or `~` (wrong), may carry a weight `%50%` and a feedback `#…`,
and may end with a general feedback `####…`. `\\~ \\= \\# \\{ \\} \\:` are the characters themselves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.formats.text import html_to_text, tidy

SPECIALS = "~=#{}:"
# Escaped characters become private-use placeholders while the structure is parsed, as Moodle does.
_PLACEHOLDER = {c: chr(0xE000 + i) for i, c in enumerate("\\" + SPECIALS)}
_RESTORE = {v: k for k, v in _PLACEHOLDER.items()}
PRIVATE_USE = re.compile("[\ue000-\ue006]")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")


class GiftError(Exception):
    """A syntax error: `field` names the part of the question, `line` the line in the file."""

    def __init__(self, field: str, message: str, line: int):
        super().__init__(message)
        self.field, self.message, self.line = field, message, line


def hide_escapes(text: str) -> str:
    out = text.replace("\\\\", _PLACEHOLDER["\\"])
    for c in SPECIALS:
        out = out.replace("\\" + c, _PLACEHOLDER[c])
    return out


def restore(text: str) -> str:
    """Placeholders back to their characters, and `\\n` to a line break."""
    text = text.replace("\\n", "\n")
    return "".join(_RESTORE.get(c, c) for c in text)


def escape(text: str) -> str:
    """Plain text as GIFT text: specials and backslashes escaped, line breaks as `\\n`."""
    out = text.replace("\\", "\\\\")
    for c in SPECIALS:
        out = out.replace(c, "\\" + c)
    return out.replace("\r", "").replace("\n", "\\n")


@dataclass(frozen=True)
class Block:
    """One question block with escapes hidden: its text and the line each character is on."""

    text: str
    first_line: int
    line_starts: tuple[int, ...]  # offset in `text` where each following line starts

    def line_at(self, offset: int) -> int:
        return self.first_line + sum(1 for start in self.line_starts if start <= offset)


def blocks(source: str) -> list[Block]:
    """Blank-line separated blocks without their comment lines, each with the line it starts on."""
    out: list[Block] = []
    lines: list[str] = []
    first = 0
    for number, raw in enumerate(source.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            if lines:
                out.append(_block(lines, first))
            lines = []
            continue
        if stripped.startswith("$CATEGORY:"):  # a category line is a block of its own
            if lines:
                out.append(_block(lines, first))
            out.append(_block([f"{number}\0{raw}"], number))
            lines = []
            continue
        if not lines:
            first = number
        lines.append(f"{number}\0{raw}")  # the number rides along until the block is joined
    if lines:
        out.append(_block(lines, first))
    return out


def _block(numbered: list[str], first: int) -> Block:
    texts: list[str] = []
    starts: list[int] = []
    offset, previous = 0, first
    for item in numbered:
        number, raw = item.split("\0", 1)
        if texts:
            offset += len(texts[-1]) + 1
            starts.extend([offset] * (int(number) - previous))  # comment lines in between still count
        previous = int(number)
        texts.append(hide_escapes(raw))
    return Block("\n".join(texts), first, tuple(starts))


@dataclass(frozen=True)
class Answer:
    right: bool  # marked `=`
    weight: float | None  # the `%n%` percentage, if given
    text: str
    feedback: str | None
    offset: int  # where it starts in the block


def split_feedback(text: str) -> tuple[str, str | None]:
    if "#" in text:
        body, feedback = text.split("#", 1)
        return body, feedback
    return text, None


def answers(part: str, start: int) -> list[Answer]:
    """The `=`/`~` answers of an answer block (without its general feedback); `start` is its offset."""
    found: list[Answer] = []
    pieces = re.split(r"([=~])", part)
    lead = pieces[0]
    if lead.strip():
        raise ValueError(f"'{restore(lead.strip())[:40]}' comes before the first answer; start each answer "
                         "with = (right) or ~ (wrong)")
    offset = start + len(lead)
    for marker, written in zip(pieces[1::2], pieces[2::2], strict=True):
        weight, body = None, written
        match = _WEIGHT.match(body)
        if match:
            weight = float(match.group(1))
            body = body[match.end():]
        text, feedback = split_feedback(body)
        found.append(Answer(marker == "=", weight, text, feedback, offset))
        offset += 1 + len(written)
    return found


def text_format(text: str) -> tuple[str, str]:
    """('html'|'moodle'|'plain'|'markdown', the text after the marker); Moodle's default is 'moodle'."""
    match = _FORMAT.match(text)
    if match:
        return match.group(1).lower(), text[match.end():]
    return "moodle", text


def plain(text: str | None, fmt: str) -> str:
    """Restored GIFT text as plain text: HTML formats lose their tags; plain and markdown are kept."""
    if text is None:
        return ""
    restored = restore(text)
    if fmt in ("html", "moodle") and ("<" in restored or "&" in restored):
        return html_to_text(restored)
    return tidy(restored)

"""Turning the text an importer meets (HTML, HTML entities, control characters) into plain text.

Lesson text is plain text that each door renders its own way, so markup from another tool is never
passed on: tags are dropped (with what is inside <script> and <style>), block tags become line
breaks, entities become the characters they name. Nothing here evaluates or fetches anything.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe", "object"})
_BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table",
                     "blockquote", "pre", "hr"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # depth inside a tag whose content is not text (script, style)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.hidden += 1
        elif tag in _BREAKS:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and not self.hidden:
                self.parts.append(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _DROPPED:  # <script/> opens nothing to close
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def tidy(text: str) -> str:
    """Control characters out, runs of spaces as one, at most one blank line, no spaces at either end."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    """The words of an HTML fragment as plain text; a script's code or a tag never survives as text."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return tidy("".join(parser.parts))


def unescape_entities(text: str) -> str:
    """'&amp;quot;' style entities (Open Trivia DB, Anki) as the characters they name, once."""
    return tidy(html.unescape(text))

"""HTML from an imported field reduced to its plain text, never to markup.

The doors show question text as text; any tag left in it would only be noise, and a script or a
style sheet is not question text at all. The standard library's tokenising parser reads the markup
(it never fetches, renders or runs anything); what is kept is the text between tags, with entities
decoded and block-level tags read as line breaks.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

_BREAKS = frozenset("br p div li tr h1 h2 h3 h4 h5 h6 ul ol table blockquote pre hr".split())
_DROPPED = frozenset("script style template noscript iframe object head title".split())


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0  # nesting depth inside elements whose content is not text to keep

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropping += 1
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The text a reader sees in `markup`: tags gone, entities decoded, one blank line at most."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).replace("\xa0", " ").splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

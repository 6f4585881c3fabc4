"""What text a person may hand the engine: how much in one go (longer input is cut before anything parses
it, so no matching, splitting or lookup ever runs on a megabyte someone pasted), and what a name shown to
others may contain. Every door uses the same limits."""
from __future__ import annotations

import re

NAME_TEXT_MAX = 200  # a lesson, group, period or time zone name: anything longer names nothing
ANSWER_TEXT_MAX = 2000  # a typed answer, as graded and stored
NAME_MAX = 100  # a display name
USER_ID_MAX = 64  # the width of learner.user_id and community.external_id


def capped(text: str | None, limit: int = NAME_TEXT_MAX) -> str:
    return (text or "")[:limit]


# Terminal escape sequences (CSI such as ESC[31m, OSC such as a window title, two-character ESC x),
# dropped whole so no half of one is left behind in a name.
ESCAPE_SEQUENCE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -~]?")


def clean_name(name: str, limit: int = NAME_MAX) -> str:
    """Display names are shown to others, on every door: one line, bounded, and no control or format
    characters (C0, C1, ESC sequences, bidi overrides, lone surrogates from undecodable bytes)."""
    text = ESCAPE_SEQUENCE.sub("", (name or "")[:limit * 4])  # cut first: never scan a pasted megabyte
    text = " ".join("".join(ch for ch in text if ch.isprintable()).split())
    return text[:limit] or "someone"

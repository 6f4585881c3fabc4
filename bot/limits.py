"""How much text a person may hand the engine in one go: longer input is cut before anything parses it,
so no matching, splitting or lookup ever runs on a megabyte someone pasted."""
from __future__ import annotations

NAME_TEXT_MAX = 200  # a lesson, group, period or time zone name: anything longer names nothing


def capped(text: str | None, limit: int = NAME_TEXT_MAX) -> str:
    return (text or "")[:limit]

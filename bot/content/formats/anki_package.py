"""A lesson as an Anki package (.apkg): one deck of Basic notes built with genanki.

The deck and note type ids come from the lesson id and each note's guid from its question id, so a
package exported again after a lesson changes updates the notes a learner already has in Anki
instead of adding copies beside them.
"""
from __future__ import annotations

import hashlib
import html
from pathlib import Path

import genanki

from bot.content.formats.anki_text import anki_fields
from bot.content.formats.base import Exporter, Skipped
from bot.content.schema import Lesson

_ID_FLOOR, _ID_SPAN = 1 << 30, 1 << 30  # genanki's advice: ids between 2**30 and 2**31
_CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; }"


def anki_id(kind: str, lesson_id: str) -> int:
    """A deck or note-type id that is the same every time the lesson is exported."""
    digest = hashlib.sha256(f"quizbot-{kind}:{lesson_id}".encode()).digest()
    return _ID_FLOOR + int.from_bytes(digest[:8], "big") % _ID_SPAN


def note_guid(question_id: str) -> str:
    return str(genanki.guid_for("quizbot", question_id))


def _as_html(text: str) -> str:
    """Anki shows a field as HTML: our plain text is escaped, its line breaks kept."""
    return html.escape(text).replace("\n", "<br>")


def build_package(lesson: Lesson) -> genanki.Package:
    model = genanki.Model(
        anki_id("model", lesson.id), f"quizbot: {lesson.id}",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'}],
        css=_CSS,
    )
    deck = genanki.Deck(anki_id("deck", lesson.id), lesson.title, description=html.escape(lesson.summary))
    for q in lesson.questions:
        front, back = anki_fields(q)
        deck.add_note(genanki.Note(model=model, fields=[_as_html(front), _as_html(back)],
                                   tags=[*lesson.tags, *q.tags], guid=note_guid(q.id)))
    return genanki.Package(deck)


def write_anki_package(lesson: Lesson, path: Path) -> list[Skipped]:
    """Write the .apkg; genanki stamps the notes with the current time, which Anki uses to see updates."""
    build_package(lesson).write_to_file(str(path))
    return []  # every question has a front and a back


ANKI_PACKAGE = Exporter("anki", "Anki package (.apkg)", ".apkg", write_anki_package)

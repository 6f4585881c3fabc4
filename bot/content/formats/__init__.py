"""Importers and exporters for other tools' question formats, registered by the name `--format` takes.

A new format is one module here that builds an `Importer` and/or an `Exporter` (base.py) and one line
in each registry below. Shared: reading the input (files.py), building the lesson and its ids
(build.py), plain text from HTML (text.py), and the checked, write-once pipeline (pipeline.py).
"""
from __future__ import annotations

from bot.content.formats import gift
from bot.content.formats.anki_package import ANKI_PACKAGE
from bot.content.formats.anki_text import ANKI_TEXT, ANKI_TEXT_EXPORTER
from bot.content.formats.base import Exporter, Importer, ImportOptions, ImportRead, ImportSource, Skipped
from bot.content.formats.csv_table import CSV_EXPORTER, CSV_IMPORTER
from bot.content.formats.opentdb import OPENTDB
from bot.content.formats.red_trivia import RED_TRIVIA

# One line per format, in the order `--help` lists them.
_IMPORTERS: list[Importer] = [
    gift.IMPORTER,
    ANKI_TEXT,
    OPENTDB,
    RED_TRIVIA,
    CSV_IMPORTER,
]
_EXPORTERS: list[Exporter] = [
    gift.EXPORTER,
    ANKI_PACKAGE,
    ANKI_TEXT_EXPORTER,
    CSV_EXPORTER,
]
IMPORTERS: dict[str, Importer] = {importer.name: importer for importer in _IMPORTERS}
EXPORTERS: dict[str, Exporter] = {exporter.name: exporter for exporter in _EXPORTERS}

__all__ = ["EXPORTERS", "IMPORTERS", "Exporter", "ImportOptions", "ImportRead", "ImportSource", "Importer", "Skipped"]

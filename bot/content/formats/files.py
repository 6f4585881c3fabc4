"""Reading an input file for an importer: bounded in size, and UTF-8 or a clear error with its line.

The lesson files' size limit (bot.content.limits) holds for imports too: an import becomes one
lesson file, and a file larger than a lesson may be could never be loaded once written.
"""
from __future__ import annotations

import stat
from pathlib import Path

from bot.content.limits import MAX_LESSON_BYTES
from bot.content.sources.base import ContentProblem

_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16",
         b"\xfe\xff": "UTF-16"}
UTF8_BOM = b"\xef\xbb\xbf"


class ImportRefused(Exception):
    def __init__(self, problem: ContentProblem):
        super().__init__(str(problem))
        self.problem = problem


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_import_bytes(path: Path) -> bytes:
    """The file's bytes, refused from its size on disk before any of it is read."""
    shown = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ImportRefused(ContentProblem(shown, "", "not a regular file"))
        too_large = (f"is larger than the {MAX_LESSON_BYTES // 1024} KiB a lesson file may be; "
                     "split it into several files and import each")
        if info.st_size > MAX_LESSON_BYTES:
            raise ImportRefused(ContentProblem(shown, "", f"the file ({info.st_size:,} bytes) {too_large}"))
        with path.open("rb") as fh:
            data = fh.read(MAX_LESSON_BYTES + 1)  # bounded even if the file grew since stat
    except OSError as exc:
        raise ImportRefused(ContentProblem(shown, "", f"cannot read file: {exc.strerror or exc}")) from None
    if len(data) > MAX_LESSON_BYTES:
        raise ImportRefused(ContentProblem(shown, "", f"the file {too_large}"))
    return data


def decode_import_text(path: Path, data: bytes) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is allowed); anything else names the line where it fails."""
    shown = str(path)
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            raise ImportRefused(ContentProblem(shown, "encoding", f"the file is {name} text; save it as UTF-8 "
                                               "and import it again", 1))
    data = data.removeprefix(UTF8_BOM)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportRefused(ContentProblem(shown, "encoding", "the file holds NUL bytes, so it is not a text "
                                           "file (or it is UTF-16 without a byte-order mark); save it as UTF-8",
                                           _line_of(data, nul)))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ImportRefused(ContentProblem(shown, "encoding", f"not UTF-8 text (byte 0x{data[exc.start]:02X} at "
                                           f"column {column}; Latin-1 or Windows-1252?); save the file as UTF-8",
                                           line)) from None


def read_import_text(path: Path) -> str:
    """The file as text, or ImportRefused naming the file (and the line, where one is known)."""
    return decode_import_text(path, read_import_bytes(path))

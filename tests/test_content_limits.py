"""Hostile lesson files are refused before they cost time, memory or a traceback.

A lesson is a few kilobytes of plain mappings, lists and strings; the loader refuses a file over the
size limit (from its size on disk, before reading it), a document nested deeper than the depth limit
(on the YAML event stream, so the recursive composer never sees it), YAML tags and anchors/aliases.
Each refusal reads ``file: line N: message`` like every other content problem, and the bot does not
start on such content.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from bot.app import StartupError, start_app
from bot.content import ContentError, load_catalog, validate_paths
from bot.content.limits import MAX_DEPTH, MAX_LESSON_BYTES
from bot.settings import Settings

MINI = (FIXTURES / "content" / "mini.yml").read_text(encoding="utf-8")


def only_problem(path: Path) -> str:
    catalog, problems = validate_paths([path])
    assert catalog is None
    assert len(problems) == 1, [str(p) for p in problems]
    return str(problems[0])


def write(tmp_path: Path, text: str, name: str = "lesson.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def nested_title(depth: int, flow: str = "[]") -> str:
    """The mini lesson with its title replaced by `depth` nested flow collections, on line 2."""
    opening, closing = ("{a: " * depth, "}" * depth) if flow == "{}" else ("[" * depth, "]" * depth)
    return MINI.replace("title: A mini lesson", f"title: {opening}x{closing}")


@pytest.mark.parametrize("flow", ["[]", "{}"])
def test_a_document_nested_hundreds_deep_is_refused_with_file_and_line(tmp_path, flow):
    path = write(tmp_path, nested_title(600, flow))
    shown = only_problem(path)
    assert shown.startswith(f"{path}: line 2: "), shown
    assert f"nested deeper than {MAX_DEPTH} levels" in shown


def test_nesting_up_to_the_limit_is_only_a_schema_problem(tmp_path):
    # The root mapping is level 1, so the title's collections may go MAX_DEPTH - 1 deep.
    shown = only_problem(write(tmp_path, nested_title(MAX_DEPTH - 1)))
    assert "title: Input should be a valid string" in shown
    assert "nested deeper" in only_problem(write(tmp_path, nested_title(MAX_DEPTH), "deeper.yml"))


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write(tmp_path, MINI + "#" * MAX_LESSON_BYTES)
    read = []
    monkeypatch.setattr(Path, "read_text", lambda *a, **k: read.append(a) or "")
    monkeypatch.setattr(Path, "open", lambda *a, **k: read.append(a) or open(*a, **k))
    shown = only_problem(path)
    assert shown.startswith(f"{path}: "), shown
    assert f"is larger than the {MAX_LESSON_BYTES // 1024} KiB a lesson file may be" in shown
    assert read == []


def test_a_file_of_exactly_the_size_limit_loads(tmp_path):
    text = MINI + "#" * (MAX_LESSON_BYTES - len(MINI.encode()))
    catalog, problems = validate_paths([write(tmp_path, text)])
    assert problems == [] and catalog is not None


def test_a_file_that_is_not_a_regular_file_is_refused(tmp_path):
    fifo = tmp_path / "pipe.yml"
    import os
    os.mkfifo(fifo)
    assert "not a regular file" in only_problem(fifo)


def test_an_alias_bomb_is_refused_at_the_first_anchor(tmp_path):
    bomb = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"{n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=False)]
    path = write(tmp_path, MINI + "\n".join(bomb) + "\n")
    line = len(MINI.splitlines()) + 1
    shown = only_problem(path)
    assert shown.startswith(f"{path}: line {line}: "), shown
    assert "anchors (&name) and aliases (*name) are not allowed" in shown


def test_an_alias_is_refused_even_without_its_anchor(tmp_path):
    shown = only_problem(write(tmp_path, MINI.replace("summary: Two", "summary: *nowhere\nextra: Two")))
    assert "line 3: " in shown and "aliases (*name) are not allowed" in shown


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!str", "!custom"])
def test_yaml_tags_are_refused_cleanly(tmp_path, tag):
    shown = only_problem(write(tmp_path, MINI.replace("title: A mini lesson", f"title: {tag} ['echo hi']")))
    assert "line 2: " in shown
    assert "YAML tags (such as !!python/object) are not allowed" in shown


def test_a_syntax_error_is_still_worded_as_invalid_yaml(tmp_path):
    shown = only_problem(write(tmp_path, MINI.replace("order: 1", "order: [1")))
    assert "invalid YAML" in shown


def test_load_catalog_raises_the_same_problem(tmp_path):
    write(tmp_path, nested_title(600))
    with pytest.raises(ContentError) as err:
        load_catalog([tmp_path])
    assert "nested deeper" in str(err.value)


def test_the_bot_refuses_to_start_on_a_deep_file(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    write(content, nested_title(600))
    settings = Settings(QUIZBOT_CONTENT_DIR=content, QUIZBOT_DATA_DIR=tmp_path)
    with pytest.raises(StartupError) as err:
        asyncio.run(start_app(settings))
    assert "the lesson content is invalid" in str(err.value) and "nested deeper" in str(err.value)
    assert not (tmp_path / "quizbot.db").exists(), "no database is touched before the content is valid"


def test_content_validate_reports_it_without_a_traceback(tmp_path):
    path = write(tmp_path, nested_title(600))
    done = subprocess.run([sys.executable, "-m", "adapters.cli", "content", "validate", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert f"{path}: line 2: " in done.stdout

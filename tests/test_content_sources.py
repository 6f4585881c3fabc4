"""Content sources: any number of them assemble into one catalog, with ids checked across all.

`ListSource` is a test double standing in for an importer: lessons as plain dicts, named by the
source and their position. It is combined with the lesson YAML files the bot ships with.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES

from bot.content import ContentError, ContentProblem, ContentSource, YamlSource, load_sources, validate_sources
from bot.content.sources import SourcedLesson, SourceRead, validate_lesson

MINI_FILE = FIXTURES / "content" / "mini.yml"
MINI: dict[str, Any] = yaml.safe_load(MINI_FILE.read_text(encoding="utf-8"))


@dataclass
class ListSource:
    name: str
    lessons: list[dict[str, Any]]

    def read(self) -> SourceRead:
        entries: list[SourcedLesson | ContentProblem] = []
        for i, data in enumerate(self.lessons):
            got = validate_lesson(data, f"{self.name}[{i}]")
            entries.extend(got if isinstance(got, list) else [got])
        return SourceRead(entries)


def renamed(lesson_id: str, order: int, *question_ids: str) -> dict[str, Any]:
    """The mini lesson under other ids (the first questions renamed, in order)."""
    data = copy.deepcopy(MINI)
    data["id"], data["order"] = lesson_id, order
    for q, new_id in zip(data["questions"], question_ids, strict=False):
        q["id"] = new_id
    return data


def yaml_source() -> YamlSource:
    return YamlSource([FIXTURES / "content"])


def test_a_list_source_and_the_yaml_files_make_one_catalog():
    imported = ListSource("imported", [renamed("zeta", 0, "z-1", "z-2", "z-3")])
    sources: list[ContentSource] = [yaml_source(), imported]
    catalog, problems = validate_sources(sources)
    assert problems == [] and catalog is not None
    assert [lesson.id for lesson in catalog.lessons] == ["zeta", "mini"]  # by order across sources
    assert catalog.lesson_of["z-1"] == "zeta" and catalog.lesson_of["mini-capital"] == "mini"
    assert load_sources(sources).questions.keys() == catalog.questions.keys()


def test_ids_used_twice_across_sources_name_both_origins():
    twin = ListSource("imported", [renamed("mini", 2, "mini-capital", "fresh-1", "fresh-2")])
    catalog, problems = validate_sources([yaml_source(), twin])
    assert catalog is None
    assert problems == [
        ContentProblem("imported[0]", "id", f"lesson id 'mini' is already used in {MINI_FILE}"),
        ContentProblem("imported[0]", "questions[0].id", f"question id 'mini-capital' is already used in {MINI_FILE}"),
    ]
    _, problems = validate_sources([twin, yaml_source()])  # the YAML file is read second: its lines are known
    assert [str(p) for p in problems] == [
        f"{MINI_FILE}: line 1: id: lesson id 'mini' is already used in imported[0]",
        f"{MINI_FILE}: line 11: questions[0].id: question id 'mini-capital' is already used in imported[0]",
    ]


def test_a_sources_problems_are_reported_under_its_name():
    broken = renamed("broken", 3, "b-1", "b-2", "b-3")
    del broken["questions"][1]["prompt"]
    broken["colour"] = "red"
    imported = ListSource("imported", [renamed("fine", 2, "f-1", "f-2", "f-3"), broken])
    catalog, problems = validate_sources([yaml_source(), imported])
    assert catalog is None
    assert sorted(str(p) for p in problems) == [
        "imported[1]: colour: unknown key (not part of the lesson format)",
        "imported[1]: questions[1].prompt: required key is missing",
    ]
    with pytest.raises(ContentError) as err:
        load_sources([imported])
    assert {p.path for p in err.value.problems} == {"imported[1]"}


def test_an_id_retired_in_a_content_folder_is_refused_from_any_source(tmp_path: Path):
    (tmp_path / "mini.yml").write_text(MINI_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "retired.yml").write_text("- {id: q-old, reason: it asked two things at once}\n", encoding="utf-8")
    imported = ListSource("imported", [renamed("again", 2, "q-old", "q-new-1", "q-new-2")])
    catalog, problems = validate_sources([YamlSource([tmp_path]), imported])
    assert catalog is None
    assert [str(p) for p in problems] == [
        f"imported[0]: questions[0].id: question id 'q-old' was retired in {tmp_path / 'retired.yml'}; give this question a new id"]


def test_problems_keep_the_order_the_files_were_read_in(tmp_path: Path):
    mini = MINI_FILE.read_text(encoding="utf-8")
    (tmp_path / "a.yml").write_text(mini, encoding="utf-8")
    (tmp_path / "b.yml").write_text(mini.replace("id: mini\n", "id: other\n"), encoding="utf-8")
    (tmp_path / "c.yml").write_text("id: [unclosed\n", encoding="utf-8")
    catalog, problems = validate_sources([YamlSource([tmp_path])])
    assert catalog is None
    assert [(Path(p.path).name, p.location) for p in problems] == [
        ("b.yml", "questions[0].id"), ("b.yml", "questions[1].id"), ("b.yml", "questions[2].id"), ("c.yml", "")]

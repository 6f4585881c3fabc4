"""Hostile input for the Anki, Open Trivia DB, Red trivia and CSV importers.

Each case is refused with the file, the line and the field named, and nothing is written to the
folder the lesson would have gone into.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli import app
from bot.content.formats.pipeline import ImportFailed
from bot.content.limits import MAX_LESSON_BYTES
from tests.formats_helpers import FIXTURES, import_into, plan

FORMATS = {"anki": ".txt", "opentdb": ".json", "red": ".yaml", "csv": ".csv"}
HUGE = "x" * 5000  # inside the file size limit, beyond any question field
OTDB_ITEM = {"type": "multiple", "difficulty": "easy", "category": "Science", "question": "Which gas do plants take in?",
             "correct_answer": "Carbon dioxide", "incorrect_answers": ["Oxygen", "Helium", "Neon"]}


def _otdb(*items: dict, code: int = 0) -> bytes:
    return json.dumps({"response_code": code, "results": list(items)}, indent=1).encode()


def _b64(item: dict) -> dict:
    enc = lambda v: base64.b64encode(v.encode()).decode()  # noqa: E731 - a one-line helper for one dict
    return {k: enc(v) if isinstance(v, str) else [enc(x) for x in v] for k, v in item.items()}


# (format, file bytes, line, field, words of the message)
CASES = [
    ("anki", b'#separator:tab\nWhat is it?\t"an unclosed\nfield', 2, "record", "broken quoting"),
    ("anki", b"#separator:Banana\nfront\tback\n", 1, "#separator", "not a separator"),
    ("anki", b"#html:maybe\nfront\tback\n", 1, "#html", "neither true nor false"),
    ("anki", b"#tags column:zero\nfront\tback\n", 1, "#tags column", "column number"),
    ("anki", b"#guid column:1\ng1\tWhat is a teacher?\tThe big model\ng1\tWhat is a student?\tThe small model\n",
     3, "questions[1].id", "also the id of the question at line 2"),
    ("anki", f"What is it?\t{HUGE}\n".encode(), 1, "questions[0].accepted[0]", "characters"),
    ("opentdb", b'{"response_code": 0, "results": [\n{"type": "multiple",', 2, "", "invalid JSON"),
    ("opentdb", b"[1, 2, 3]", 1, "results", "Open Trivia DB response"),
    ("opentdb", _otdb(code=5), 1, "response_code", "rate limited"),
    ("opentdb", _otdb(OTDB_ITEM, {**OTDB_ITEM, "incorrect_answers": "Oxygen"}), 16, "results[1].incorrect_answers",
     "list of strings"),
    ("opentdb", _otdb(OTDB_ITEM, OTDB_ITEM), 16, "questions[1].id", "also the id of the question at line 4"),
    ("opentdb", _otdb(_b64(OTDB_ITEM), {**_b64(OTDB_ITEM), "question": "not base64!"}), 16, "results[1].question",
     "not base64"),
    ("opentdb", _otdb({**OTDB_ITEM, "type": "boolean", "correct_answer": "Maybe"}), 4, "results[0].correct_answer",
     "True and False"),
    ("opentdb", _otdb({**OTDB_ITEM, "question": HUGE}), 4, "questions[0].prompt", "characters"),
    ("red", b"AUTHOR: me\nWhat is it?: !!python/object/apply:os.system ['echo hi']\n", 2, "", "YAML tags"),
    ("red", b"AUTHOR: &a me\nWho?:\n- *a\n", 1, "", "anchors"),
    ("red", b'AUTHOR: me\n"What is it?:\n- unclosed\n', 4, "", "invalid YAML"),
    ("red", b"- just\n- a list\n", 1, "", "mapping of questions"),
    ("red", b"What is a teacher?:\n- The big model\nWhat is a teacher?:\n- The large model\n", 3, "question 'What is a teacher?'",
     "listed twice (first at line 1)"),
    ("red", b"What is a teacher?: The big model\n", 1, "question 'What is a teacher?'", "list of answers"),
    ("red", f"What is it?:\n- {HUGE}\n".encode(), 1, "questions[0].accepted[0]", "characters"),
    ("csv", b"prompt,answer,colour\nWhat?,That\n", 1, "colour", "unknown column 'colour'"),
    ("csv", b'prompt,answer\nWhat is it?,"an unclosed\nfield', 2, "record", "broken quoting"),
    ("csv", b"id,prompt,answer\nq1,What is a teacher?,The big model\nq1,What is a student?,The small model\n",
     3, "questions[1].id", "also the id of the question at line 2"),
    ("csv", b"prompt,answer,choices\nWhich is largest?,Ten,One|Two|Three\n", 2, "answer", "none of the 3 choices"),
    ("csv", b"prompt,answer\nWhat is it?,a,extra\n", 2, "record", "3 fields"),
    ("csv", b"prompt,answer,difficulty\nWhat is it?,Water,extreme\n", 2, "difficulty", "not a difficulty"),
    ("csv", b"prompt,answer\n,Water\n", 2, "prompt", "prompt is empty"),
    ("csv", f"prompt,answer\n{HUGE},Water\n".encode(), 2, "questions[0].prompt", "characters"),
]

# Every importer reads its file through the same checks: encoding, NUL bytes, size, emptiness.
COMMON = [
    (b"prompt,answer\nCaf\xe9 au lait?,Coffee\n", 2, "encoding", "not UTF-8"),
    ("What is it?,Water\n".encode("utf-16"), 1, "encoding", "UTF-16"),
    (b"What is it?\x00,Water\n", 1, "encoding", "NUL bytes"),
]


def _check_refused(tmp_path: Path, fmt: str, data: bytes, line: int | None, field: str, words: str) -> None:
    source = tmp_path / f"input{FORMATS[fmt]}"
    source.write_bytes(data)
    folder = tmp_path / "content"
    folder.mkdir()
    with pytest.raises(ImportFailed) as failed:
        import_into(fmt, source, folder)
    problem = failed.value.problems[0]
    shown = str(problem)
    assert str(source) in shown and words in shown, shown
    assert getattr(problem, "line", None) == line, shown
    assert getattr(problem, "location", "") == field, shown
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(("fmt", "data", "line", "field", "words"), CASES,
                         ids=[f"{c[0]}-{c[4]}" for c in CASES])
def test_hostile_input_is_refused_with_file_line_and_field(tmp_path: Path, fmt: str, data: bytes, line: int,
                                                           field: str, words: str) -> None:
    _check_refused(tmp_path, fmt, data, line, field, words)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize(("data", "line", "field", "words"), COMMON, ids=[c[3] for c in COMMON])
def test_wrong_encodings_are_refused_by_every_importer(tmp_path: Path, fmt: str, data: bytes, line: int,
                                                       field: str, words: str) -> None:
    _check_refused(tmp_path, fmt, data, line, field, words)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_empty_and_oversized_files_are_refused(tmp_path: Path, fmt: str) -> None:
    empty = tmp_path / f"empty{FORMATS[fmt]}"
    empty.write_bytes(b"")
    with pytest.raises(ImportFailed) as failed:
        import_into(fmt, empty, tmp_path / "out")
    assert str(empty) in str(failed.value)
    big = tmp_path / f"big{FORMATS[fmt]}"
    big.write_bytes(b"x" * (MAX_LESSON_BYTES + 1))
    with pytest.raises(ImportFailed, match="larger than"):
        import_into(fmt, big, tmp_path / "out")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_script_in_html_fields_is_kept_out_and_tags_never_pass(tmp_path: Path) -> None:
    source = tmp_path / "deck.txt"
    source.write_text("#html:true\n<img src=x onerror=alert(1)>Which organ pumps blood?<script>steal()</script>\t"
                      "The <b>heart</b><style>p{}</style>\n", encoding="utf-8")
    out = import_into("anki", source, tmp_path / "content")
    text = out.read_text(encoding="utf-8")
    assert "Which organ pumps blood?" in text and "The heart" in text
    assert "<" not in text and "steal" not in text and "onerror" not in text


def test_unrepresentable_opentdb_type_is_skipped_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "mixed.json"
    source.write_bytes(_otdb(OTDB_ITEM, {**OTDB_ITEM, "type": "matching", "question": "Match the gases"}))
    folder = tmp_path / "content"
    p = plan("opentdb", source)
    import_into("opentdb", source, folder)
    assert [(s.line, s.kind) for s in p.skipped] == [(16, "matching")]


@pytest.mark.parametrize(("fmt", "sample", "skipped_line"), [("red", "red_trivia.yaml", "line 19"),
                                                              ("anki", "anki_export.txt", "line 10"),
                                                              ("opentdb", "opentdb_base64.json", None),
                                                              ("csv", "questions.csv", None)])
def test_cli_imports_each_sample_and_refuses_hostile_input_with_exit_1(tmp_path: Path, fmt: str, sample: str,
                                                                      skipped_line: str | None) -> None:
    content = tmp_path / "content"
    content.mkdir()
    run = lambda *args: CliRunner().invoke(app, list(args), env={"QUIZBOT_CONTENT_DIR": str(content)})  # noqa: E731
    done = run("content", "import", str(FIXTURES / sample), "--format", fmt, "--out", str(content / "new.yml"))
    assert done.exit_code == 0, done.output
    assert skipped_line is None or f"skipped {skipped_line}" in done.output
    bad = tmp_path / f"bad{FORMATS[fmt]}"
    bad.write_bytes(b"caf\xe9\n")
    before = sorted(content.iterdir())
    refused = run("content", "import", str(bad), "--format", fmt, "--out", str(content / "bad.yml"))
    assert refused.exit_code == 1 and f"{bad}: line 1: encoding: not UTF-8" in refused.output, refused.output
    assert sorted(content.iterdir()) == before

"""`quizbot content import|export` end to end, GIFT's hostile-input corpus, and an imported numeric
question answered in the console and shown as text on every door."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from test_console import FakeClock, say
from typer.testing import CliRunner

from adapters.cli import app
from adapters.console import render as console_render
from adapters.console.session import ConsoleSession
from adapters.discord import render as discord_render
from adapters.slack import blocks as slack_blocks
from bot.content import load_catalog
from bot.content.limits import MAX_LESSON_BYTES
from bot.engine import Engine
from bot.views import ChoiceView, QuestionCard

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "formats" / "sample.gift"
GOOD_Q = "::ok::Which model is trained on a teacher's outputs?{=The student ~The teacher ~The dataset ~The GPU" \
         "####The student learns to reproduce the teacher's outputs; the teacher is only queried.}\n"


def invoke(*args: str, content: Path):
    return CliRunner().invoke(app, list(args), env={"QUIZBOT_CONTENT_DIR": str(content)})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "01-one.yml").write_bytes((ROOT / "tests" / "fixtures" / "content").joinpath(
        sorted(p.name for p in (ROOT / "tests" / "fixtures" / "content").glob("*.yml"))[0]).read_bytes())
    return folder


def test_import_writes_a_new_lesson_file_that_loads_and_never_overwrites(content):
    result = invoke("content", "import", str(SAMPLE), "--format", "gift", "--title", "Imported", content=content)
    assert result.exit_code == 0, result.output
    written = content / "02-sample.yml"
    assert f"wrote {written}: lesson 'sample' with 13 question(s), 6 skipped" in result.output
    assert "skipped line 72: matching: a matching question" in result.output
    catalog = load_catalog([content])
    assert catalog.lesson("sample").title == "Imported" and catalog.lesson("sample").order == 2
    before = snapshot(content)
    again = invoke("content", "import", str(SAMPLE), "--format", "gift", "--out", str(written), content=content)
    assert again.exit_code == 1 and snapshot(content) == before
    assert "already used in" in again.output  # the ids are the same, and the folder already has them


def test_import_refuses_an_existing_out_file(content, tmp_path):
    out = tmp_path / "elsewhere" / "taken.yml"
    out.parent.mkdir()
    out.write_text("not mine\n")
    result = invoke("content", "import", str(SAMPLE), "--format", "gift", "--out", str(out), content=content)
    assert result.exit_code == 1 and "already exists: nothing written" in result.output
    assert out.read_text() == "not mine\n"


def test_export_writes_gift_that_imports_to_the_same_questions(content, tmp_path):
    assert invoke("content", "import", str(SAMPLE), "--format", "gift", content=content).exit_code == 0
    out = tmp_path / "exported.gift"
    result = invoke("content", "export", "sample", "--format", "gift", "--out", str(out), content=content)
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and out.read_text().count("::") >= 26
    other = tmp_path / "other"
    other.mkdir()
    back = invoke("content", "import", str(out), "--format", "gift", "--lesson-id", "sample", "--out",
                  str(other / "02-sample.yml"), content=content)
    assert back.exit_code == 0, back.output
    assert load_catalog([other]).lessons[0].questions == load_catalog([content]).lesson("sample").questions
    refused = invoke("content", "export", "sample", "--format", "gift", "--out", str(out), content=content)
    assert refused.exit_code == 1 and "already exists" in refused.output


def test_unknown_formats_and_lessons_are_clear_errors(content, tmp_path):
    assert "unknown import format 'moodle'" in invoke("content", "import", str(SAMPLE), "--format", "moodle",
                                                      content=content).output
    result = invoke("content", "export", "nope", "--format", "gift", "--out", str(tmp_path / "x.gift"), content=content)
    assert result.exit_code == 1 and "no lesson 'nope'" in result.output


HOSTILE = {
    "truncated": (GOOD_Q + "\n::cut::Which loss compares two distributions?{=KL divergence ~L2", 3, "answers",
                  "never closed"),
    "unclosed brace": (GOOD_Q + "\n::open::Which one {=a ~b\n\n" + GOOD_Q.replace("::ok::", "::ok2::"), 3, "answers",
                       "never closed"),
    "stray closing brace": ("::stray::A } here{=a ~b}\n", 1, "answers", "'}' before the '{'"),
    "latin-1 bytes": ("\n\n::cafe::Caf\xe9 or tea?{=tea ~coffee}\n".encode("latin-1"), 3, "encoding", "not UTF-8"),
    "utf-16 with BOM": (GOOD_Q.encode("utf-16"), 1, "encoding", "UTF-16"),
    "nul bytes": ((GOOD_Q + "\n\nbad\x00line\n").encode(), 4, "encoding", "NUL"),
    "a huge field": (GOOD_Q.replace("The teacher ", "T" * 100_000 + " "), 1, "questions[0].choices[1].text",
                     "at most 4,000"),
    "duplicate ids": (GOOD_Q + "\n" + GOOD_Q.replace("outputs?", "outputs, again?"), 3, "questions[1].id",
                      "also the id of the question at line 1"),
    "empty file": ("", 1, "", "no questions"),
    "only comments": ("// nothing here\n// at all\n", 1, "", "no questions"),
    "not a number": ("::num::How many?{#four:1}\n", 1, "answers", "not a number"),
    "no answer marker": ("::bare::Which one?{a ~b}\n", 1, "answers", "start each answer with ="),
    "unclosed title": ("::title without end Which one?{=a ~b}\n", 1, "title", "never closed"),
    "range upside down": ("::r::Pick a number.{#5..1}\n", 1, "answers", "above max"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_gift_is_a_clear_error_and_writes_nothing(name, content, tmp_path):
    data, line, field, words = HOSTILE[name]
    source = tmp_path / "hostile.gift"
    source.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    before = snapshot(content)
    result = invoke("content", "import", str(source), "--format", "gift", content=content)
    assert result.exit_code == 1, result.output
    assert f"{source}: line {line}: {field + ': ' if field else ''}" in result.output and words in result.output
    assert "nothing written" in result.output and snapshot(content) == before


def test_a_file_larger_than_a_lesson_is_refused_before_reading(content, tmp_path):
    source = tmp_path / "huge.gift"
    source.write_text("::big::Which one?{=" + "a" * 10 * 1024 * 1024 + " ~b}\n")
    before = snapshot(content)
    result = invoke("content", "import", str(source), "--format", "gift", content=content)
    assert result.exit_code == 1 and f"{source}: the file (" in result.output
    assert f"{MAX_LESSON_BYTES // 1024} KiB" in result.output and snapshot(content) == before


SCRIPT = '<script>alert("x")</script> Which <b>tag</b> is this?'


def test_html_in_plain_text_is_kept_as_text_and_never_markup_on_any_door(content, tmp_path):
    source = tmp_path / "markup.gift"
    source.write_text(f"::markup::[plain]{SCRIPT}{{=It is a script tag ~It is a style tag ~It is a link tag"
                      "####The text is shown as it was written, because it is plain text and never markup.}\n"
                      f"\n::stripped::{SCRIPT}{{=It is a script tag ~It is a style tag ~It is a link tag"
                      "####HTML text loses its tags, and a script's code with them, when it is imported.}\n")
    assert invoke("content", "import", str(source), "--format", "gift", content=content).exit_code == 0
    lesson = load_catalog([content]).lesson("markup")
    assert lesson.questions[0].prompt == SCRIPT
    assert lesson.questions[1].prompt == "Which tag is this?"
    card = QuestionCard(1, "markup", "markup", "Markup", SCRIPT, "single_choice",
                        (ChoiceView("a", "1", "<i>one</i>"), ChoiceView("b", "2", "two")), 1)
    slack = slack_blocks.question_text(card)
    assert "<script>" not in slack and "&lt;script&gt;" in slack and "&lt;i&gt;one&lt;/i&gt;" in slack
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(console_render.question(card))
    assert SCRIPT in out.getvalue() and "<i>one</i>" in out.getvalue()
    assert SCRIPT in discord_render.question_embed(card).description  # Discord shows HTML as the text it is


NUMERIC = ("::pi::Give pi to two decimal places.{#3.14:0.005####Pi is 3.14159…, so 3.14 to two places; anything "
           "from 3.135 to 3.145 rounds to it.}\n")


async def test_an_imported_numeric_question_is_answered_in_the_console(store, tmp_path):
    content = tmp_path / "numeric"
    source = tmp_path / "numeric.gift"
    source.write_text(NUMERIC)
    result = CliRunner().invoke(app, ["content", "import", str(source), "--format", "gift", "--out",
                                      str(content / "01-numeric.yml")], env={"QUIZBOT_CONTENT_DIR": str(content)})
    assert result.exit_code == 0, result.output
    engine = Engine(store, load_catalog([content]))
    out = io.StringIO()
    session = ConsoleSession(engine, "Ann", Console(file=out, width=200, color_system=None), FakeClock())
    session.out = out
    shown = await say(session, "lesson 1", "next")
    assert "Give pi to two decimal places." in shown and "a few words" in shown  # a typed answer, no choices
    assert "Type a number" in await say(session, "pi")  # no number: not an answer, nothing stored
    verdict = await say(session, "3.141")
    assert "Correct!" in verdict and "3.14 (± 0.005)" in verdict


def test_every_door_offers_a_numeric_card_a_typed_answer():
    card = QuestionCard(7, "pi", "numeric", "Numbers", "Give pi to two decimal places.", "numeric", (), 1)
    _, blocks = slack_blocks.post_message(card, 3)
    assert [e["action_id"] for e in blocks[1]["elements"]] == ["post_text:3"]  # the button that opens the modal
    from adapters.discord.components import DeliveryTextButton, PostTextButton, post_view, question_view
    assert [type(item) for item in post_view(3, card).children] == [PostTextButton]
    assert [type(item) for item in question_view(card).children] == [DeliveryTextButton]
    assert "type a few words" in discord_render.question_embed(card).footer.text
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(console_render.question(card))
    assert "a few words" in out.getvalue()

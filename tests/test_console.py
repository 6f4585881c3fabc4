"""The terminal front door, end to end: the real `quizbot console` fed through stdin."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from conftest import ROOT, utc
from rich.console import Console

from adapters.console.session import ConsoleSession
from bot.content.schema import FreeTextQuestion, SingleChoiceQuestion


def right_input(question) -> str:
    if isinstance(question, SingleChoiceQuestion):
        return str(next(i for i, c in enumerate(question.choices, 1) if c.correct))
    assert isinstance(question, FreeTextQuestion)
    return question.accepted[0] if question.accepted else question.rubric[0].keywords[0]


def run_cli(args: list[str], stdin: str, tmp_path, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "200", "QUIZBOT_DATA_DIR": str(tmp_path), **env}
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=tmp_path, env=full_env, timeout=60)


def test_console_takes_lesson_one_to_the_end(real_catalog, tmp_path):
    lesson = real_catalog.lessons[0]
    script = ["help", "lessons", "lesson 1"] + ["next"] * len(lesson.snippets)
    script += [right_input(q) for q in lesson.questions]
    script += ["streak", "leaderboard all", "quit"]
    result = run_cli(["console", "--user", "Ada"], "\n".join(script) + "\n", tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    for snippet in lesson.snippets:
        assert snippet.title in out
    assert out.count("Correct!") == len(lesson.questions)
    assert "Lesson complete!" in out
    expected_points = sum(10 * q.difficulty for q in lesson.questions)
    assert f"total {expected_points}" in out
    assert "Streak: 1 day(s)" in out
    assert "Ada (you)" in out
    assert (tmp_path / "quizbot.db").exists()


def test_two_users_share_a_leaderboard_across_runs(real_catalog, tmp_path):
    db = str(tmp_path / "shared.db")
    lesson = real_catalog.lessons[0]
    script = ["lesson 1"] + ["next"] * len(lesson.snippets) + [right_input(lesson.questions[0]), "quit"]
    first = run_cli(["console", "--user", "Ann", "--db", db], "\n".join(script) + "\n", tmp_path)
    assert first.returncode == 0, first.stderr
    second = run_cli(["console", "--user", "Bob", "--db", db], "leaderboard all\nquit\n", tmp_path)
    board = second.stdout.split("Leaderboard")[1]
    assert "Ann" in board and "(you)" not in board  # Bob has not answered, so he is not ranked


def test_console_refuses_invalid_content(tmp_path):
    bad = tmp_path / "lessons"
    bad.mkdir()
    (bad / "broken.yml").write_text("id: x\ntitle: [unclosed\n")
    result = run_cli(["console"], "quit\n", tmp_path, QUIZBOT_CONTENT_DIR=str(bad))
    assert result.returncode == 1
    assert "content is invalid" in result.stderr and "broken.yml" in result.stderr
    assert not (tmp_path / "quizbot.db").exists()


class FakeClock:
    def __init__(self):
        self.now = utc(2026, 3, 2, 9)

    def __call__(self):
        return self.now


@pytest.fixture
def session(engine):
    out = io.StringIO()
    clock = FakeClock()
    s = ConsoleSession(engine, "Ann", Console(file=out, width=200, color_system=None), clock)
    s.out, s.fake_clock = out, clock
    return s


async def say(session, *lines) -> str:
    start = session.out.tell()
    for line in lines:
        await session.handle(line)
    return session.out.getvalue()[start:]


async def test_unknown_command_and_out_of_range_answer_keep_going(session):
    assert "Unknown command 'dance'" in await say(session, "dance")
    out = await say(session, "lesson 1", "next", "next")
    assert "Question 1/3" in out
    assert "There is no choice 9" in await say(session, "9")
    out = await say(session, "2")
    assert "Correct!" in out and "Question 2/3" in out


async def test_streak_grows_over_days_and_user_markup_is_escaped(session):
    await say(session, "lesson 1", "next", "next", "2")
    session.fake_clock.now += timedelta(days=1)
    assert "Correct!" in await say(session, "kl divergence")
    assert "Streak: 2 day(s)" in await say(session, "streak")
    out = await say(session, "user [bold]Eve[/bold]", "practice", "1", "leaderboard all")
    assert "[bold]Eve[/bold]" in out


async def test_a_non_answer_is_answered_kindly(session):
    out = await say(session, "lesson 1", "next", "next", "2", "idk")
    assert "No worries — here is the answer." in out and "Not quite" not in out
    assert "KL divergence" in out


async def test_groups_through_the_console(session):
    out = await say(session, 'group create "Night Owls"', "groups", "group leave", "groups", "group join Nobody")
    assert "Created group Night Owls" in out
    assert "→ Night Owls" in out
    assert "You left Night Owls" in out
    assert "No study groups yet" in out
    assert "There is no group called 'Nobody'" in out


def test_content_commands(tmp_path):
    ok = run_cli(["content", "validate", str(ROOT / "content")], "", tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("ok: ")
    listed = run_cli(["content", "list", "--json"], "", tmp_path)
    data = json.loads(listed.stdout)
    assert listed.returncode == 0 and data["total_lessons"] >= 7 and data["total_questions"] >= 60
    assert sum(lesson["questions"] for lesson in data["lessons"]) == data["total_questions"]
    broken = run_cli(["content", "validate", str(ROOT / "tests" / "fixtures" / "broken")], "", tmp_path)
    assert broken.returncode == 1
    assert re.search(r"two_correct\.yml: line \d+: questions\[\d\]: exactly one choice must be correct, found 2", broken.stdout)
    assert "problem(s) found" in broken.stderr

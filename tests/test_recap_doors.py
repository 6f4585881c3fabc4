"""The weekly recap on each front door, against the loopback fakes: the chart (a PNG of the stated size,
with alt text) attached on Discord, uploaded with files_upload_v2 on Slack, saved under the data folder
on the console; names shown as names (nobody pinged); the chart readable on dark and light themes."""
from __future__ import annotations

import asyncio
import struct
from dataclasses import replace
from datetime import date, timedelta

import pytest_asyncio
from conftest import utc
from fake_discord import FakeDiscord
from fake_discord.harness import FakeClock, open_app, start_bot, stop_bot
from fake_slack.harness import start_http
from rich.console import Console

from adapters.console.sender import ConsoleSender
from bot.engine import Engine
from bot.recap_views import RecapDay, RecapImproved, RecapLearner, RecapQuestion, RecapView
from bot.services import recap_chart
from bot.views import Actor, ScheduleSpec

HOSTILE = "@everyone <@123> <!channel> **bold**"
WEEK = date(2026, 5, 4)


def png_size(data: bytes) -> tuple[int, int]:
    """The width and height in a PNG's IHDR chunk (after the 8-byte signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def recap(platform: str, channel: str, community: str = "T1") -> RecapView:
    days = tuple(RecapDay(WEEK + timedelta(days=i), n, c) for i, (n, c) in enumerate([(5, 3), (4, 4), (0, 0), (7, 2),
                                                                                      (3, 1), (0, 0), (2, 2)]))
    view = RecapView(1, 1, platform, community, channel, WEEK, WEEK + timedelta(days=6), days,
                     (RecapLearner(HOSTILE, 40, 5, 4), RecapLearner("Ben", 30, 4, 3)),
                     (RecapLearner("Owls <@&9>", 70, 9, 7),), ((HOSTILE, 6),),
                     RecapQuestion("mini-loss", "What does the student learn from?", "The teacher's soft labels",
                                   "Soft labels carry more information.", 7, 2),
                     RecapImproved(HOSTILE, 0.25, 0.8))
    return replace(view, chart=recap_chart.render(view))


def test_chart_is_a_png_of_the_stated_size_with_alt_text():
    chart = recap("console", "local").chart
    assert chart is not None and png_size(chart.png) == (chart.width, chart.height) == (800, 400)
    assert "Mon 04 May: 5 answers, 60% correct" in chart.alt_text and "Wed 06 May: 0 answers;" in chart.alt_text
    assert "In all 21 answers, 57% correct" in chart.alt_text


def test_chart_text_reads_on_dark_and_light_themes():
    for background in ("#313338", "#ffffff"):  # Discord's dark and light message backgrounds
        assert recap_chart.contrast_ratio(recap_chart.TEXT_GREY, background) >= 3.0, background


def test_console_saves_the_chart_under_the_data_folder(tmp_path):
    console = Console(record=True, width=200)
    sender = ConsoleSender(console, recap_dir=tmp_path / "recaps")
    asyncio.run(sender.post_recap(recap("console", "local")))
    saved = tmp_path / "recaps" / "recap-1-2026-05-04.png"
    assert png_size(saved.read_bytes()) == (800, 400)
    out = console.export_text()
    assert out.splitlines()[0].startswith("🗓 Weekly recap 04 May–10 May: 21 answers, 57% correct")
    assert f"Chart: {saved}" in out.replace("\n", "")


@pytest_asyncio.fixture
async def discord_bot(tmp_path):
    fake = await FakeDiscord().start()
    app = await open_app(tmp_path / "quiz.db")
    client = await start_bot(fake, app, FakeClock(utc(2026, 5, 4, 8, 0)))
    yield fake, client
    await stop_bot(client)
    await app.close()
    await fake.stop()


async def test_discord_recap_is_an_embed_with_the_chart_attached(discord_bot):
    fake, client = discord_bot
    channel = int(fake.guild.daily["id"])
    view = recap("discord", str(channel), str(fake.guild.id))
    ref = await client.door.sender.post_recap(view)
    [message] = fake.channel_messages(channel)
    assert ref == f"{channel}:{message['id']}"
    [attachment] = message["attachments"]
    assert attachment["filename"] == "weekly-recap.png" and attachment["description"] == view.chart.alt_text
    assert png_size(fake.uploaded[attachment["id"]]) == (800, 400)
    [embed] = message["embeds"]
    assert embed["image"]["url"] == "attachment://weekly-recap.png"
    shown = str(embed)
    assert "Weekly recap" in embed["title"] and "Hardest question (2/7 right)" in shown
    assert "@everyone" not in shown.replace("@\u200beveryone", "") and "<@123>" not in shown
    assert message["mention_everyone"] is False and message["allowed_mentions_sent"]["parse"] == []


@pytest_asyncio.fixture
async def slack(store, mini_catalog):
    harness = await start_http(Engine(store, mini_catalog))
    yield harness
    await harness.close()


async def test_slack_recap_uploads_the_chart_through_the_engine(slack):
    h = slack
    admin = h.actor("U9", admin=True)
    await h.engine.schedules.create(admin, ScheduleSpec("C42", "08:00", "daily", "UTC"), h.clock())
    learner = Actor("slack", "T1", "U1", HOSTILE, community_name="acme")
    for day in range(7):  # Monday 4 May to Sunday 10 May
        await h.engine.tick(h.clock.at(8, 0, days=day))
        post = (await h.fake.wait_for("chat.postMessage", day + 1))[-1]
        post_id = int(post["metadata"]["event_payload"]["post_id"])
        await h.engine.answer_post(learner, post_id, "1", h.clock.at(8, 30, days=day))
    assert h.fake.files == {}  # the first Monday's week had no answers: no recap
    outcomes = await h.engine.tick(h.clock.at(8, 0, days=7))
    assert [o.status for o in outcomes][:2] == ["revealed", "recapped"]
    [(file_id, shared)] = h.fake.files.items()
    assert shared["channel"] == "C42" and png_size(shared["data"]) == (800, 400)
    assert shared["alt_txt"].startswith("Bar chart of answers per day from 04 May to 10 May")
    comment = shared["initial_comment"]
    assert "Weekly recap · 04 May – 10 May" in comment and "*7* answers" in comment
    assert "@everyone" not in comment and "<@123>" not in comment and "<!channel>" not in comment
    assert "&lt;@\u200b123&gt;" in comment  # the name as typed, shown, never read as a mention


async def test_discord_admin_moves_and_turns_off_the_recap(discord_bot):
    fake, _ = discord_bot
    owner = fake.guild.owner
    await fake.run(fake.command(owner, "quizadmin schedule add", channel=fake.guild.daily, time="09:00"))
    moved = await fake.run(fake.command(owner, "quizadmin schedule recap", schedule=1, day="fri"))
    assert "goes out on fri" in moved.text and "Weekly recap: on fri" in moved.text
    off = await fake.run(fake.command(owner, "quizadmin schedule recap", schedule=1, day="off"))
    assert "The weekly recap is off." in off.text
    alice = fake.add_user("alice", global_name="Alice")
    refused = await fake.run(fake.command(alice, "quizadmin schedule recap", schedule=1, day="mon"))
    assert "Weekly recap" not in refused.text


def test_slack_schedule_form_carries_the_recap_day():
    from adapters.slack.modals import parse_schedule, schedule_view
    new = next(b for b in schedule_view([])["blocks"] if b.get("block_id") == "recap")
    assert new["element"]["initial_option"]["value"] == "mon"  # on by default
    state = {"values": {"time": {"value": {"selected_time": "09:00"}},
                        "weekdays": {"value": {"selected_options": [{"value": "mon"}]}},
                        "recap": {"value": {"selected_option": {"value": "off"}}}}}
    assert parse_schedule(state).changes()["recap_weekday"] is None
    state["values"]["recap"]["value"]["selected_option"]["value"] = "fri"
    assert parse_schedule(state).spec().recap_weekday == "fri"


def test_reveal_shares_are_text_bars():
    from adapters.discord.render import results_embed
    from adapters.slack.blocks import results_blocks
    from bot.views import ChoiceShare, ResultsView
    shares = (ChoiceShare("a", "1", "Teacher", 5, 5 / 12, True), ChoiceShare("b", "2", "Student", 7, 7 / 12, False))
    assert [c.bar() for c in shares] == ["▇▇▇▇▁▁▁▁▁▁", "▇▇▇▇▇▇▁▁▁▁"]
    results = ResultsView(1, "q", "Which?", "1. Teacher", "Because.", 12, 5, shares, ())
    discord_rows = results_embed(results).fields[0].value
    assert "▇▇▇▇▁▁▁▁▁▁ 42% (5)" in discord_rows and "▇▇▇▇▇▇▁▁▁▁ 58% (7)" in discord_rows
    assert "`▇▇▇▇▁▁▁▁▁▁` 42% (5)" in str(results_blocks(results))


def test_cli_and_console_move_and_turn_off_the_recap(tmp_path):
    from test_console import run_cli
    db = str(tmp_path / "ops.db")
    assert run_cli(["schedule", "add", "--channel", "general", "--time", "09:30", "--db", db], "", tmp_path).returncode == 0
    moved = run_cli(["schedule", "recap", "1", "fri", "--db", db], "", tmp_path)
    assert moved.returncode == 0 and "weekly recap on fri" in moved.stdout
    bad = run_cli(["schedule", "recap", "1", "mon-fri", "--db", db], "", tmp_path)
    assert bad.returncode == 1 and "one day a week" in bad.stderr
    session = run_cli(["console", "--user", "boss", "--db", db],
                      "schedule recap 1 off\nschedule list\n", tmp_path)
    assert session.returncode == 0 and "weekly recap off" in session.stdout

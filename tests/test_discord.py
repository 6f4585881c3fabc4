"""The Discord front door end to end: the real discord.py bot against a loopback fake Discord.

Users are simulated by injecting INTERACTION_CREATE events built like Discord's; assertions read
what the bot sent over REST. Time is a fake clock (no waiting for days); only network I/O is real.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
import pytest_asyncio
from conftest import utc
from fake_discord import FakeDiscord, buttons, message_text
from fake_discord.harness import FakeClock, admin_actor, open_app, start_bot, stop_bot
from fake_discord.payloads import EPHEMERAL
from sqlmodel import select

from adapters.discord.bot import state_key
from adapters.discord.cogs import command_hash
from bot.engine.post_counts import PostCount
from bot.models import Post

MONDAY_8AM = utc(2026, 3, 2, 8, 0)


@pytest_asyncio.fixture
async def fake():
    server = await FakeDiscord().start()
    yield server
    await server.stop()


@pytest_asyncio.fixture
async def quiz_app(tmp_path):
    app = await open_app(tmp_path / "quiz.db")
    yield app
    await app.close()


@pytest.fixture
def clock():
    return FakeClock(MONDAY_8AM)


@pytest_asyncio.fixture
async def bot(fake, quiz_app, clock):
    client = await start_bot(fake, quiz_app, clock)
    yield client
    await stop_bot(client)


@pytest.fixture
def owner(fake):
    return fake.guild.owner  # has Manage Server (Admins role; also the guild owner)


@pytest.fixture
def alice(fake):
    return fake.add_user("alice", global_name="Alice")


@pytest.fixture
def bob(fake):
    return fake.add_user("bob", global_name="Bob")


def custom_id(reply_or_message, prefix: str) -> str:
    ids = reply_or_message.custom_ids if hasattr(reply_or_message, "custom_ids") else \
        [b["custom_id"] for b in buttons(reply_or_message)]
    found = [i for i in ids if i.startswith(prefix)]
    assert found, f"no button starting with {prefix!r} in {ids}"
    return found[0]


async def add_schedule(fake, owner, channel, **options):
    reply = await fake.run(fake.command(owner, "quizadmin schedule add", channel=channel, **options))
    assert "Schedule created" in reply.text, reply.text
    return reply


# Start-up ----------------------------------------------------------------------------
async def test_ready_guild_create_and_command_sync(fake, bot, quiz_app):
    assert [g.id for g in bot.guilds] == [fake.guild.id]
    assert {c.name for c in bot.guilds[0].text_channels} == {"general", "daily-quiz", "announcements"}
    assert fake.identifies[0]["intents"] == 1  # GUILDS only: no privileged intent (message content, members)
    assert fake.identifies[0]["token"] == fake.token

    puts = fake.calls_to("PUT", f"/applications/{fake.app_id}/commands")
    assert len(puts) == 1
    body = {c["name"]: c for c in puts[0].body}
    assert set(body) == {"lesson", "quiz", "streak", "leaderboard", "group", "help", "quizadmin", "review"}
    admin = body["quizadmin"]
    assert str(admin["default_member_permissions"]) == "32"  # Manage Server
    assert all(c["contexts"] == [0] for c in body.values())  # guild only
    assert all(body[n]["default_member_permissions"] is None for n in ("lesson", "quiz", "leaderboard", "group"))
    subgroups = {o["name"]: {s["name"] for s in o["options"]} for o in admin["options"]}
    assert subgroups == {"schedule": {"add", "list", "pause", "resume", "remove", "post-now", "skip", "recap"},
                         "content": {"list", "preview", "stats", "retire", "unretire"}}
    assert body["lesson"]["options"][0]["autocomplete"] is True
    # The synced set's hash is remembered, so the next start does not sync again.
    assert await quiz_app.engine.state_get(state_key(fake.app_id)) == command_hash(bot.tree)


# Learners ----------------------------------------------------------------------------
async def test_lesson_from_snippets_to_the_end(fake, bot, alice):
    listing = await fake.run(fake.command(alice, "lesson"))
    assert listing.ephemeral and "A mini lesson" in listing.text and "0/3" in listing.text
    assert fake.interactions[max(fake.interactions)].callbacks[0] == {"type": 5, "data": {"flags": EPHEMERAL}}

    choices = await fake.run(fake.autocomplete(alice, "lesson", focused="lesson", lesson="mini"))
    assert choices.kind == "autocomplete"
    assert choices.data["choices"] == [{"name": "A mini lesson", "value": "mini"}]

    part1 = await fake.run(fake.command(alice, "lesson", lesson="mini"))
    assert part1.kind == "message" and part1.ephemeral and "part 1/2" in part1.text and "The first snippet." in part1.text
    part2 = await fake.run(fake.click(alice, part1.message, "quiz:lesson:mini:1"))
    assert part2.kind == "update" and "part 2/2" in part2.text and "Questions ▶" in part2.text

    q1 = await fake.run(fake.click(alice, part2.message, "quiz:lesson:mini:2"))
    assert q1.kind == "update" and "Question 1/3" in q1.text and "Which model is bigger" in q1.text
    right = custom_id(q1, "quiz:dlv:")[: -len("a")] + "b"  # choice b is right
    assert right in q1.custom_ids and "quiz:lesson:mini:3" in q1.custom_ids  # and a way to skip
    v1 = await fake.run(fake.click(alice, q1.message, right))
    assert v1.kind == "update" and "Correct" in v1.text and "+10 points · total 10" in v1.text
    assert v1.custom_ids == ["quiz:lesson:mini:3"] and "Next ▶" in v1.text

    q2 = await fake.run(fake.click(alice, v1.message, "quiz:lesson:mini:3"))
    assert "Question 2/3" in q2.text
    modal = await fake.run(fake.click(alice, q2.message, custom_id(q2, "quiz:dlvtext:")))
    assert modal.kind == "modal" and modal.data["custom_id"].startswith("quiz:modal:dlv:")
    v2 = await fake.run(fake.submit_modal(alice, modal.data, "KL divergence", message=q2.message))
    assert v2.kind == "update" and "Correct" in v2.text and "total 30" in v2.text

    q3 = await fake.run(fake.click(alice, v2.message, "quiz:lesson:mini:4"))
    assert "Question 3/3" in q3.text and "quiz:lesson:mini:done" in q3.custom_ids
    wrong = custom_id(q3, "quiz:dlv:")[: -1] + "b"
    v3 = await fake.run(fake.click(alice, q3.message, wrong))
    assert "Not quite" in v3.text and "Your answer:" in v3.text and "Softens them" in v3.text
    done = await fake.run(fake.click(alice, v3.message, "quiz:lesson:mini:done"))
    assert "Lesson complete" in done.text and done.custom_ids == []

    again = await fake.run(fake.click(alice, q1.message, right, as_seen=True))  # a late second click: first answer stands
    assert "already answered" in again.text

    streak = await fake.run(fake.command(alice, "streak"))
    assert streak.ephemeral and "Points\n30" in streak.text


async def test_practice_groups_leaderboard_help_and_errors(fake, bot, alice, bob, owner):
    practice = await fake.run(fake.command(alice, "quiz"))
    assert practice.ephemeral and "Practice · A mini lesson" in practice.text and "quiz:practice" in practice.custom_ids
    other = await fake.run(fake.click(alice, practice.message, "quiz:practice"))
    assert other.kind == "update" and "Practice" in other.text

    created = await fake.run(fake.command(alice, "group create", name="Night Owls"))
    assert created.ephemeral and "Created the group **Night Owls**" in created.text
    names = await fake.run(fake.autocomplete(bob, "group join", focused="name", name="nig"))
    assert names.data["choices"] == [{"name": "Night Owls", "value": "Night Owls"}]
    joined = await fake.run(fake.command(bob, "group join", name="Night Owls"))
    assert "You joined **Night Owls**" in joined.text
    listed = await fake.run(fake.command(bob, "group list"))
    assert "Night Owls** — 2 member(s)" in listed.text
    left = await fake.run(fake.command(bob, "group leave"))
    assert "You left **Night Owls**" in left.text

    board = await fake.run(fake.command(bob, "leaderboard", period="all"))
    assert board.ephemeral and "Leaderboard — all time" in board.text and "My rank" in board.text
    assert "Not ranked yet" in board.text

    learner_help = await fake.run(fake.command(alice, "help"))
    assert learner_help.ephemeral and "/lesson" in learner_help.text and "/quizadmin" not in learner_help.text
    admin_help = await fake.run(fake.command(owner, "help"))
    assert "/quizadmin" in admin_help.text

    missing = await fake.run(fake.command(alice, "lesson", lesson="no such lesson"))
    assert missing.ephemeral and "No lesson matches" in missing.text


async def test_unexpected_failure_is_an_apology_with_the_interaction_id(fake, bot, quiz_app, alice, monkeypatch,
                                                                      caplog):
    async def broken(*args, **kwargs):
        raise RuntimeError("database on fire")
    monkeypatch.setattr(quiz_app.engine, "streak", broken)
    with caplog.at_level(logging.ERROR):
        record = await fake.command(alice, "streak")
        reply = await fake.reply_to(record)
    assert reply.ephemeral and f"Sorry, something went wrong (ref {record.id})" in reply.text
    assert "database on fire" not in reply.text
    assert any(str(record.id) in r.getMessage() and r.exc_info for r in caplog.records)


async def test_user_text_never_pings_or_breaks_markup(fake, bot):
    role_ping = f"<@&{fake.guild.ping_role['id']}>"
    mallory = fake.add_user("mallory", global_name=f"@everyone **boss** {role_ping}")
    part1 = await fake.run(fake.command(mallory, "lesson", lesson="mini"))
    part2 = await fake.run(fake.click(mallory, part1.message, "quiz:lesson:mini:1"))
    q1 = await fake.run(fake.click(mallory, part2.message, "quiz:lesson:mini:2"))
    await fake.run(fake.click(mallory, q1.message, custom_id(q1, "quiz:dlv:")[:-1] + "b"))
    board = await fake.run(fake.command(mallory, "leaderboard", period="all"))
    assert "@\u200beveryone \\*\\*boss\\*\\*" in board.text and "@everyone" not in board.text
    assert role_ping not in board.text
    for call in fake.calls:  # every message the bot sent or edited forbade all pings
        body = call.body if isinstance(call.body, dict) else {}
        data = body.get("data", body) if "type" in body else body
        if "allowed_mentions" in data:
            assert data["allowed_mentions"] == {"parse": []}, (call.path, data["allowed_mentions"])


async def test_an_error_that_quotes_user_text_shows_it_as_text(fake, bot, alice):
    channel = f"<#{fake.guild.general['id']}>"
    reply = await fake.run(fake.command(alice, "group join", name=f"{channel} @here [x](https://e.example)"))
    assert reply.ephemeral and "There is no group called" in reply.text
    assert channel not in reply.text and "@here" not in reply.text and "](" not in reply.text


# Admins ------------------------------------------------------------------------------
async def test_admin_commands_need_manage_server(fake, bot, alice, owner):
    refused = await fake.run(fake.command(alice, "quizadmin schedule list"))
    assert refused.ephemeral and "You need the **Manage Server** permission" in refused.text
    refused_add = await fake.run(fake.command(alice, "quizadmin schedule add", channel=fake.guild.daily, time="09:00"))
    assert "Manage Server" in refused_add.text

    allowed = await fake.run(fake.command(owner, "quizadmin schedule list"))
    assert allowed.ephemeral and "No schedules yet" in allowed.text

    locked = await fake.run(fake.command(owner, "quizadmin schedule add", channel=fake.guild.locked, time="09:00"))
    assert "I can't post daily questions in" in locked.text
    assert "**Send Messages**" in locked.text and "**Embed Links**" in locked.text
    still_none = await fake.run(fake.command(owner, "quizadmin schedule list"))
    assert "No schedules yet" in still_none.text

    lessons = await fake.run(fake.command(owner, "quizadmin content list"))
    assert "`mini`" in lessons.text


async def test_schedule_pause_resume_skip_and_remove(fake, bot, owner):
    daily = fake.guild.daily
    await add_schedule(fake, owner, daily, time="09:00")
    paused = await fake.run(fake.command(owner, "quizadmin schedule pause", schedule=1))
    assert "Schedule paused." in paused.text and "⏸ paused" in paused.text and "Next post" not in paused.text
    resumed = await fake.run(fake.command(owner, "quizadmin schedule resume", schedule=1))
    assert "Schedule resumed." in resumed.text and "Next post" in resumed.text
    skipped = await fake.run(fake.command(owner, "quizadmin schedule skip", schedule=1))
    assert "The next post will be skipped." in skipped.text and "Skipping: 2026-03-02" in skipped.text
    listed = await fake.run(fake.command(owner, "quizadmin schedule list"))
    assert f"**#1** in <#{daily['id']}> at **09:00** (UTC) on mon, tue, wed, thu, fri" in listed.text
    unknown = await fake.run(fake.command(owner, "quizadmin schedule pause", schedule=99))
    assert unknown.ephemeral and "There is no schedule #99 here." in unknown.text
    removed = await fake.run(fake.command(owner, "quizadmin schedule remove", schedule=1))
    assert "Removed schedule #1" in removed.text
    assert "No schedules yet" in (await fake.run(fake.command(owner, "quizadmin schedule list"))).text


async def test_daily_post_answers_counts_and_reveal(fake, bot, quiz_app, clock, owner, alice, bob):
    fans = fake.guild.ping_role
    daily = fake.guild.daily
    created = await add_schedule(fake, owner, daily, time="09:00", weekdays="daily", open_minutes=60, ping_role=fans)
    assert "#1" in created.text and "until" not in created.text

    ids = await fake.run(fake.autocomplete(owner, "quizadmin schedule pause", focused="schedule", schedule=0))
    assert ids.data["choices"][0]["value"] == 1
    preview = await fake.run(fake.command(owner, "quizadmin content preview", schedule=1))
    assert "Next post of schedule #1" in preview.text and "Which model is bigger" in preview.text

    clock.now = utc(2026, 3, 2, 9, 0, 5)
    await bot.runtime.scheduler.run_tick()  # (effects are checked, not outcomes: a real-time timer may run the same tick)
    [post] = await fake.wait_for(lambda: fake.channel_messages(int(daily["id"])), what="the daily post")
    send = fake.calls_to("POST", f"/channels/{daily['id']}/messages")[0].body
    assert post["content"] == f"<@&{fans['id']}> today's question is up!"
    assert send["allowed_mentions"] == {"parse": [], "roles": [int(fans["id"])]}  # only the schedule's role
    assert post["mention_roles"] == [fans["id"]] and post["mention_everyone"] is False
    assert send["enforce_nonce"] is True and 0 < len(send["nonce"]) <= 25
    assert "Daily question" in message_text(post) and "Which model is bigger" in message_text(post)
    choice_ids = [b["custom_id"] for b in buttons(post)]
    assert len(choice_ids) == 3 and all(i.startswith("quiz:post:") for i in choice_ids)
    post_id = int(choice_ids[0].split(":")[2])

    click = await fake.click(alice, post, f"quiz:post:{post_id}:b")
    verdict = await fake.reply_to(click)
    assert click.callbacks[0] == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert verdict.ephemeral and verdict.flags & EPHEMERAL and "Correct" in verdict.text
    assert not fake.channel_messages(int(daily["id"]))[0]["content"].count("Correct")

    first, second = await asyncio.gather(fake.run(fake.click(bob, post, f"quiz:post:{post_id}:a")),
                                         fake.run(fake.click(bob, post, f"quiz:post:{post_id}:a")))
    assert ["already answered" in r.text for r in (first, second)].count(True) == 1  # a double click counts once
    assert all(r.ephemeral and "Not quite" in r.text for r in (first, second))
    assert await quiz_app.engine.post_answer_count(post_id) == 2

    await fake.wait_for(lambda: "2 answered so far" in message_text(fake.messages[int(post["id"])]),
                        what="the batched answer count")
    await bot.runtime.live_counts.drain()  # an edit in flight has ended: nothing new, so no edit
    settled = len(fake.calls_to("PATCH", f"/channels/{daily['id']}/messages/{post['id']}"))
    # A count reported again (e.g. by a batch that committed before the last edit): already shown, so no edit.
    bot.runtime.live_counts.counted([PostCount(post_id, 2)])
    await bot.runtime.live_counts.drain()
    edits = fake.calls_to("PATCH", f"/channels/{daily['id']}/messages/{post['id']}")
    assert len(edits) == settled, "no new answers, no more edits"
    # Batched: at most one edit per pass that saw new answers, so fewer edits than the three clicks
    # (how many passes the clicks span depends on the machine's load, not on the code).
    assert 1 <= len(edits) < 3, "answer counts are edited in batches, not once per click"

    clock.now = utc(2026, 3, 2, 10, 0, 10)
    await bot.runtime.scheduler.run_tick()
    revealed = await fake.wait_for(lambda: "Results" in message_text(fake.messages[int(post["id"])])
                                   and fake.messages[int(post["id"])], 5, "the reveal edit")
    assert all(b["disabled"] for b in buttons(revealed))
    assert [b["style"] for b in buttons(revealed)] == [2, 3, 2]  # the right answer is green
    text = message_text(revealed)
    assert "Results" in text and "Answered\n2" in text and "1 (50%)" in text and "The teacher is the large model." in text
    reveal_edit = fake.calls_to("PATCH", f"/channels/{daily['id']}/messages/{post['id']}")[-1].body
    assert reveal_edit["allowed_mentions"] == {"parse": []}

    late = fake.add_user("carol")
    closed = await fake.run(fake.click(late, post, f"quiz:post:{post_id}:b"))
    assert "closed" in closed.text and closed.ephemeral


async def test_free_text_post_modal_and_results_in_thread(fake, bot, quiz_app, clock, owner, alice):
    daily = fake.guild.daily
    await add_schedule(fake, owner, daily, time="07:00", open_minutes=30, results_in_thread=True)
    await quiz_app.engine.schedules.queue(admin_actor(fake), 1, "mini-loss", clock())
    posted = await fake.run(fake.command(owner, "quizadmin schedule post-now", schedule=1))
    assert "Posted today's question" in posted.text
    [post] = fake.channel_messages(int(daily["id"]))
    assert post["content"] == "" and fake.calls_to("POST", f"/channels/{daily['id']}/messages")[0].body[
        "allowed_mentions"] == {"parse": []}
    answer_button = custom_id(post, "quiz:posttext:")

    modal = await fake.run(fake.click(alice, post, answer_button))
    assert modal.kind == "modal" and modal.data["custom_id"] == answer_button.replace("posttext", "modal:post")
    assert "Which divergence" in str(modal.data["components"])
    verdict = await fake.run(fake.submit_modal(alice, modal.data, "the KL divergence", message=post))
    assert verdict.ephemeral and "Correct" in verdict.text and "+20 points" in verdict.text

    again = await fake.run(fake.submit_modal(alice, modal.data, "no idea", message=post))
    assert "already answered" in again.text and "Correct" in again.text

    clock.advance(minutes=31)
    await bot.runtime.scheduler.run_tick()
    # A thread started from a message has the message's id.
    in_thread = await fake.wait_for(lambda: fake.channel_messages(int(post["id"])), what="results in the thread")
    assert len(fake.calls_to("POST", f"/channels/{daily['id']}/messages/{post['id']}/threads")) == 1
    assert len(in_thread) == 1 and "Results" in message_text(in_thread[0]) and "Answered\n1" in message_text(in_thread[0])
    closed_post = fake.messages[int(post["id"])]
    assert all(b["disabled"] for b in buttons(closed_post)) and "1 answered so far" in message_text(closed_post)

    too_late = await fake.run(fake.click(alice, post, answer_button))
    assert "closed" in too_late.text and too_late.ephemeral


async def test_a_fresh_bot_process_handles_a_click_on_an_older_post(fake, tmp_path, clock, owner, alice):
    first_app = await open_app(tmp_path / "shared.db")
    first = await start_bot(fake, first_app, clock)
    try:
        await add_schedule(fake, owner, fake.guild.daily, time="09:00")
        await fake.run(fake.command(owner, "quizadmin schedule post-now", schedule=1))
    finally:
        await stop_bot(first)
        await first_app.close()
    [post] = fake.channel_messages(int(fake.guild.daily["id"]))
    right = custom_id(post, "quiz:post:")[:-1] + "b"

    second_app = await open_app(tmp_path / "shared.db")
    second = await start_bot(fake, second_app, clock)
    try:
        assert len(fake.identifies) == 2
        assert len(fake.calls_to("PUT", "/commands")) == 1  # same command set: no second sync
        verdict = await fake.run(fake.click(alice, post, right))
        assert verdict.ephemeral and "Correct" in verdict.text
        assert await second_app.engine.post_answer_count(int(right.split(":")[2])) == 1
    finally:
        await stop_bot(second)
        await second_app.close()


async def test_a_rate_limited_post_waits_for_discord_without_spending_an_attempt(fake, bot, quiz_app, clock, owner):
    daily = fake.guild.daily
    await add_schedule(fake, owner, daily, time="09:00")
    fake.rate_limit_next.append(("POST", f"/api/v10/channels/{daily['id']}/messages", 120.0))
    clock.now = utc(2026, 3, 2, 9, 0, 5)
    [outcome] = await quiz_app.engine.tick(clock.now)  # longer than discord.py will sleep: handed back to us
    assert outcome.status == "deferred" and outcome.retry_at == clock.now + timedelta(seconds=120)
    async with quiz_app.store.read() as session:
        [post] = (await session.exec(select(Post))).all()
    assert (post.status, post.attempts, post.next_attempt_at) == ("failed", 0, outcome.retry_at)  # no attempt spent
    assert not fake.channel_messages(int(daily["id"]))
    clock.now = utc(2026, 3, 2, 9, 1, 5)
    assert await quiz_app.engine.tick(clock.now) == []  # the channel is still paused: nothing is sent
    clock.now = outcome.retry_at
    [again] = await quiz_app.engine.tick(clock.now)
    assert again.status == "posted" and len(fake.channel_messages(int(daily["id"]))) == 1


async def test_a_post_in_a_forbidden_channel_fails_without_retry(fake, bot, quiz_app, clock, owner):
    await add_schedule(fake, owner, fake.guild.daily, time="09:00")
    fake.fail_next.append(("POST", f"/api/v10/channels/{fake.guild.daily['id']}/messages", 403, 50013,
                           "Missing Permissions"))
    reply = await fake.run(fake.command(owner, "quizadmin schedule post-now", schedule=1))
    assert "Posting failed" in reply.text and "missing permission" in reply.text
    async with quiz_app.store.read() as session:
        [post] = (await session.exec(select(Post))).all()
    assert post.status == "failed" and post.next_attempt_at is None  # a retry cannot help: none is planned

"""Spaced review on Discord end to end (the real bot against the loopback fake): /review shows due cards
one at a time, answered with the usual buttons for no points; reminder DMs go once a day, only to who
opted in, and stop for good when Discord refuses the DM."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, time

from conftest import utc
from fake_discord.harness import start_bot, stop_bot
from sqlmodel import func, select
from test_discord import bot, clock, fake, quiz_app  # noqa: F401 (the same bot fixtures)

from bot.models import MemoryCard
from bot.views import Actor

MONDAY_8AM = utc(2026, 3, 2, 8, 0)
WRONG = {0: "1", 2: "2"}  # mini-capital and mini-hard, answered wrong: both become due


def who(fake, user) -> Actor:
    return Actor("discord", str(fake.guild.id), user["id"], user["username"])


async def make_due(fake, quiz_app, clock, *users) -> datetime:
    """Each user misses two lesson questions on Monday; returns 18:05 UTC of the day both are due."""
    for user in users:
        for index, raw in WRONG.items():
            card = await quiz_app.engine.lesson_question(who(fake, user), "mini", index, MONDAY_8AM)
            await quiz_app.engine.answer(who(fake, user), card.delivery_id, raw, MONDAY_8AM)
    async with quiz_app.store.read() as session:
        latest = (await session.exec(select(func.max(MemoryCard.due)))).one()
    return datetime.combine(latest.date(), time(18, 5), tzinfo=UTC)


def dlv(reply, choice: str) -> str:
    return next(i for i in reply.custom_ids if i.startswith("quiz:dlv:") and i.endswith(f":{choice}"))


def right_choice(reply) -> str:
    """The key of the card shown: mini-hard's (about temperature) is a, mini-capital's is b."""
    return "a" if "temperature" in reply.text.lower() else "b"


async def test_review_shows_due_cards_one_at_a_time_for_no_points(fake, bot, quiz_app, clock):
    alice = fake.add_user("alice", global_name="Alice")
    clock.now = await make_due(fake, quiz_app, clock, alice)
    first = await fake.run(fake.command(alice, "review"))
    assert first.ephemeral and "Review ·" in first.text and "2 cards due" in first.text
    verdict = await fake.run(fake.click(alice, first.message, dlv(first, right_choice(first))))
    assert verdict.kind == "update" and "Correct" in verdict.text and "Review: no points, streak kept" in verdict.text
    assert "quiz:review" in verdict.custom_ids and "Next review (1 due)" in verdict.text
    second = await fake.run(fake.click(alice, verdict.message, "quiz:review"))
    assert "Review ·" in second.text and "1 card due" in second.text
    done = await fake.run(fake.click(alice, second.message, dlv(second, right_choice(second))))
    assert "All caught up" in done.text and "quiz:review" not in done.custom_ids
    streak = await fake.run(fake.command(alice, "streak"))
    assert "0 due" in streak.text and "Mastered" in streak.text
    assert (await quiz_app.engine.streak(who(fake, alice), clock.now)).points == 0  # missed on Monday, reviewed: none
    again = await fake.run(fake.command(alice, "review"))
    assert "All caught up" in again.text and "next card is due" in again.text


async def test_a_reminder_goes_once_and_only_to_who_asked(fake, bot, quiz_app, clock):
    alice, bob = fake.add_user("alice", global_name="Alice"), fake.add_user("bob", global_name="Bob")
    evening = await make_due(fake, quiz_app, clock, alice, bob)
    setting = await fake.run(fake.command(alice, "review", remind="18:00"))
    assert "18:00" in setting.text and "UTC" in setting.text
    clock.now = evening.replace(hour=17, minute=55)
    await bot.runtime.reminders.run_tick()
    assert fake.dms_to(alice) == []  # not yet 18:00
    clock.now = evening
    await bot.runtime.reminders.run_tick()
    await bot.runtime.reminders.run_tick()
    await stop_bot(bot)
    restarted = await start_bot(fake, quiz_app, clock)  # its start makes up what is owed today: nothing
    try:
        await restarted.runtime.reminders.run_tick()
    finally:
        await stop_bot(restarted)
    sent = fake.dms_to(alice)
    assert len(sent) == 1 and "2 review cards due" in sent[0]["content"] and "/review" in sent[0]["content"]
    assert sent[0]["allowed_mentions_sent"] == {"parse": []}
    assert fake.dms_to(bob) == [] and len(fake.calls_to("POST", "/users/@me/channels")) == 1


async def test_reminders_off_sends_nothing(fake, bot, quiz_app, clock):
    alice = fake.add_user("alice", global_name="Alice")
    evening = await make_due(fake, quiz_app, clock, alice)
    await fake.run(fake.command(alice, "review", remind="18:00"))
    off = await fake.run(fake.command(alice, "review", remind="off"))
    assert "off" in off.text
    clock.now = evening
    await bot.runtime.reminders.run_tick()
    assert fake.dms_to(alice) == [] and fake.calls_to("POST", "/users/@me/channels") == []
    bad = await fake.run(fake.command(alice, "review", remind="25:00"))
    assert "not a time of day" in bad.text


async def test_a_refused_dm_turns_reminders_off_with_one_log_line(fake, bot, quiz_app, clock, caplog):
    alice = fake.add_user("alice", global_name="Alice")
    evening = await make_due(fake, quiz_app, clock, alice)
    await fake.run(fake.command(alice, "review", remind="18:00"))
    fake.dms_closed.add(alice["id"])
    clock.now = evening
    with caplog.at_level(logging.WARNING, logger="bot.engine.reminders"):
        await bot.runtime.reminders.run_tick()
        clock.advance(days=1)
        await bot.runtime.reminders.run_tick()
    lines = [r for r in caplog.records if "review reminders turned off" in r.getMessage()]
    assert len(lines) == 1 and "50007" in lines[0].getMessage()
    assert len(fake.calls_to("POST", "/users/@me/channels")) == 1  # no retry, the next day neither
    assert (await quiz_app.engine.review_reminder(who(fake, alice))).local_time is None

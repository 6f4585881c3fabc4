"""Spaced review on Slack end to end (bolt over real HTTP against the loopback fake): `/quiz review` and
the App Home's Review button open due cards in the study modal, answered for no points; reminder DMs
(conversations.open + chat.postMessage) go once a day and only to who opted in."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, time

import pytest_asyncio
from fake_slack.harness import start_http
from sqlmodel import func, select
from test_slack_front import answer_modal_question, command, texts

from bot.engine import Engine
from bot.models import MemoryCard

WRONG = {0: "1", 2: "2"}  # mini-capital and mini-hard, answered wrong: both become due


@pytest_asyncio.fixture
async def h(store, mini_catalog):
    harness = await start_http(Engine(store, mini_catalog))
    yield harness
    await harness.close()


async def make_due(h, *users: str) -> datetime:
    """Each user misses two lesson questions now; the clock moves to 18:05 UTC of the day both are due."""
    for user in users:
        for index, raw in WRONG.items():
            card = await h.engine.lesson_question(h.actor(user), "mini", index, h.clock())
            await h.engine.answer(h.actor(user), card.delivery_id, raw, h.clock())
    async with h.engine.store.read() as session:
        latest = (await session.exec(select(func.max(MemoryCard.due)))).one()
    h.clock.now = datetime.combine(latest.date(), time(18, 5), tzinfo=UTC)
    return h.clock.now


async def test_quiz_review_answers_due_cards_in_the_modal(h):
    await make_due(h, "U1")
    await h.slack.command("review")
    await h.fake.wait_for("views.open")
    first = h.fake.last_view()
    assert "2 cards due" in texts({"view": first}) and "*Review*" in texts({"view": first})
    verdict = await answer_modal_question(h, first)
    shown = texts({"view": verdict})
    assert "Correct!" in shown and "Review: no points, streak kept" in shown and "Next review (1 due)" in shown
    before = len(h.fake.calls_to("views.update"))
    await h.slack.interactive(h.slack.view_action(verdict, "study_next"))
    await h.fake.wait_for("views.update", before + 1)
    second = h.fake.last_view()
    assert "1 card due" in texts({"view": second})
    done = await answer_modal_question(h, second)
    assert "All caught up" in texts({"view": done})
    assert (await h.engine.streak(h.actor("U1"), h.clock())).points == 0
    streak = await command(h, "streak")
    assert "Reviews: 0 due" in texts(streak) and "mastered 0 of 2 answered" in texts(streak)


async def test_app_home_review_button(h):
    await make_due(h, "U1")
    await h.slack.home_opened("U1")
    published = (await h.fake.wait_for("views.publish"))[-1]
    assert "Reviews: 2 due" in texts(published)
    actions = [e["action_id"] for b in published["view"]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions[0] == "home_review" and "Review 2 due" in texts(published)
    await h.slack.interactive(h.slack.home_action("home_review"))
    await h.fake.wait_for("views.open")
    assert "2 cards due" in texts({"view": h.fake.last_view()})


async def test_a_reminder_dm_goes_once_and_only_to_who_asked(h):
    setting = await command(h, "review remind 18:00")  # in the morning
    assert "18:00" in texts(setting)
    await make_due(h, "U1", "U2")
    await h.runtime.reminders.run_tick()
    await h.runtime.reminders.run_tick()
    assert [c["users"] for c in h.fake.calls_to("conversations.open")] == ["U1"]
    sent = h.fake.dms_to("U1")
    assert len(sent) == 1 and "2 review cards due" in sent[0]["text"] and "/quiz review" in sent[0]["text"]
    assert h.fake.dms_to("U2") == []
    off = await command(h, "review remind off")
    assert "off" in texts(off)


async def test_a_refused_dm_turns_reminders_off(h, caplog):
    await command(h, "review remind 18:00")
    await make_due(h, "U1")
    h.fake.dms_refused["U1"] = "user_disabled"
    with caplog.at_level(logging.WARNING, logger="bot.engine.reminders"):
        await h.runtime.reminders.run_tick()
    assert [r for r in caplog.records if "review reminders turned off" in r.getMessage()]
    assert (await h.engine.review_reminder(h.actor("U1"))).local_time is None
    assert h.fake.calls_to("chat.postMessage") == []

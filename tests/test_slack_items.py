"""The App Home's "Questions to review" on the loopback fake Slack: shown to admins only, with Retire and
Bring back buttons that act on the workspace's schedules."""
from __future__ import annotations

import pytest_asyncio
from fake_slack.harness import start_http
from test_slack_front import texts

from bot.engine import Engine

ADMIN = "U5"


@pytest_asyncio.fixture
async def h(store, mini_catalog):
    harness = await start_http(Engine(store, mini_catalog), admin_user_ids=ADMIN)
    yield harness
    await harness.close()


async def everyone_gets_it_right(h, learners: int = 30) -> None:
    now = h.clock()
    for n in range(learners):
        who = h.actor(f"UL{n}")
        card = await h.engine.lesson_question(who, "mini", 0, now)
        await h.engine.answer(who, card.delivery_id, "2", now)  # "The teacher": right


def action_ids(published: dict) -> list[str]:
    return [e["action_id"] for b in published["view"]["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_questions_to_review_for_admins_only_and_retire_from_the_home_tab(h):
    await everyone_gets_it_right(h)
    await h.slack.home_opened("U1")
    learner_home = (await h.fake.wait_for("views.publish"))[-1]
    assert "Questions to review" not in texts(learner_home)

    await h.slack.home_opened(ADMIN)
    admin_home = (await h.fake.wait_for("views.publish", 2))[-1]
    shown = texts(admin_home)
    assert "Questions to review (admins)" in shown and "`mini-capital`" in shown and "Too easy: 100%" in shown
    assert "items_retire:mini-capital" in action_ids(admin_home)

    refused = await h.slack.interactive(h.slack.home_action("items_retire:mini-capital", "mini-capital", user="U1"))
    assert refused.status == 200
    await h.fake.wait_for("views.open")
    assert "Not allowed" in texts(h.fake.calls_to("views.open")[-1])
    assert await h.engine.retired_questions(h.actor(ADMIN, admin=True)) == []

    await h.slack.interactive(h.slack.home_action("items_retire:mini-capital", "mini-capital", user=ADMIN))
    after = (await h.fake.wait_for("views.publish", 3))[-1]
    assert "Retired mini-capital from" in texts(after) and "items_unretire:mini-capital" in action_ids(after)
    assert await h.engine.retired_questions(h.actor(ADMIN, admin=True)) == ["mini-capital"]

    await h.slack.interactive(h.slack.home_action("items_unretire:mini-capital", "mini-capital", user=ADMIN))
    back = (await h.fake.wait_for("views.publish", 4))[-1]
    assert "back in this workspace's schedules" in texts(back)
    assert await h.engine.retired_questions(h.actor(ADMIN, admin=True)) == []

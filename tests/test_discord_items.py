"""/quizadmin content stats, retire and unretire on the loopback fake Discord: an admin's paged statistics,
a learner refused, and a retired question never posted by the schedule until it is brought back."""
from __future__ import annotations

from datetime import timedelta

from fake_discord import buttons, message_text
from test_discord import add_schedule, alice, bot, clock, fake, owner, quiz_app  # noqa: F401 (fixtures)

from adapters.discord import item_render
from bot.views import Actor


def learner(fake, n: int) -> Actor:
    return Actor("discord", str(fake.guild.id), f"90000000000000{n:04d}", f"learner{n}")


async def answer_lessons(engine, fake, now) -> None:
    """Eight learners answer the mini lesson's choice questions: every second one gets them right."""
    for n in range(8):
        for index, right in ((0, "b"), (2, "a")):
            card = await engine.lesson_question(learner(fake, n), "mini", index, now)
            await engine.answer(learner(fake, n), card.delivery_id, right if n % 2 else "1", now + timedelta(seconds=30))


async def test_an_admin_pages_through_the_statistics_and_a_learner_is_refused(fake, bot, quiz_app, clock, owner,
                                                                              alice, monkeypatch):
    await answer_lessons(quiz_app.engine, fake, clock())
    monkeypatch.setattr(item_render, "PAGE_SIZE", 1)  # the mini lesson has two answered questions: two pages
    first = await fake.run(fake.command(owner, "quizadmin content stats"))
    assert first.ephemeral and "Page 1 of 2" in first.text and "8 learners" in first.text
    assert "facility 50%" in first.text and "median 30s" in first.text
    second = await fake.run(fake.command(owner, "quizadmin content stats", page=2))
    assert "Page 2 of 2" in second.text
    assert {"mini-capital", "mini-hard"} == {q for q in ("mini-capital", "mini-hard") if q in first.text + second.text}
    refused = await fake.run(fake.command(alice, "quizadmin content stats"))
    assert refused.ephemeral and "Manage Server" in refused.text and "facility" not in refused.text
    refused_retire = await fake.run(fake.command(alice, "quizadmin content retire", question="mini-capital"))
    assert "Manage Server" in refused_retire.text


async def test_a_retired_question_is_not_posted_until_it_is_brought_back(fake, bot, quiz_app, clock, owner):
    daily = fake.guild.daily
    await add_schedule(fake, owner, daily, time="09:00", weekdays="daily")
    offered = await fake.run(fake.autocomplete(owner, "quizadmin content retire", focused="question", question="mini"))
    assert offered.data is not None
    retired = await fake.run(fake.command(owner, "quizadmin content retire", question="mini-capital"))
    assert "`mini-capital` is retired" in retired.text
    again = await fake.run(fake.command(owner, "quizadmin content retire", question="mini-capital"))
    assert "It already was" in again.text
    unknown = await fake.run(fake.command(owner, "quizadmin content retire", question="nope"))
    assert "There is no question 'nope'" in unknown.text

    clock.now = clock.now.replace(hour=9, minute=0, second=5)
    await bot.runtime.scheduler.run_tick()
    [post] = await fake.wait_for(lambda: fake.channel_messages(int(daily["id"])), what="the first daily post")
    assert "Which model is bigger" not in message_text(post)  # mini-capital is first in the track

    back = await fake.run(fake.command(owner, "quizadmin content unretire", question="mini-capital"))
    assert "back in this server's schedules" in back.text
    clock.now = clock.now + timedelta(days=1)
    await bot.runtime.scheduler.run_tick()
    posts = await fake.wait_for(lambda: len(fake.channel_messages(int(daily["id"]))) >= 2 and
                                fake.channel_messages(int(daily["id"])), what="the second daily post")
    assert any("Which model is bigger" in message_text(p) and buttons(p) for p in posts)

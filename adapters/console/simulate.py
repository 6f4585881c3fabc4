"""`quizbot simulate`: a schedule run in virtual time with simulated learners — a demo and a test.

Time is whatever we pass the engine: each day jumps straight to the next slot, so a month runs
in seconds. Learners are seeded: some skip days, some answer wrong.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.console import Console

from adapters.console import render
from bot.content.schema import FreeTextQuestion, SingleChoiceQuestion
from bot.engine import Engine
from bot.views import Actor, PostCard, ResultsView, ScheduleSpec

NAMES = ("Ada", "Ben", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena")


@dataclass
class SimLearner:
    actor: Actor
    skip: float  # chance to skip a day
    skill: float  # chance to answer right


class SimSender:
    def __init__(self, console: Console):
        self.console, self.day = console, 0
        self.posts: list[PostCard] = []

    async def post_question(self, card: PostCard) -> str:
        self.posts.append(card)
        self.console.print(f"[bold]Day {len(self.posts)}[/bold] {card.local_date:%a %Y-%m-%d} · "
                           f"{render.escape(card.question.prompt)}")
        return f"sim:{card.post_id}"

    async def post_results(self, card: PostCard, results: ResultsView) -> str | None:
        streaks = ", ".join(f"{render.escape(n)} {d}" for n, d in results.top_streaks) or "none"
        self.console.print(f"   → {results.answered} answered, {results.share_correct:.0%} correct · "
                           f"answer: {render.escape(results.right_answer)} · top streaks: {streaks}")
        return None


def learners(count: int, rng: random.Random) -> list[SimLearner]:
    out = []
    for i in range(count):
        name = NAMES[i % len(NAMES)] + (f" {i // len(NAMES) + 1}" if i >= len(NAMES) else "")
        out.append(SimLearner(Actor("console", "simulation", f"sim-{i}", name), rng.uniform(0.0, 0.5), rng.uniform(0.4, 0.95)))
    return out


def answer_for(question, right: bool, rng: random.Random) -> str:
    if isinstance(question, SingleChoiceQuestion):
        pool = [c.id for c in question.choices if c.correct == right]
        return rng.choice(pool)
    assert isinstance(question, FreeTextQuestion)
    if right:
        return question.accepted[0] if question.accepted else question.rubric[0].keywords[0]
    return "no idea"


async def simulate(engine: Engine, console: Console, days: int, learner_count: int, seed: int,
                   start: datetime, timezone: str = "Europe/Berlin", weekdays: str = "mon-fri") -> dict:
    rng = random.Random(seed)
    sender = SimSender(console)
    engine.router.register("console", sender)
    admin = Actor("console", "simulation", "operator", "Operator", is_admin=True, community_name="simulation")
    await engine.set_timezone(admin, timezone, start)
    schedule = await engine.schedule_create(admin, ScheduleSpec("sim-channel", "09:00", weekdays), start)
    people = learners(learner_count, rng)
    now = start
    while len(sender.posts) < days:
        next_utc = (await engine.schedule_list(admin, now))[0].next_utc
        if next_utc is None:  # an enabled daily schedule always has a next post
            raise RuntimeError("the simulated schedule has no next post")
        now = next_utc
        before = len(sender.posts)
        await engine.tick(now)
        if len(sender.posts) == before:
            continue
        card = sender.posts[-1]
        question = engine.catalog.questions[card.question.question_id]
        for person in people:
            if rng.random() < person.skip:
                continue
            when = now + timedelta(minutes=rng.randint(1, 480))
            await engine.answer_post(person.actor, card.post_id, answer_for(question, rng.random() < person.skill, rng), when)
    await engine.schedule_set_enabled(admin, schedule.id, False, now)  # end of the run: reveal, post no more
    last_close = (await engine.post_question(sender.posts[-1].post_id)).closes_at or now + timedelta(days=1)
    await engine.tick(max(last_close, now + timedelta(minutes=1)))
    end = now + timedelta(hours=12)
    console.print(f"\n[bold]After {days} posts[/bold] (schedule #{schedule.id}, {weekdays} 09:00 {timezone})")
    for person in people:
        s = await engine.streak(person.actor, end)
        console.print(f"  {person.actor.display_name:<10} streak {s.current:>2} · best {s.best:>2} · "
                      f"freezes {s.freezes} · points {s.points:>4} · {s.correct}/{s.answers} right")
    console.print(render.leaderboard(await engine.leaderboard(admin, end, "all")))
    mismatches = await engine.verify_stats(admin)
    console.print("stats check: " + ("ok (cached counters equal the answer log)" if not mismatches
                                     else f"{len(mismatches)} mismatch(es)"))
    return {"posts": len(sender.posts), "mismatches": len(mismatches)}

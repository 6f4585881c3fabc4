"""Item analysis on a synthetic answer log with known structure: simulated learners of varying ability
answer items of varying difficulty (seeded); one item is planted miskeyed and one has a dead distractor.
The flags must catch exactly those two, and every figure must equal a direct computation on the rows
read back from the database (textbook formulas, written independently of bot.domain.item_stats)."""
from __future__ import annotations

import math
import random
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import actor, utc
from sqlalchemy import insert, select

from bot.content.loader import load_catalog
from bot.engine import Engine
from bot.errors import NotAllowed, NotFound
from bot.models import Answer, Community, Delivery, Learner, table_of

ITEMS = 12
LEARNERS = 160
MISKEYED, DEAD = "syn-q03", "syn-q07"  # q03's content key is "a" but "b" is what able learners pick
START = utc(2026, 3, 2, 9)
ADMIN = actor("boss", admin=True, community="syn")


def synthetic_content(folder: Path) -> Path:
    lines = ["id: syn", "title: Synthetic", "summary: Items for item analysis.", "order: 1", "snippets:",
             "  - {title: One, body: A snippet.}", "questions:"]
    for i in range(ITEMS):
        lines += [f"  - id: syn-q{i:02d}", "    kind: single_choice", f"    prompt: Synthetic question {i}?",
                  "    difficulty: 1", "    choices:"]
        lines += [f"      - {{id: {c}, text: Option {c}{', correct: true' if c == 'a' else ''}}}" for c in "abcd"]
        lines.append("    explanation: Because.")
    path = folder / "syn.yml"
    path.write_text("\n".join(lines) + "\n")
    return folder


def simulate(seed: int = 7) -> list[tuple[int, str, str, int]]:
    """(learner, question, choice, seconds) in answer order; each learner answers every item, some twice."""
    rng = random.Random(seed)
    ability = [rng.gauss(0, 1) for _ in range(LEARNERS)]
    difficulty = [-0.6 + 1.2 * i / (ITEMS - 1) for i in range(ITEMS)]
    rows = []
    for learner, theta in enumerate(ability):
        for i, b in enumerate(difficulty):
            qid = f"syn-q{i:02d}"
            knows = rng.random() < 1 / (1 + math.exp(-1.7 * (theta - b)))
            right = "b" if qid == MISKEYED else "a"
            wrong = [c for c in "abcd" if c != right and not (qid == DEAD and c == "d")]
            rows.append((learner, qid, right if knows else rng.choice(wrong), rng.randint(5, 120)))
            if rng.random() < 0.1:  # a second try later: never part of the first-attempt figures
                rows.append((learner, qid, rng.choice("abcd"), rng.randint(5, 120)))
    return rows


async def build_log(store, rows) -> None:
    """Insert the log directly (fast): one practice delivery per answer, shown `seconds` before it. The
    database is fresh, so the ids are chosen here and every table takes one multi-row statement."""
    answered = [START + timedelta(minutes=n) for n in range(len(rows))]
    async with store.write() as session:
        conn = await session.connection()
        await conn.execute(insert(table_of(Community)).values(
            id=1, platform="console", external_id="syn", name="Synthetic", timezone="UTC", created_at=START))
        await conn.execute(insert(table_of(Learner)), [dict(id=n + 1, community_id=1, user_id=f"l{n}", display_name=f"l{n}",
                                                             created_at=START) for n in range(LEARNERS)])
        await conn.execute(insert(table_of(Delivery)), [dict(
            id=n + 1, community_id=1, question_id=qid, kind="practice", learner_id=learner + 1,
            created_at=answered[n] - timedelta(seconds=seconds)) for n, (learner, qid, _, seconds) in enumerate(rows)])
        await conn.execute(insert(table_of(Answer)), [dict(
            id=n + 1, delivery_id=n + 1, learner_id=learner + 1, community_id=1, question_id=qid, choice_id=choice,
            correct=choice == "a", answered_at=answered[n], local_day=answered[n].date())
            for n, (learner, qid, choice, _) in enumerate(rows)])
        if store.url.startswith("postgresql"):  # explicit ids leave the sequences behind
            for table in ("community", "learner", "delivery", "answer"):
                await conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


@pytest.fixture
async def synthetic(store, tmp_path):
    catalog = load_catalog([synthetic_content(tmp_path)])
    await build_log(store, simulate())
    return Engine(store, catalog)


async def read_back(store) -> list:
    a, d = table_of(Answer), table_of(Delivery)
    async with store.read() as session:
        return list(await (await session.connection()).execute(
            select(a.c.id, a.c.learner_id, a.c.question_id, a.c.choice_id, a.c.correct, a.c.answered_at, d.c.created_at)
            .join(d, d.c.id == a.c.delivery_id)))


def expected(rows) -> dict[str, dict]:
    """The textbook figures on the first attempts, computed without the code under test."""
    first = {}
    for row in sorted(rows, key=lambda r: (r.answered_at, r.id)):
        first.setdefault((row.learner_id, row.question_id), row)
    total = {}
    for (learner, _), row in first.items():
        total[learner] = total.get(learner, 0) + int(row.correct)
    out = {}
    for qid in {q for _, q in first}:
        got = [row for (_, q), row in first.items() if q == qid]
        n = len(got)
        p = sum(r.correct for r in got) / n
        rest = [total[r.learner_id] - int(r.correct) for r in got]
        mean_rest = sum(rest) / n
        sd_rest = math.sqrt(sum((x - mean_rest) ** 2 for x in rest) / n)
        m1 = sum(x for x, r in zip(rest, got, strict=True) if r.correct) / sum(r.correct for r in got)
        m0 = sum(x for x, r in zip(rest, got, strict=True) if not r.correct) / sum(not r.correct for r in got)
        ranked = sorted(got, key=lambda r: (-total[r.learner_id], r.learner_id))
        k27, k25 = max(1, math.floor(n * 0.27 + 0.5)), max(1, math.floor(n * 0.25 + 0.5))
        seconds = sorted((r.answered_at - r.created_at).total_seconds() for r in got)
        out[qid] = dict(
            attempts=n, answers=sum(r.question_id == qid for r in rows), facility=p,
            discrimination=(m1 - m0) / sd_rest * math.sqrt(p * (1 - p)),  # the point-biserial formula
            upper_lower=(sum(r.correct for r in ranked[:k27]) - sum(r.correct for r in ranked[-k27:])) / k27,
            shares={c: sum(r.choice_id == c for r in got) / n for c in "abcd"},
            top={c: sum(r.choice_id == c for r in ranked[:k25]) / k25 for c in "abcd"},
            median=(seconds[(n - 1) // 2] + seconds[n // 2]) / 2)
    return out


async def test_flags_catch_exactly_the_planted_problems(synthetic):
    report = await synthetic.item_analysis(ADMIN, START)
    flagged = {item.question_id: {f.code for f in item.flags} for item in report.items if item.flags}
    # A miskeyed item also reads as hard and as discriminating backwards: both follow from the wrong key.
    assert flagged == {MISKEYED: {"top_prefers_distractor", "low_discrimination", "too_hard"}, DEAD: {"dead_distractor"}}
    assert [item.question_id for item in report.to_review][:2] == [MISKEYED, DEAD]  # worst first
    reason = next(f.reason for f in report.items[0].flags if f.code == "top_prefers_distractor")
    assert "choice 2" in reason and "miskeyed" in reason


async def test_figures_equal_a_direct_computation_on_the_log(synthetic, store):
    report = await synthetic.item_analysis(ADMIN, START)
    want = expected(await read_back(store))
    assert report.learners == LEARNERS and len(report.items) == ITEMS
    for item in report.items:
        f, w = item.figures, want[item.question_id]
        assert (f.attempts, f.answers) == (w["attempts"], w["answers"])
        assert f.facility == pytest.approx(w["facility"])
        assert f.discrimination == pytest.approx(w["discrimination"])
        assert f.upper_lower == pytest.approx(w["upper_lower"])
        assert {c.choice: c.share for c in f.choices} == pytest.approx(w["shares"])
        assert {c.choice: c.top_share for c in f.choices} == pytest.approx(w["top"])
        assert f.median_seconds == pytest.approx(w["median"])
        assert f.chance == 0.25 and f.efficiency is not None and -1 <= f.efficiency <= 1


async def test_operator_sees_one_community_or_all_and_unknown_is_refused(synthetic):
    assert (await synthetic.operator_item_analysis(START, "syn")).learners == LEARNERS
    assert (await synthetic.operator_item_analysis(START)).community is None
    with pytest.raises(NotFound, match="No community 'nowhere'"):
        await synthetic.operator_item_analysis(START, "nowhere")


async def test_learners_may_not_see_statistics_or_retire(synthetic):
    with pytest.raises(NotAllowed):
        await synthetic.item_analysis(actor("joe", community="syn"), START)
    with pytest.raises(NotAllowed):
        await synthetic.question_set_retired(actor("joe", community="syn"), DEAD, True, START)


async def test_retire_is_idempotent_and_shown_in_the_analysis(synthetic):
    first = await synthetic.question_set_retired(ADMIN, DEAD, True, START)
    again = await synthetic.question_set_retired(ADMIN, DEAD, True, START)
    assert (first.changed, again.changed) == (True, False)
    assert await synthetic.retired_questions(ADMIN) == [DEAD]
    assert next(i for i in (await synthetic.item_analysis(ADMIN, START)).items if i.question_id == DEAD).retired
    back = await synthetic.question_set_retired(ADMIN, DEAD, False, START)
    assert back.changed and not (await synthetic.question_set_retired(ADMIN, DEAD, False, START)).changed
    assert await synthetic.retired_questions(ADMIN) == []
    with pytest.raises(NotFound):
        await synthetic.question_set_retired(ADMIN, "no-such-question", True, START)


async def test_schedules_skip_retired_questions_even_when_queued_and_post_them_again_after(store, mini_catalog):
    from test_schedules import ADMIN as BOSS
    from test_schedules import MON, SETUP, at, make_engine, posted, spec
    engine, _ = await make_engine(store, mini_catalog)
    await engine.schedule_create(BOSS, spec(), SETUP)
    await engine.question_set_retired(BOSS, "mini-capital", True, SETUP)
    card, _ = await engine.schedule_preview(BOSS, 1, SETUP)
    assert card.question_id == "mini-loss"  # mini-capital is first in the track
    await engine.schedule_queue(BOSS, 1, "mini-capital", SETUP)
    [first] = posted(await engine.tick(at("Europe/Berlin", MON, 9)))
    assert (await engine.post_question(first.post_id)).question_id == "mini-loss"
    await engine.question_set_retired(BOSS, "mini-capital", False, SETUP)
    [second] = posted(await engine.tick(at("Europe/Berlin", MON + timedelta(days=1), 9)))
    assert (await engine.post_question(second.post_id)).question_id == "mini-capital"

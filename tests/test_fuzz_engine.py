"""Arbitrary text, ids and field strings at every input path of the engine. Property: nothing escapes
but the engine's typed errors for people (QuizError: BadInput, NotFound, NotAllowed — each a sentence
safe to show), and an input the engine refuses leaves every table as it was.

The examples of one test share its database (accepted inputs may add rows; refused ones may not).
Ids stay inside a database integer here; ids beyond it are test_huge_ids_are_refused_as_not_found.
"""
from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from conftest import actor
from db_snapshot import changed_tables, snapshot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.engine.answers import answer_text, grade_answer
from bot.errors import QuizError
from bot.views import ScheduleSpec

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
LEARNER, ADMIN = actor("fuzz-learner"), actor("fuzz-admin", admin=True)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

INT32 = (-(2**31), 2**31 - 1)  # PostgreSQL's integer: the id columns' range
ids = st.one_of(st.integers(*INT32), st.sampled_from([0, -1, 1, 2, 3, INT32[0], INT32[1]]))
text = st.text(max_size=300)
words = st.one_of(text, st.sampled_from(["", " ", "1", "mini", "week", "all", "UTC", "Europe/Berlin", "09:00",
                                          "mon-fri", "daily", "25:00", "-1", "0", "#1", "99999"]))
# Each field as the doors' form parsers hand it over: its own type, anything in it.
FIELD_VALUES = {
    "channel_id": words, "time": words, "weekdays": words, "timezone": st.one_of(st.none(), words),
    "lessons": st.lists(words, max_size=3).map(tuple), "tags": st.lists(words, max_size=3).map(tuple),
    "shuffle": st.booleans(), "open_minutes": st.one_of(st.none(), st.integers(*INT32)),
    "ping_role": st.one_of(st.none(), words), "results_in_thread": st.booleans(), "channel_name": words,
    "recap_weekday": st.one_of(st.none(), words),
}
assert set(FIELD_VALUES) == {f.name for f in fields(ScheduleSpec)}


async def refused_changes_nothing(store, call) -> object:
    """Run `call`; a QuizError must leave the database as it was, any other exception fails the test."""
    before = await snapshot(store)
    try:
        return await call()
    except QuizError:
        after = await snapshot(store)
        assert changed_tables(before, after) == [], "a refused input changed the database"
        return None


@FUZZ
@example(delivery=123456, answer="1")  # first, on an empty database: a refused answer adds no community
@example(delivery=-2, answer="KL\x00")  # the free-text question, a NUL in the text
@example(delivery=-3, answer="1\x00")
@given(delivery=st.one_of(ids, st.sampled_from([-1, -2, -3])), answer=text)
async def test_answers_to_any_delivery_with_any_text(engine, store, delivery, answer):
    """-1, -2, -3 stand for a real delivery of the lesson's questions (single choice and free text)."""
    if delivery in (-1, -2, -3):
        delivery_id = (await engine.lesson_question(LEARNER, "mini", -delivery - 1, NOW)).delivery_id
    else:
        delivery_id = delivery
    await refused_changes_nothing(store, lambda: engine.answer(LEARNER, delivery_id, answer, NOW))


@FUZZ
@given(post_id=ids, answer=text)
async def test_answers_to_any_daily_post(engine, store, post_id, answer):
    await refused_changes_nothing(store, lambda: engine.answer_post(LEARNER, post_id, answer, NOW))
    await refused_changes_nothing(store, lambda: engine.post_question(post_id))
    assert await engine.post_answer_count(post_id) >= 0


@settings(max_examples=300, deadline=None)
@given(answer=text, which=st.integers(0, 10_000))
def test_grading_any_text_against_every_question(real_catalog, answer, which):
    questions = [q for lesson in real_catalog.lessons for q in lesson.questions]
    question = questions[which % len(questions)]
    try:
        grade_answer(question, answer_text(answer))  # the engine's grading, as an answer reaches it
    except QuizError:
        pass  # e.g. no such choice: refused with a sentence


@FUZZ
@given(lesson=words, index=st.integers(-5, 2**31 - 1))
async def test_lesson_navigation_by_any_name_and_step(engine, store, lesson, index):
    for step in (lambda: engine.lesson_question(LEARNER, lesson, index, NOW),
                 lambda: _sync(engine.snippet, lesson, index),
                 lambda: _sync(engine.lesson_choices, lesson)):
        await refused_changes_nothing(store, step)


async def _sync(fn, *args):
    return fn(*args)


@FUZZ
@example(spec=dict(channel_id="c\x00", time="09:00", weekdays="daily"))  # a NUL in the stored strings
@example(spec=dict(channel_id="c2", time="09:00", weekdays="daily", channel_name="#\x00"))
@given(spec=st.fixed_dictionaries(FIELD_VALUES))
async def test_schedule_create_with_any_field_strings(engine, store, spec):
    await refused_changes_nothing(store, lambda: engine.schedules.create(ADMIN, ScheduleSpec(**spec), NOW))


@FUZZ
@given(schedule_id=st.one_of(ids, st.just(None)),
       change=st.sampled_from(sorted(FIELD_VALUES) + ["bogus"]).flatmap(
           lambda name: st.tuples(st.just(name), FIELD_VALUES.get(name, words))))
async def test_schedule_update_and_actions_with_any_id_and_value(engine, store, schedule_id, change):
    name, value = change
    if schedule_id is None:  # a real schedule, so the field checks are reached
        existing = await engine.schedules.list(ADMIN, NOW)
        schedule_id = existing[0].id if existing else (await engine.schedules.create(
            ADMIN, ScheduleSpec("fuzz-channel", "09:00", "daily"), NOW)).id
    desk = engine.schedules
    await refused_changes_nothing(store, lambda: desk.update(ADMIN, schedule_id, NOW, **{name: value}))
    for act in (lambda: desk.skip_next(ADMIN, schedule_id, NOW), lambda: desk.preview(ADMIN, schedule_id, NOW),
                lambda: desk.queue(ADMIN, schedule_id, value if isinstance(value, str) else "x", NOW),
                lambda: desk.set_enabled(LEARNER, schedule_id, False, NOW)):
        await refused_changes_nothing(store, act)


@FUZZ
@given(name=words, verb=st.sampled_from(["create", "join"]))
async def test_group_create_and_join_with_any_name(engine, store, name, verb):
    call = engine.group_create if verb == "create" else engine.group_join
    await refused_changes_nothing(store, lambda: call(LEARNER, name, NOW))
    await refused_changes_nothing(store, lambda: engine.group_choices(LEARNER, name))


@FUZZ
@given(period=st.one_of(st.none(), words), group=st.one_of(st.none(), words))
async def test_leaderboards_with_any_arguments(engine, store, period, group):
    await refused_changes_nothing(store, lambda: engine.leaderboard(LEARNER, NOW, period, group))
    await refused_changes_nothing(store, lambda: engine.group_leaderboard(LEARNER, NOW, period))


@FUZZ
@given(zone=words)
async def test_time_zone_with_any_name(engine, store, zone):
    await refused_changes_nothing(store, lambda: engine.set_timezone(ADMIN, zone, NOW))


HUGE = st.one_of(st.integers(min_value=2**31), st.integers(max_value=-(2**31) - 1))


@FUZZ
@example(big=2**64)
@given(big=HUGE)
async def test_huge_ids_are_refused_as_not_found(engine, store, big):
    await refused_changes_nothing(store, lambda: engine.answer(LEARNER, big, "1", NOW))
    await refused_changes_nothing(store, lambda: engine.answer_post(LEARNER, big, "1", NOW))
    await refused_changes_nothing(store, lambda: engine.schedules.remove(ADMIN, big))

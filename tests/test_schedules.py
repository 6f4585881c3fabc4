"""Daily schedules end to end through the Engine (SQLite): admin desk, question choice, the posting
ledger (exactly once, DST, catch-up, retries), reveals, streaks on posted days.

Time never passes by itself here: every call gets an explicit `now`, and `engine.tick(now)` is the
scheduler pass the bot would run every minute.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import actor, utc
from recording_sender import RecordingSender
from sqlalchemy import func
from sqlmodel import select

from bot.engine import Engine, tracks
from bot.errors import BadInput, NotAllowed
from bot.models import Post, Schedule, ScheduleQuestion
from bot.ports import SenderRouter
from bot.views import PostOutcome, ResultsView, ScheduleSpec

UTC = UTC
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
ADMIN = actor("boss", admin=True)
JOE = actor("joe")  # not an admin
MON = date(2026, 5, 4)  # a Monday; Europe/Berlin is on CEST (UTC+2) all around it
SETUP = utc(2026, 5, 1, 12)  # Friday noon, before every slot the tests use


def at(tz: str, day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """The UTC instant of a (non-ambiguous) local wall time."""
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def spec(channel: str = "ch1", time: str = "09:00", weekdays: str = "daily", **kw) -> ScheduleSpec:
    return ScheduleSpec(channel, time, weekdays, **kw)


def posted(outcomes: list[PostOutcome]) -> list[PostOutcome]:
    return [o for o in outcomes if o.status == "posted"]


async def make_engine(store, catalog, tz: str = BERLIN, now: datetime = SETUP) -> tuple[Engine, RecordingSender]:
    sender = RecordingSender()
    engine = Engine(store, catalog, router=SenderRouter({"console": sender}))
    await engine.set_timezone(ADMIN, tz, now)
    return engine, sender


async def count(store, model, *where) -> int:
    async with store.read() as session:
        stmt = select(func.count()).select_from(model)
        for cond in where:
            stmt = stmt.where(cond)
        return (await session.exec(stmt)).one()


async def posts(store) -> list[Post]:
    async with store.read() as session:
        return list((await session.exec(select(Post).order_by(Post.local_date))).all())


async def post_on(store, day: date) -> Post | None:
    async with store.read() as session:
        return (await session.exec(select(Post).where(Post.local_date == day))).first()


# --- admin desk ---------------------------------------------------------------------------------

async def test_create_shows_the_next_post_in_local_and_utc(store, mini_catalog):
    engine, _ = await make_engine(store, mini_catalog)
    view = await engine.schedules.create(ADMIN, spec(weekdays="mon-fri", ping_role="quiz-role"), SETUP)
    assert view.timezone == BERLIN  # defaults to the community's zone
    assert view.weekdays == ("mon", "tue", "wed", "thu", "fri")
    assert view.enabled and view.track_size == 3 and view.remaining == 3 and view.ping_role == "quiz-role"
    # Created Friday noon (after Friday's 09:00): the next post is Monday 09:00 Berlin = 07:00 UTC.
    assert view.next_local == datetime(2026, 5, 4, 9, 0, tzinfo=ZoneInfo(BERLIN))
    assert view.next_local.utcoffset() == timedelta(hours=2)
    assert view.next_utc == utc(2026, 5, 4, 7, 0)
    listed = await engine.schedules.list(ADMIN, SETUP)
    assert [v.id for v in listed] == [view.id]
    assert listed[0].next_local == view.next_local and listed[0].next_utc == view.next_utc


async def test_a_schedule_zone_overrides_the_community_zone(store, mini_catalog):
    engine, _ = await make_engine(store, mini_catalog)
    view = await engine.schedules.create(ADMIN, spec(timezone=NEW_YORK), SETUP)
    assert view.timezone == NEW_YORK
    assert view.next_local == datetime(2026, 5, 1, 9, 0, tzinfo=ZoneInfo(NEW_YORK))  # Fri 09:00 EDT, still ahead
    assert view.next_utc == utc(2026, 5, 1, 13, 0)


async def test_admin_ops_refuse_non_admins(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    with pytest.raises(NotAllowed):
        await engine.schedules.create(JOE, spec(), SETUP)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    desk = engine.schedules
    refused = [
        desk.update(JOE, sid, SETUP, time="10:00"),
        desk.set_enabled(JOE, sid, False, SETUP),
        desk.set_enabled(JOE, sid, True, SETUP),
        desk.remove(JOE, sid),
        desk.post_now(JOE, sid, SETUP),
        desk.skip_next(JOE, sid, SETUP),
        desk.queue(JOE, sid, "mini-hard", SETUP),
        desk.preview(JOE, sid, SETUP),
    ]
    for call in refused:
        with pytest.raises(NotAllowed):
            await call
    # Nothing changed: same schedule, nothing posted, nothing skipped or queued.
    view = (await desk.list(ADMIN, SETUP))[0]
    assert (view.time, view.enabled, view.queued_question_id, view.skipped_dates) == ("09:00", True, None, ())
    assert await count(store, Post) == 0 and sender.posts == []


async def test_list_refuses_non_admins(store, mini_catalog):
    engine, _ = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(), SETUP)
    with pytest.raises(NotAllowed):
        await engine.schedules.list(JOE, SETUP)


@pytest.mark.parametrize("bad", [
    spec(timezone="Mars/Olympus_Mons"),
    spec(time="25:00"),
    spec(time="09:60"),
    spec(time="nine"),
    spec(weekdays=""),
    spec(weekdays="funday"),
    spec(tags=("nonexistent",)),
    spec(lessons=("no-such-lesson",)),
    spec(open_minutes=0),
    spec(channel="  "),
], ids=["zone", "25h", "60min", "words", "no-days", "bad-day", "empty-track", "bad-lesson", "open0", "no-channel"])
async def test_bad_input_is_refused_and_nothing_is_stored(store, mini_catalog, bad):
    engine, _ = await make_engine(store, mini_catalog)
    with pytest.raises(BadInput):
        await engine.schedules.create(ADMIN, bad, SETUP)
    assert await count(store, Schedule) == 0
    assert await count(store, Post) == 0
    assert await engine.schedules.list(ADMIN, SETUP) == []


async def test_second_schedule_in_a_channel_is_refused(store, mini_catalog):
    engine, _ = await make_engine(store, mini_catalog)
    first = await engine.schedules.create(ADMIN, spec(), SETUP)
    with pytest.raises(BadInput):
        await engine.schedules.create(ADMIN, spec(time="10:00", weekdays="mon"), SETUP)
    assert await count(store, Schedule) == 1 and await count(store, Post) == 0
    assert [(v.id, v.time) for v in await engine.schedules.list(ADMIN, SETUP)] == [(first.id, "09:00")]


async def test_bad_update_changes_nothing(store, mini_catalog):
    engine, _ = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(weekdays="mon-fri"), SETUP)).id
    for changes in ({"time": "25:00"}, {"timezone": "Nowhere/Else"}, {"tags": ("nonexistent",)},
                    {"weekdays": ""}, {"channel_id": "other"}, {"colour": "red"}):
        with pytest.raises(BadInput):
            await engine.schedules.update(ADMIN, sid, SETUP, **changes)
    view = (await engine.schedules.list(ADMIN, SETUP))[0]
    assert (view.time, view.timezone, view.tags, view.weekdays[-1]) == ("09:00", BERLIN, (), "fri")
    changed = await engine.schedules.update(ADMIN, sid, SETUP, time="10:15", weekdays="sat", open_minutes=30)
    assert (changed.time, changed.weekdays, changed.open_minutes) == ("10:15", ("sat",), 30)
    assert changed.next_local == datetime(2026, 5, 2, 10, 15, tzinfo=ZoneInfo(BERLIN))


async def test_remove_keeps_posted_days_and_frees_the_channel(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    assert posted(await engine.tick(at(BERLIN, MON, 9)))
    await engine.schedules.remove(ADMIN, sid)
    assert await engine.schedules.list(ADMIN, SETUP) == []
    assert await count(store, Post, Post.status == "posted") == 1  # a posted day stays a quiz day
    assert not posted(await engine.tick(at(BERLIN, MON + timedelta(days=1), 9)))
    again = await engine.schedules.create(ADMIN, spec(), at(BERLIN, MON, 12))
    assert again.id != sid and len(sender.posts) == 1


# --- question choice ----------------------------------------------------------------------------

async def run_daily(engine, days: int, start: date = MON, hh: int = 9) -> list[PostOutcome]:
    out = []
    for i in range(days):
        out += posted(await engine.tick(at(BERLIN, start + timedelta(days=i), hh)))
    return out


async def test_track_in_order_no_repeats_then_least_recently_posted(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(lessons=("mini",)), SETUP)
    await run_daily(engine, 7)
    order = [c.question.question_id for c in sender.posts]
    assert order == ["mini-capital", "mini-loss", "mini-hard"] * 2 + ["mini-capital"]


async def test_shuffled_track_is_a_fixed_permutation_then_repeats(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(shuffle=True), SETUP)
    await run_daily(engine, 6)
    order = [c.question.question_id for c in sender.posts]
    assert sorted(order[:3]) == ["mini-capital", "mini-hard", "mini-loss"]
    assert order[3:] == order[:3]


async def used_by_rollup(store) -> set[tuple]:
    async with store.read() as session:
        return set((await session.exec(select(ScheduleQuestion.schedule_id, ScheduleQuestion.question_id,
                                              ScheduleQuestion.last_used))).all())


async def used_by_ledger(store) -> set[tuple]:
    async with store.read() as session:
        return set((await session.exec(select(Post.schedule_id, Post.question_id, func.max(Post.local_date)).where(
            Post.status.in_(("claimed", "posted", "failed")), Post.question_id != None)  # noqa: E711
            .group_by(Post.schedule_id, Post.question_id))).all())


async def test_question_choice_reads_a_rollup_bounded_by_the_track_and_true_to_the_ledger(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    mini = await engine.schedules.create(ADMIN, spec("ch1", lessons=("mini",)), SETUP)
    await engine.schedules.create(ADMIN, spec("ch2", time="10:00"), SETUP)
    await engine.schedules.queue(ADMIN, mini.id, "mini-hard", SETUP)  # out of track order
    sender.fail_next = 1  # the first post of the day fails: a failed post used its question too
    for i in range(8):
        day = MON + timedelta(days=i)
        await engine.tick(at(BERLIN, day, 9))
        await engine.tick(at(BERLIN, day, 10))
    rollup = await used_by_rollup(store)
    assert rollup == await used_by_ledger(store)
    assert len(rollup) == 6  # 16 posts, but one row per schedule and question: 3 questions each
    last = {q: d for sid, q, d in rollup if sid == mini.id}
    assert last == {"mini-hard": MON + timedelta(days=6), "mini-capital": MON + timedelta(days=7),
                    "mini-loss": MON + timedelta(days=5)}
    card, _ = await engine.schedules.preview(ADMIN, mini.id, at(BERLIN, MON + timedelta(days=7), 12))
    assert card.question_id == "mini-loss"  # the least recently used, as read from the rollup


async def test_the_rollup_never_moves_a_question_back_to_an_earlier_day(store, mini_catalog):
    engine, _ = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    for day in (MON + timedelta(days=3), MON):  # e.g. a late catch-up claim for an earlier day
        async with store.write() as session:
            await tracks.note_used(await session.connection(), store, {(sid, "mini-loss"): day})
    assert await used_by_rollup(store) == {(sid, "mini-loss", MON + timedelta(days=3))}


async def test_list_warns_when_the_track_runs_out_within_a_week(store, mini_catalog):
    engine, _ = await make_engine(store, mini_catalog)
    daily = await engine.schedules.create(ADMIN, spec("daily"), SETUP)
    weekly = await engine.schedules.create(ADMIN, spec("weekly", weekdays="mon"), SETUP)
    assert daily.warning and daily.remaining == 3  # 7 posts a week, 3 questions
    assert weekly.warning is None and weekly.remaining == 3  # 1 post a week
    await run_daily(engine, 2)  # Mon: both post, Tue: the daily one
    by_id = {v.id: v for v in await engine.schedules.list(ADMIN, at(BERLIN, MON + timedelta(days=1), 12))}
    assert by_id[daily.id].remaining == 1 and by_id[daily.id].warning
    assert by_id[weekly.id].remaining == 2 and by_id[weekly.id].warning is None


# --- exactly once, DST --------------------------------------------------------------------------

async def expect_posts(engine, cases: list[tuple[date, datetime]], extra: dict[date, list[datetime]] | None = None):
    """Each day posts exactly at its instant: not a minute before, once, and never again."""
    extra = extra or {}
    for day, instant in cases:
        assert not posted(await engine.tick(instant - timedelta(minutes=1))), day
        first = posted(await engine.tick(instant))
        assert [o.local_date for o in first] == [day]
        assert not posted(await engine.tick(instant))  # same instant again
        for later in extra.get(day, []):
            assert not posted(await engine.tick(later)), (day, later)


async def test_ticking_twice_at_the_same_instant_posts_once(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(), SETUP)
    slot = at(BERLIN, MON, 9)
    assert len(posted(await engine.tick(slot))) == 1
    assert posted(await engine.tick(slot)) == []
    assert posted(await engine.tick(slot + timedelta(minutes=1))) == []
    assert len(sender.posts) == 1 and await count(store, Post) == 1


async def test_berlin_spring_forward_posts_at_the_first_valid_minute(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog, now=utc(2026, 3, 27, 12))
    await engine.schedules.create(ADMIN, spec(time="02:30"), utc(2026, 3, 27, 12))
    await expect_posts(engine, [
        (date(2026, 3, 28), utc(2026, 3, 28, 1, 30)),  # 02:30 CET
        (date(2026, 3, 29), utc(2026, 3, 29, 1, 0)),  # 02:30 does not exist: 03:00 CEST
        (date(2026, 3, 30), utc(2026, 3, 30, 0, 30)),  # 02:30 CEST
    ])
    row = await post_on(store, date(2026, 3, 29))
    assert row.slot_at == utc(2026, 3, 29, 1, 0)
    assert row.slot_at.astimezone(ZoneInfo(BERLIN)).strftime("%H:%M %Z") == "03:00 CEST"
    assert len(sender.posts) == 3


async def test_berlin_fall_back_posts_once_at_the_first_occurrence(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog, now=utc(2026, 10, 23, 12))
    await engine.schedules.create(ADMIN, spec(time="02:30"), utc(2026, 10, 23, 12))
    await expect_posts(engine, [
        (date(2026, 10, 24), utc(2026, 10, 24, 0, 30)),  # 02:30 CEST
        (date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),  # the first 02:30 (CEST)
        (date(2026, 10, 26), utc(2026, 10, 26, 1, 30)),  # 02:30 CET
    ], extra={date(2026, 10, 25): [utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 1, 31)]})  # the second 02:30 (CET)
    assert len(sender.posts) == 3 and await count(store, Post) == 3
    assert [c.local_date for c in sender.posts] == [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]


async def test_new_york_spring_forward(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog, now=utc(2026, 3, 6, 12))
    await engine.schedules.create(ADMIN, spec(time="02:30", timezone=NEW_YORK), utc(2026, 3, 6, 12))
    await expect_posts(engine, [
        (date(2026, 3, 7), utc(2026, 3, 7, 7, 30)),  # 02:30 EST
        (date(2026, 3, 8), utc(2026, 3, 8, 7, 0)),  # 02:30 skipped: 03:00 EDT
        (date(2026, 3, 9), utc(2026, 3, 9, 6, 30)),  # 02:30 EDT
    ])
    assert len(sender.posts) == 3


async def test_new_york_fall_back(store, mini_catalog):
    # In New York the repeated hour is 01:00-02:00, so the doubled schedule time is 01:30.
    engine, sender = await make_engine(store, mini_catalog, now=utc(2026, 10, 30, 12))
    await engine.schedules.create(ADMIN, spec(time="01:30", timezone=NEW_YORK), utc(2026, 10, 30, 12))
    await expect_posts(engine, [
        (date(2026, 10, 31), utc(2026, 10, 31, 5, 30)),  # 01:30 EDT
        (date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),  # the first 01:30 (EDT)
        (date(2026, 11, 2), utc(2026, 11, 2, 6, 30)),  # 01:30 EST
    ], extra={date(2026, 11, 1): [utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 6, 45)]})  # the second 01:30 (EST)
    assert len(sender.posts) == 3 and await count(store, Post) == 3


async def test_weekdays_only_over_two_weeks_of_hourly_ticks(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(weekdays="mon-fri"), SETUP)
    start = at(BERLIN, MON, 0)
    got = []
    for hour in range(14 * 24):
        now = start + timedelta(hours=hour)
        for o in posted(await engine.tick(now)):
            got.append((o.local_date, now))
    assert len(got) == 10 and len(sender.posts) == 10
    assert all(day.weekday() < 5 for day, _ in got)
    assert all(now.astimezone(ZoneInfo(BERLIN)).strftime("%H:%M") == "09:00" for _, now in got)
    assert len({day for day, _ in got}) == 10


# --- pause/resume, catch-up, failures -----------------------------------------------------------

async def test_pause_and_resume(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    tue, wed = MON + timedelta(days=1), MON + timedelta(days=2)
    assert posted(await engine.tick(at(BERLIN, MON, 9)))
    paused = await engine.schedules.set_enabled(ADMIN, sid, False, at(BERLIN, MON, 12))
    assert paused.enabled is False and paused.next_utc is None
    assert not posted(await engine.tick(at(BERLIN, tue, 9)))
    resumed = await engine.schedules.set_enabled(ADMIN, sid, True, at(BERLIN, tue, 10))
    assert resumed.enabled and resumed.next_local == datetime(2026, 5, 6, 9, tzinfo=ZoneInfo(BERLIN))
    assert not posted(await engine.tick(at(BERLIN, tue, 10, 30)))  # Tuesday's slot passed while paused
    assert [o.local_date for o in posted(await engine.tick(at(BERLIN, wed, 9)))] == [wed]
    assert [c.local_date for c in sender.posts] == [MON, wed]


async def test_catch_up_inside_the_grace_window_posts_once(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(), SETUP)
    late = at(BERLIN, MON, 10, 30)  # first tick after the 09:00 slot
    assert [o.local_date for o in posted(await engine.tick(late))] == [MON]
    assert not posted(await engine.tick(late + timedelta(minutes=1)))
    assert len(sender.posts) == 1
    row = await post_on(store, MON)
    assert (row.status, row.slot_at, row.posted_at) == ("posted", at(BERLIN, MON, 9), late)


async def test_missed_day_is_recorded_not_posted_and_does_not_break_a_streak(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(), SETUP)
    ann = actor("ann")
    tue, wed = MON + timedelta(days=1), MON + timedelta(days=2)
    mon_post = posted(await engine.tick(at(BERLIN, MON, 9)))[0]
    assert (await engine.answer_post(ann, mon_post.post_id, "2", at(BERLIN, MON, 10))).status == "new"
    down = await engine.tick(at(BERLIN, tue, 14))  # five hours late
    assert [(o.local_date, o.status) for o in down if o.status != "revealed"] == [(tue, "missed")]
    assert not posted(await engine.tick(at(BERLIN, tue, 14, 1)))
    assert (await post_on(store, tue)).status == "missed"
    assert [c.local_date for c in sender.posts] == [MON]
    wed_post = posted(await engine.tick(at(BERLIN, wed, 9)))[0]
    verdict = await engine.answer_post(ann, wed_post.post_id, "kl divergence", at(BERLIN, wed, 9, 30))
    assert verdict.status == "new" and verdict.streak == 2
    assert (await engine.streak(ann, at(BERLIN, wed, 20))).current == 2
    assert await engine.verify_stats(ADMIN) == []


async def test_failed_send_is_retried_after_the_delay(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(), SETUP)
    slot = at(BERLIN, MON, 9)
    sender.fail_next = 1
    first = await engine.tick(slot)
    assert [o.status for o in first] == ["failed"]
    assert (await post_on(store, MON)).status == "failed"
    assert await engine.tick(slot + timedelta(seconds=10)) == []
    retried = posted(await engine.tick(slot + timedelta(seconds=30)))
    assert [o.post_id for o in retried] == [first[0].post_id]
    for later in (31, 90, 600):
        assert not posted(await engine.tick(slot + timedelta(seconds=later)))
    assert len(sender.posts) == 1 and sender.posts[0].question.question_id == "mini-capital"
    row = await post_on(store, MON)
    assert (row.status, row.attempts) == ("posted", 2)
    # The next day takes the next question: the retried one is not posted again.
    posted(await engine.tick(at(BERLIN, MON + timedelta(days=1), 9)))
    assert [c.question.question_id for c in sender.posts] == ["mini-capital", "mini-loss"]


async def test_non_retryable_failure_is_not_retried(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(), SETUP)
    slot = at(BERLIN, MON, 9)
    sender.fail_next, sender.fatal = 1, True
    assert [o.status for o in await engine.tick(slot)] == ["failed"]
    for later in (timedelta(seconds=30), timedelta(minutes=5), timedelta(hours=1), timedelta(hours=2, minutes=59)):
        assert not posted(await engine.tick(slot + later))
    assert sender.posts == []
    row = await post_on(store, MON)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 1, None)


# --- reveal -------------------------------------------------------------------------------------

async def test_reveal_at_the_next_slot_with_results(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(), SETUP)
    tue = MON + timedelta(days=1)
    post = posted(await engine.tick(at(BERLIN, MON, 9)))[0]
    ann, bob = actor("ann"), actor("bob")
    assert (await engine.answer_post(ann, post.post_id, "2", at(BERLIN, MON, 9, 5))).correct
    assert not (await engine.answer_post(bob, post.post_id, "1", at(BERLIN, MON, 9, 6))).correct
    for t in (at(BERLIN, MON, 12), at(BERLIN, MON, 23, 59), at(BERLIN, tue, 8, 59)):
        assert [o for o in await engine.tick(t) if o.status == "revealed"] == []
    assert sender.results == []  # nothing about the answers is sent before the close
    closing = await engine.tick(at(BERLIN, tue, 9))
    assert [(o.status, o.post_id) for o in closing if o.status == "revealed"] == [("revealed", post.post_id)]
    assert len(sender.results) == 1
    card, results = sender.results[0]
    assert isinstance(results, ResultsView) and card.post_id == post.post_id == results.post_id
    assert results.question_id == "mini-capital" and results.right_answer == "2. The teacher"
    assert (results.answered, results.correct, results.share_correct) == (2, 1, 0.5)
    assert [(c.label, c.count, c.share, c.correct) for c in results.choices] == [
        ("1", 1, 0.5, False), ("2", 1, 0.5, True), ("3", 0, 0.0, False)]
    assert sorted(results.top_streaks) == [("ann", 1), ("bob", 1)]
    late = await engine.answer_post(actor("cid"), post.post_id, "2", at(BERLIN, tue, 9, 1))
    assert (late.status, late.points) == ("closed", 0)
    await engine.tick(at(BERLIN, tue, 9, 5))
    await engine.tick(at(BERLIN, tue, 12))
    assert len(sender.results) == 1  # revealed once


async def test_open_minutes_closes_after_an_hour(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(open_minutes=60), SETUP)
    post = posted(await engine.tick(at(BERLIN, MON, 9)))[0]
    assert (await engine.answer_post(actor("ann"), post.post_id, "2", at(BERLIN, MON, 9, 59, 59))).status == "new"
    await engine.tick(at(BERLIN, MON, 9, 59))
    assert sender.results == []
    assert [o.status for o in await engine.tick(at(BERLIN, MON, 10))] == ["revealed"]
    assert sender.results[0][1].answered == 1
    late = await engine.answer_post(actor("bob"), post.post_id, "2", at(BERLIN, MON, 10, 0, 30))
    assert (late.status, late.points) == ("closed", 0)


# --- streaks on posted days ---------------------------------------------------------------------

async def test_friday_and_monday_make_a_streak_of_two(store, mini_catalog):
    engine, _ = await make_engine(store, mini_catalog, now=utc(2026, 4, 30, 12))
    await engine.schedules.create(ADMIN, spec(weekdays="mon-fri"), utc(2026, 4, 30, 12))  # Thursday noon
    fri, ann = date(2026, 5, 1), actor("ann")
    fri_post = posted(await engine.tick(at(BERLIN, fri, 9)))[0]
    assert (await engine.answer_post(ann, fri_post.post_id, "2", at(BERLIN, fri, 10))).streak == 1
    for day in (date(2026, 5, 2), date(2026, 5, 3)):
        assert not posted(await engine.tick(at(BERLIN, day, 9)))
    mon_post = posted(await engine.tick(at(BERLIN, MON, 9)))[0]
    verdict = await engine.answer_post(ann, mon_post.post_id, "kl", at(BERLIN, MON, 10))
    assert verdict.status == "new" and verdict.streak == 2
    assert (await engine.streak(ann, at(BERLIN, MON, 20))).current == 2
    assert await engine.verify_stats(ADMIN) == []


async def test_an_unanswered_posted_day_breaks_the_streak(store, mini_catalog):
    engine, _ = await make_engine(store, mini_catalog)
    await engine.schedules.create(ADMIN, spec(weekdays="mon-fri"), SETUP)
    ann, tue, wed = actor("ann"), MON + timedelta(days=1), MON + timedelta(days=2)
    mon_post = posted(await engine.tick(at(BERLIN, MON, 9)))[0]
    assert (await engine.answer_post(ann, mon_post.post_id, "2", at(BERLIN, MON, 10))).streak == 1
    assert posted(await engine.tick(at(BERLIN, tue, 9)))  # posted, not answered
    wed_post = posted(await engine.tick(at(BERLIN, wed, 9)))[0]
    verdict = await engine.answer_post(ann, wed_post.post_id, "1", at(BERLIN, wed, 10))
    assert (verdict.streak, verdict.best_streak, verdict.freezes) == (1, 1, 0)
    assert await engine.verify_stats(ADMIN) == []


# --- skip, queue, preview, post now -------------------------------------------------------------

async def test_skip_next(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    sat, sun = date(2026, 5, 2), date(2026, 5, 3)
    assert posted(await engine.tick(at(BERLIN, date(2026, 5, 2), 9)))  # Saturday posts
    view = await engine.schedules.skip_next(ADMIN, sid, at(BERLIN, sat, 12))
    assert view.skipped_dates == (sun,)
    assert view.next_local == datetime(2026, 5, 4, 9, tzinfo=ZoneInfo(BERLIN))
    listed = (await engine.schedules.list(ADMIN, at(BERLIN, sat, 13)))[0]
    assert listed.skipped_dates == (sun,) and listed.next_utc == at(BERLIN, MON, 9)
    assert not posted(await engine.tick(at(BERLIN, sun, 9)))
    assert (await post_on(store, sun)).status == "skipped"
    assert [o.local_date for o in posted(await engine.tick(at(BERLIN, MON, 9)))] == [MON]
    assert [c.local_date for c in sender.posts] == [sat, MON]
    assert [c.question.question_id for c in sender.posts] == ["mini-capital", "mini-loss"]
    assert (await engine.schedules.list(ADMIN, at(BERLIN, MON, 10)))[0].skipped_dates == ()


async def test_queue_and_preview(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    card, view = await engine.schedules.preview(ADMIN, sid, SETUP)
    assert card.question_id == "mini-capital" and view.next_utc == at(BERLIN, date(2026, 5, 2), 9)
    queued = await engine.schedules.queue(ADMIN, sid, "mini-hard", SETUP)
    assert queued.queued_question_id == "mini-hard"
    card, _ = await engine.schedules.preview(ADMIN, sid, SETUP)
    assert card.question_id == "mini-hard" and card.prompt.startswith("What does temperature")
    assert sender.posts == [] and await count(store, Post) == 0  # preview posts nothing
    await run_daily(engine, 3, start=date(2026, 5, 2))
    assert [c.question.question_id for c in sender.posts] == ["mini-hard", "mini-capital", "mini-loss"]
    assert (await engine.schedules.list(ADMIN, at(BERLIN, MON, 10)))[0].queued_question_id is None


async def test_post_now_then_the_scheduled_run_does_not_post_again(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog, now=utc(2026, 5, 3, 12))
    sid = (await engine.schedules.create(ADMIN, spec(), utc(2026, 5, 3, 12))).id
    early = at(BERLIN, MON, 7)
    outcome = await engine.schedules.post_now(ADMIN, sid, early)
    assert (outcome.status, outcome.local_date) == ("posted", MON)
    assert len(sender.posts) == 1
    with pytest.raises(BadInput):
        await engine.schedules.post_now(ADMIN, sid, early + timedelta(minutes=1))
    assert not posted(await engine.tick(at(BERLIN, MON, 9)))
    assert not posted(await engine.tick(at(BERLIN, MON, 10)))
    with pytest.raises(BadInput):
        await engine.schedules.post_now(ADMIN, sid, at(BERLIN, MON, 11))
    assert len(sender.posts) == 1 and await count(store, Post) == 1
    tue = MON + timedelta(days=1)
    assert [o.local_date for o in posted(await engine.tick(at(BERLIN, tue, 9)))] == [tue]
    assert [c.question.question_id for c in sender.posts] == ["mini-capital", "mini-loss"]


async def test_post_now_after_the_slot_posted_is_refused(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    assert posted(await engine.tick(at(BERLIN, MON, 9)))
    with pytest.raises(BadInput):
        await engine.schedules.post_now(ADMIN, sid, at(BERLIN, MON, 12))
    assert len(sender.posts) == 1


# --- regressions: bugs found while writing these tests, fixed in bot/ since --------------------

async def test_post_now_stays_open_until_the_next_post(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog, now=utc(2026, 5, 3, 12))
    sid = (await engine.schedules.create(ADMIN, spec(), utc(2026, 5, 3, 12))).id
    outcome = await engine.schedules.post_now(ADMIN, sid, at(BERLIN, MON, 7))
    await engine.tick(at(BERLIN, MON, 9))  # today's slot: nothing posts here ...
    assert sender.results == []  # ... so nothing should close either
    verdict = await engine.answer_post(actor("ann"), outcome.post_id, "2", at(BERLIN, MON, 10))
    assert verdict.status == "new"


async def test_skip_next_after_post_now_skips_tomorrow(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog, now=utc(2026, 5, 3, 12))
    sid = (await engine.schedules.create(ADMIN, spec(), utc(2026, 5, 3, 12))).id
    tue = MON + timedelta(days=1)
    await engine.schedules.post_now(ADMIN, sid, at(BERLIN, MON, 7))
    view = await engine.schedules.skip_next(ADMIN, sid, at(BERLIN, MON, 7, 5))
    assert view.skipped_dates == (tue,)
    assert view.next_utc == at(BERLIN, tue + timedelta(days=1), 9)
    await engine.tick(at(BERLIN, MON, 9))
    assert not posted(await engine.tick(at(BERLIN, tue, 9)))
    assert len(sender.posts) == 1


async def test_queue_after_a_missed_slot_does_not_cancel_the_catch_up(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    await engine.schedules.queue(ADMIN, sid, "mini-hard", at(BERLIN, MON, 9, 30))  # bot down since before 09:00
    assert [o.local_date for o in posted(await engine.tick(at(BERLIN, MON, 10)))] == [MON]
    assert [c.question.question_id for c in sender.posts] == ["mini-hard"]


async def test_queue_does_not_abandon_a_pending_retry(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    slot = at(BERLIN, MON, 9)
    sender.fail_next = 1
    assert [o.status for o in await engine.tick(slot)] == ["failed"]
    await engine.schedules.queue(ADMIN, sid, "mini-hard", slot + timedelta(seconds=10))
    assert posted(await engine.tick(slot + timedelta(seconds=30)))
    assert [c.question.question_id for c in sender.posts] == ["mini-capital"]


async def test_pausing_stops_a_pending_retry(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog)
    sid = (await engine.schedules.create(ADMIN, spec(), SETUP)).id
    slot = at(BERLIN, MON, 9)
    sender.fail_next = 1
    assert [o.status for o in await engine.tick(slot)] == ["failed"]
    await engine.schedules.set_enabled(ADMIN, sid, False, slot + timedelta(seconds=10))
    for later in (30, 90, 600):
        assert not posted(await engine.tick(slot + timedelta(seconds=later)))
    assert sender.posts == []


# --- changing the zone ----------------------------------------------------------------------------

AUCKLAND, HONOLULU = "Pacific/Auckland", "Pacific/Honolulu"
NZ_POST = utc(2026, 5, 4, 21, 0)  # Tue 2026-05-05 09:00 NZST
SWITCH = utc(2026, 5, 4, 21, 30)  # Mon 11:30 in Honolulu: Monday's 09:00 HST (19:00 UTC) is 2.5 h ago


async def expect_next_honolulu_post(engine, sender):
    # Tuesday 05-05 was already posted (as Auckland's Tuesday): the ledger keeps one post per local date.
    assert not posted(await engine.tick(utc(2026, 5, 5, 19)))
    assert [o.local_date for o in posted(await engine.tick(utc(2026, 5, 6, 19)))] == [date(2026, 5, 6)]
    assert len(sender.posts) == 2


async def test_rezoning_a_schedule_owes_no_slot_from_before_the_change(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog, tz=AUCKLAND)
    sid = (await engine.schedules.create(ADMIN, spec(timezone=AUCKLAND), SETUP)).id
    assert [o.local_date for o in posted(await engine.tick(NZ_POST))] == [date(2026, 5, 5)]
    await engine.schedules.update(ADMIN, sid, SWITCH, timezone=HONOLULU)
    assert not posted(await engine.tick(SWITCH + timedelta(minutes=1)))
    await expect_next_honolulu_post(engine, sender)


async def test_rezoning_the_community_owes_no_slot_from_before_the_change(store, mini_catalog):
    engine, sender = await make_engine(store, mini_catalog, tz=AUCKLAND)
    await engine.schedules.create(ADMIN, spec(), SETUP)  # follows the community's zone
    assert [o.local_date for o in posted(await engine.tick(NZ_POST))] == [date(2026, 5, 5)]
    await engine.set_timezone(ADMIN, HONOLULU, SWITCH)
    assert not posted(await engine.tick(SWITCH + timedelta(minutes=1)))  # Monday 09:00 HST passed before the change
    await expect_next_honolulu_post(engine, sender)

"""Streak rules: the pure functions in bot.domain.streaks, and the same rules end to end through the Engine.

The property tests check the engine against an oracle written here from the rules alone (it does
not import bot.domain.streaks or bot.timeutil): quiz days are the local dates that exist in the
community's zone, found with plain zoneinfo conversions.
"""
from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import actor, fresh_copy, utc
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.db import Store
from bot.domain.streaks import FREEZE_EVERY, FREEZE_MAX, StreakState, answer_day, apply_misses, as_of, replay
from bot.engine import Engine
from bot.errors import NotAllowed, NotFound
from bot.migrate import upgrade_sync

D0 = date(2024, 1, 1)
UTC = UTC


def days(*offsets: int) -> list[date]:
    return [D0 + timedelta(days=o) for o in offsets]


def calendar_gap(start: date, end: date) -> int:
    """missed_between for a zone where every date exists."""
    return max(0, (end - start).days - 1)


# --- the oracle: the rules, written independently of bot.domain.streaks ------------------------------

def existing_local_dates(zone: str, lo: datetime, hi: datetime) -> set[date]:
    """Every local date some instant in [lo - 2 days, hi + 2 days] falls on (30-minute steps)."""
    tz, out = ZoneInfo(zone), set()
    t, end = lo - timedelta(days=2), hi + timedelta(days=2)
    while t <= end:
        out.add(t.astimezone(tz).date())
        t += timedelta(minutes=30)
    return out


def oracle(answered: list[date], existing: set[date], today: date | None = None) -> tuple[int, int, int]:
    """(current, best, freezes) as shown on `today` (default: the last answered day)."""
    def missed(a: date, b: date) -> int:
        return sum(1 for d in existing if a < d < b)

    current = best = freezes = progress = 0
    last = None
    for day in sorted(set(answered)):
        if last is not None:
            gap = missed(last, day)
            if gap:
                progress = 0
                if current > 0 and gap <= freezes:
                    freezes -= gap
                else:
                    current, freezes = 0, 0
        current += 1
        best = max(best, current)
        progress += 1
        if progress == 7:
            freezes, progress = min(2, freezes + 1), 0
        last = day
    if last is not None and today is not None and today > last:
        gap = missed(last, today)
        if gap:
            if current > 0 and gap <= freezes:
                freezes -= gap
            else:
                current, freezes = 0, 0
    return current, best, freezes


def answered_run_lengths(answered: list[date], existing: set[date]) -> list[int]:
    """Lengths of the runs of consecutive existing dates answered (for the test statistics)."""
    runs, run, last = [], 0, None
    for day in sorted(set(answered)):
        run = run + 1 if last is not None and not any(last < d < day for d in existing) else 1
        runs.append(run)
        last = day
    return runs or [0]


# --- unit tests of bot.domain.streaks ------------------------------------------------------------------

def test_rule_constants():
    assert (FREEZE_EVERY, FREEZE_MAX) == (7, 2)


def test_first_answer_starts_a_streak():
    s = answer_day(StreakState(), D0, 0)
    assert s == StreakState(current=1, best=1, freezes=0, progress=1, last_day=D0)


def test_consecutive_days_count_up():
    s = replay(days(0, 1, 2, 3), calendar_gap)
    assert (s.current, s.best, s.last_day) == (4, 4, days(3)[0])


def test_a_gap_breaks_the_streak_but_best_is_kept():
    s = replay(days(0, 1, 2, 4), calendar_gap)
    assert (s.current, s.best, s.freezes) == (1, 3, 0)


def test_freeze_earned_on_the_seventh_day_in_a_row():
    six = replay(days(*range(6)), calendar_gap)
    assert (six.freezes, six.progress) == (0, 6)
    seven = replay(days(*range(7)), calendar_gap)
    assert (seven.current, seven.freezes, seven.progress) == (7, 1, 0)


def test_freezes_capped_at_two():
    assert replay(days(*range(14)), calendar_gap).freezes == 2
    s = replay(days(*range(28)), calendar_gap)
    assert (s.current, s.freezes) == (28, 2)


def test_freeze_progress_resets_after_a_gap():
    # 6 days, a break, then 6 more: never 7 in a row, so no freeze.
    s = replay(days(*range(6), *range(8, 14)), calendar_gap)
    assert (s.current, s.freezes, s.progress) == (6, 0, 6)


def test_one_missed_day_spends_one_freeze():
    s = replay(days(*range(7), 8), calendar_gap)  # day 7 missed
    assert (s.current, s.best, s.freezes, s.progress) == (8, 8, 0, 1)


def test_two_missed_days_with_one_freeze_break_the_streak():
    s = replay(days(*range(7), 9), calendar_gap)  # days 7 and 8 missed
    assert (s.current, s.best, s.freezes, s.progress) == (1, 7, 0, 1)


def test_two_missed_days_with_two_freezes_survive():
    s = replay(days(*range(14), 16), calendar_gap)
    assert (s.current, s.freezes) == (15, 0)


def test_same_day_twice_counts_once():
    s1 = answer_day(StreakState(), D0, 0)
    assert answer_day(s1, D0, 0) == s1
    assert replay(days(0, 0, 1, 1, 1), calendar_gap) == replay(days(0, 1), calendar_gap)


def test_an_earlier_day_does_not_move_the_live_state():
    s = replay(days(3, 4), calendar_gap)
    assert answer_day(s, days(1)[0], 0) == s


def test_apply_misses():
    running = StreakState(current=5, best=5, freezes=1, progress=3, last_day=D0)
    assert apply_misses(running, 0) == running
    assert apply_misses(running, 1) == StreakState(5, 5, 0, 0, D0)
    assert apply_misses(running, 2) == StreakState(0, 5, 0, 0, D0)
    idle = StreakState(current=0, best=4, freezes=0, progress=2, last_day=D0)
    assert apply_misses(idle, 3) == StreakState(0, 4, 0, 0, D0)


def test_as_of_keeps_the_streak_alive_through_today():
    s = replay(days(0, 1, 2), calendar_gap)
    assert as_of(s, 0).current == 3  # today (day 3) is still open
    assert as_of(s, 1).current == 0  # day 3 missed, today is day 4
    assert as_of(s, 1).best == 3


def test_replay_with_a_skipped_date():
    apia_skip = date(2011, 12, 30)

    def missed(a: date, b: date) -> int:
        return sum(1 for i in range(1, (b - a).days) if a + timedelta(days=i) != apia_skip)

    s = replay([date(2011, 12, 29), date(2011, 12, 31)], missed)
    assert s.current == 2


# --- pure property tests -------------------------------------------------------------------------

day_offsets = st.lists(st.integers(0, 60), min_size=0, max_size=40)


@settings(max_examples=200, deadline=None, database=None)
@given(day_offsets, st.sets(st.integers(0, 60), max_size=5), st.integers(0, 5))
def test_replay_matches_the_oracle(offsets, skipped_offsets, today_after):
    skipped = {D0 + timedelta(days=o) for o in skipped_offsets}
    answered = [D0 + timedelta(days=o) for o in offsets if D0 + timedelta(days=o) not in skipped]
    existing = {D0 + timedelta(days=i) for i in range(-5, 80)} - skipped

    def missed(a: date, b: date) -> int:
        return sum(1 for d in existing if a < d < b)

    state = replay(answered, missed)
    if not answered:
        assert state == StreakState()
        return
    assert (state.current, state.best, state.freezes) == oracle(answered, existing)
    today = max(answered) + timedelta(days=today_after)
    shown = as_of(state, missed(state.last_day, today)) if today > state.last_day else state
    assert (shown.current, shown.best, shown.freezes) == oracle(answered, existing, today)


@settings(max_examples=200, deadline=None, database=None)
@given(day_offsets, st.randoms(use_true_random=False))
def test_replay_ignores_order_and_duplicates(offsets, rnd):
    answered = [D0 + timedelta(days=o) for o in offsets]
    shuffled = answered + answered[: len(answered) // 2]
    rnd.shuffle(shuffled)
    assert replay(shuffled, calendar_gap) == replay(answered, calendar_gap)


# --- the real Engine, property-tested in zones with DST and a skipped date ----------------------

ZONES = ("America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia")
SCAN = {
    "America/New_York": (utc(2024, 1, 1), utc(2025, 1, 1)),
    "Europe/Berlin": (utc(2024, 1, 1), utc(2025, 1, 1)),
    "Australia/Lord_Howe": (utc(2024, 1, 1), utc(2025, 1, 1)),
    "Pacific/Apia": (utc(2011, 6, 1), utc(2012, 6, 1)),  # DST both ways and the skipped 2011-12-30
}


def offset_changes(zone: str) -> list[datetime]:
    tz, (t, end) = ZoneInfo(zone), SCAN[zone]
    out, prev = [], t.astimezone(tz).utcoffset()
    while t < end:
        t += timedelta(minutes=30)
        off = t.astimezone(tz).utcoffset()
        if off != prev:
            out.append(t)
            prev = off
    return out


TRANSITIONS = {z: offset_changes(z) for z in ZONES}
APIA_SKIP = datetime(2011, 12, 30, 10, tzinfo=UTC)  # 2011-12-29 24:00 at -10 == 2011-12-31 00:00 at +14


def test_transition_scan_finds_the_known_changes():
    assert len(TRANSITIONS["America/New_York"]) == 2
    assert len(TRANSITIONS["Europe/Berlin"]) == 2
    assert [t.strftime("%m-%d %H:%M") for t in TRANSITIONS["Australia/Lord_Howe"]] == ["04-06 15:00", "10-05 15:30"]
    assert APIA_SKIP in TRANSITIONS["Pacific/Apia"]
    assert date(2011, 12, 30) not in existing_local_dates("Pacific/Apia", APIA_SKIP, APIA_SKIP)


MAX_ANSWERS = 10


@st.composite
def answer_instants(draw, zone: str) -> list[datetime]:
    """Runs of answers about a day apart (20-28 h, so some land on the same local day or skip one),
    separated by gaps of 30-90 h, starting up to 6 days before one of the zone's offset changes."""
    anchors = TRANSITIONS[zone] + ([APIA_SKIP] * 3 if zone == "Pacific/Apia" else [])
    t = draw(st.sampled_from(anchors)) - timedelta(minutes=draw(st.integers(0, 6 * 24 * 60)))
    out: list[datetime] = []
    runs = draw(st.lists(st.tuples(st.integers(1, 9), st.integers(30 * 60, 90 * 60)), min_size=1, max_size=3))
    for length, gap in runs:
        for _ in range(length):
            out.append(t)
            t += timedelta(minutes=draw(st.integers(20 * 60, 28 * 60)))
        t += timedelta(minutes=gap)
    return out[:MAX_ANSWERS]


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """One migrated database; each hypothesis example copies it into a fresh directory."""
    path = tmp_path_factory.mktemp("template") / "quiz.db"
    upgrade_sync(f"sqlite+aiosqlite:///{path}")
    return path


async def run_engine(template: Path, catalog, zone: str, instants: list[datetime], later: timedelta):
    learner, admin = actor("learner"), actor("admin", admin=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(fresh_copy(template, tmp))
        try:
            engine = Engine(store, catalog)
            await engine.set_timezone(admin, zone, instants[0] - timedelta(days=1))
            for i, t in enumerate(instants):
                card = await engine.lesson_question(learner, "mini", i % 3, t)
                verdict = await engine.answer(learner, card.delivery_id, "1", t)
                assert verdict.status == "new"
            problems = await engine.verify_stats(learner)
            at_last = await engine.streak(learner, instants[-1])
            at_later = await engine.streak(learner, instants[-1] + later)
            return problems, at_last, at_later
        finally:
            await store.dispose()


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_engine_streak_matches_the_oracle(template_db, mini_catalog, zone, data):
    instants = data.draw(answer_instants(zone), label="instants")
    later = timedelta(minutes=data.draw(st.integers(0, 4 * 24 * 60), label="later_minutes"))
    problems, at_last, at_later = asyncio.run(run_engine(template_db, mini_catalog, zone, instants, later))

    tz = ZoneInfo(zone)
    answered = [t.astimezone(tz).date() for t in instants]
    existing = existing_local_dates(zone, instants[0], instants[-1] + later)
    expected = oracle(answered, existing)
    event(f"freezes earned: {max(answered_run_lengths(answered, existing)) >= 7}")
    if zone == "Pacific/Apia":
        event(f"answers on both sides of the skipped 2011-12-30: {answered[0] < date(2011, 12, 30) < answered[-1]}")
    assert problems == []  # the cached counters equal the answer log
    assert at_last.today == answered[-1] and at_last.answered_today
    assert at_last.answers == len(instants)
    assert (at_last.current, at_last.best, at_last.freezes) == expected
    later_day = (instants[-1] + later).astimezone(tz).date()
    assert at_later.today == later_day
    assert (at_later.current, at_later.best, at_later.freezes) == oracle(answered, existing, later_day)


# --- explicit engine tests ---------------------------------------------------------------------

async def answer_at(engine: Engine, who, when: datetime, index: int = 0, raw: str = "2"):
    card = await engine.lesson_question(who, "mini", index, when)
    return await engine.answer(who, card.delivery_id, raw, when)


def local(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


async def test_timezone_defaults_to_utc_and_only_admins_change_it(engine):
    me = actor("u1")
    # 23:30 and 00:30 UTC on consecutive UTC dates: two quiz days in UTC.
    await answer_at(engine, me, utc(2024, 6, 3, 23, 30))
    view = await engine.streak(me, utc(2024, 6, 4, 0, 30))
    assert view.today == date(2024, 6, 4) and view.current == 1 and not view.answered_today
    with pytest.raises(NotAllowed):
        await engine.set_timezone(me, "Europe/Berlin", utc(2024, 6, 4))
    with pytest.raises(NotFound):
        await engine.set_timezone(actor("boss", admin=True), "Mars/Olympus_Mons", utc(2024, 6, 4))
    assert await engine.set_timezone(actor("boss", admin=True), "Europe/Berlin", utc(2024, 6, 4)) == "Europe/Berlin"
    assert (await engine.streak(me, utc(2024, 6, 4, 0, 30))).today == date(2024, 6, 4)  # 02:30 in Berlin


async def test_berlin_late_evening_then_after_midnight_is_two_days(engine):
    me, admin = actor("u1"), actor("admin", admin=True)
    await engine.set_timezone(admin, "Europe/Berlin", utc(2024, 1, 1))
    first, second = local("Europe/Berlin", 2024, 1, 15, 23, 30), local("Europe/Berlin", 2024, 1, 16, 0, 30)
    assert second - first == timedelta(hours=1)
    assert first.date() == second.date()  # the same UTC date: only the local dates differ
    await answer_at(engine, me, first)
    verdict = await answer_at(engine, me, second, index=2, raw="1")
    assert verdict.streak == 2
    view = await engine.streak(me, second)
    assert (view.current, view.today, view.answered_today) == (2, date(2024, 1, 16), True)
    assert await engine.verify_stats(me) == []


@pytest.mark.parametrize("days_local", [
    # spring forward (2024-03-10 is 23 h long), late evening each day
    [(2024, 3, 9, 23, 30), (2024, 3, 10, 23, 30), (2024, 3, 11, 0, 15)],
    # fall back (2024-11-03 is 25 h long)
    [(2024, 11, 2, 23, 30), (2024, 11, 3, 23, 30), (2024, 11, 4, 0, 15)],
    # around the changes at their own hour
    [(2024, 3, 9, 1, 59), (2024, 3, 10, 3, 0), (2024, 3, 11, 1, 0)],
    [(2024, 11, 2, 1, 30), (2024, 11, 3, 1, 30), (2024, 11, 4, 1, 30)],
], ids=["spring-evening", "fall-evening", "spring-hour", "fall-hour"])
async def test_new_york_dst_days_are_consecutive(engine, days_local):
    me = actor("u1")
    await engine.set_timezone(actor("admin", admin=True), "America/New_York", utc(2024, 1, 1))
    for i, when in enumerate(days_local):
        verdict = await answer_at(engine, me, local("America/New_York", *when), index=i % 3)
        assert verdict.streak == i + 1
    assert await engine.verify_stats(me) == []


async def test_new_york_fall_back_day_is_one_quiz_day(engine):
    """00:10 EDT and 23:50 EST on 2024-11-03 are 24 h 40 min apart but on one local date."""
    me = actor("u1")
    await engine.set_timezone(actor("admin", admin=True), "America/New_York", utc(2024, 1, 1))
    a, b = local("America/New_York", 2024, 11, 3, 0, 10), local("America/New_York", 2024, 11, 3, 23, 50)
    assert b - a == timedelta(hours=24, minutes=40)
    await answer_at(engine, me, a)
    verdict = await answer_at(engine, me, b, index=2, raw="1")
    assert verdict.streak == 1
    view = await engine.streak(me, b)
    assert (view.current, view.answers) == (1, 2)


async def test_streak_alive_today_until_the_day_is_missed(engine):
    me = actor("u1")
    await engine.set_timezone(actor("admin", admin=True), "Europe/Berlin", utc(2024, 1, 1))
    await answer_at(engine, me, local("Europe/Berlin", 2024, 6, 3, 9, 0))
    await answer_at(engine, me, local("Europe/Berlin", 2024, 6, 4, 21, 0), index=2, raw="1")
    # 2024-06-05 has started but the learner has not answered yet: still 2, shown as current.
    early = await engine.streak(me, local("Europe/Berlin", 2024, 6, 5, 0, 5))
    assert (early.current, early.best, early.answered_today) == (2, 2, False)
    late = await engine.streak(me, local("Europe/Berlin", 2024, 6, 5, 23, 59))
    assert late.current == 2
    # The whole of 2024-06-05 was missed: broken on 2024-06-06.
    broken = await engine.streak(me, local("Europe/Berlin", 2024, 6, 6, 0, 1))
    assert (broken.current, broken.best, broken.freezes) == (0, 2, 0)
    verdict = await answer_at(engine, me, local("Europe/Berlin", 2024, 6, 6, 8, 0), index=1, raw="kl divergence")
    assert (verdict.streak, verdict.best_streak) == (1, 2)
    assert await engine.verify_stats(me) == []


async def test_freeze_covers_one_missed_day_through_the_engine(engine):
    me = actor("u1")
    start = utc(2024, 6, 3, 12)
    for i in range(7):
        verdict = await answer_at(engine, me, start + timedelta(days=i), index=i % 3)
    assert (verdict.streak, verdict.freezes) == (7, 1)
    # Day 8 missed: shown alive on day 9 with the freeze spent.
    shown = await engine.streak(me, start + timedelta(days=8))
    assert (shown.current, shown.freezes) == (7, 0)
    verdict = await answer_at(engine, me, start + timedelta(days=8))
    assert (verdict.streak, verdict.freezes) == (8, 0)
    # Two more missed days with no freeze: broken.
    verdict = await answer_at(engine, me, start + timedelta(days=11))
    assert (verdict.streak, verdict.best_streak, verdict.freezes) == (1, 8, 0)
    assert await engine.verify_stats(me) == []


async def test_apia_skipped_date_keeps_the_streak(engine):
    me = actor("u1")
    await engine.set_timezone(actor("admin", admin=True), "Pacific/Apia", utc(2011, 12, 1))
    before = local("Pacific/Apia", 2011, 12, 29, 12, 0)
    after = local("Pacific/Apia", 2011, 12, 31, 12, 0)
    assert after - before == timedelta(hours=24)  # 2011-12-30 never happened
    assert before.astimezone(ZoneInfo("Pacific/Apia")).date() == date(2011, 12, 29)
    assert after.astimezone(ZoneInfo("Pacific/Apia")).date() == date(2011, 12, 31)
    await answer_at(engine, me, before)
    # At 00:30 on 2011-12-31 (right after the jump) the streak is alive, not broken.
    alive = await engine.streak(me, local("Pacific/Apia", 2011, 12, 31, 0, 30))
    assert (alive.current, alive.today, alive.answered_today) == (1, date(2011, 12, 31), False)
    verdict = await answer_at(engine, me, after, index=2, raw="1")
    assert verdict.streak == 2
    view = await engine.streak(me, after)
    assert (view.current, view.best, view.today) == (2, 2, date(2011, 12, 31))
    assert await engine.verify_stats(me) == []


async def test_delayed_answer_for_an_earlier_day_is_replayed(engine):
    """An answer arriving with an earlier `now` than the last one: the cache still equals the log."""
    me = actor("u1")
    await answer_at(engine, me, utc(2024, 6, 5, 12))
    await answer_at(engine, me, utc(2024, 6, 3, 12), index=2, raw="1")
    verdict = await answer_at(engine, me, utc(2024, 6, 4, 12), index=1, raw="kl")
    assert verdict.streak == 3
    assert await engine.verify_stats(me) == []


async def test_changing_the_time_zone_keeps_the_cache_equal_to_the_log(engine):
    me, admin = actor("u1"), actor("admin", admin=True)
    await engine.set_timezone(admin, "Pacific/Apia", utc(2011, 12, 1))
    await answer_at(engine, me, local("Pacific/Apia", 2011, 12, 29, 12, 0))
    assert (await answer_at(engine, me, local("Pacific/Apia", 2011, 12, 31, 12, 0), index=2, raw="1")).streak == 2
    await engine.set_timezone(admin, "UTC", utc(2012, 1, 1))
    assert await engine.verify_stats(me) == []

"""The Alembic migrations: they build the schema the models describe, and keep rows on upgrade."""
from __future__ import annotations

import sqlite3
from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import bot.models  # noqa: F401
from bot.migrate import upgrade, upgrade_sync

FIRST = "0001"
ROWS_AT_FIRST = {
    "community": "INSERT INTO community (id, platform, external_id, name, timezone, created_at) "
                 "VALUES (1, 'console', 'local', 'terminal', 'Europe/Berlin', '2026-01-05 08:00:00')",
    "learner": "INSERT INTO learner (id, community_id, user_id, display_name, created_at) "
               "VALUES (1, 1, 'ada', 'Ada', '2026-01-05 08:00:00'), (2, 1, 'ben', 'Ben', '2026-01-05 08:00:00')",
    "study_group": "INSERT INTO study_group (id, community_id, name, name_key, created_by, created_at) "
                   "VALUES (1, 1, 'Owls', 'owls', 1, '2026-01-05 08:00:00')",
    "group_membership": "INSERT INTO group_membership (learner_id, group_id, joined_at) VALUES (1, 1, '2026-01-05 08:00:00')",
    "delivery": "INSERT INTO delivery (id, community_id, question_id, kind, learner_id, created_at) "
                "VALUES (1, 1, 'mini-capital', 'lesson', 1, '2026-01-05 08:00:00')",
    "answer": "INSERT INTO answer (id, delivery_id, learner_id, community_id, question_id, choice_id, correct, close, "
              "points, answered_at, local_day) VALUES (1, 1, 1, 1, 'mini-capital', 'b', 1, 0, 10, '2026-01-05 08:01:00', '2026-01-05')",
    "scored_question": "INSERT INTO scored_question (learner_id, question_id, answer_id) VALUES (1, 'mini-capital', 1)",
    "learner_stats": "INSERT INTO learner_stats (learner_id, community_id, points, answers, correct, current_streak, "
                     "best_streak, freezes, freeze_progress, last_quiz_day) VALUES (1, 1, 10, 1, 1, 1, 1, 0, 1, '2026-01-05')",
}


# At 0002: a schedule with three days of its ledger (a question used twice, a missed day with none).
LEDGER_AT_0002 = (
    "INSERT INTO schedule (id, community_id, platform, channel_id, local_time, weekdays, created_by, created_at, "
    "updated_at, posting_from) VALUES (1, 1, 'console', 'general', '09:00', 'daily', 'ada', '2026-01-05 08:00:00', "
    "'2026-01-05 08:00:00', '2026-01-05 08:00:00')",
    "INSERT INTO post (id, schedule_id, community_id, local_date, quiz_day, slot_at, status, question_id) VALUES "
    "(1, 1, 1, '2026-01-05', '2026-01-05', '2026-01-05 08:00:00', 'posted', 'mini-capital'), "
    "(2, 1, 1, '2026-01-06', '2026-01-06', '2026-01-06 08:00:00', 'failed', 'mini-loss'), "
    "(3, 1, 1, '2026-01-07', '2026-01-07', '2026-01-07 08:00:00', 'posted', 'mini-capital'), "
    "(4, 1, 1, '2026-01-08', '2026-01-08', '2026-01-08 08:00:00', 'missed', NULL)",
)
USAGE = "SELECT schedule_id, question_id, CAST(last_used AS TEXT) FROM schedule_question ORDER BY question_id"
BACKFILLED_USAGE = [(1, "mini-capital", "2026-01-07"), (1, "mini-loss", "2026-01-06")]
HISTOGRAM = "SELECT period, CAST(start AS TEXT), points, learners FROM board_histogram ORDER BY period"
BACKFILLED_HISTOGRAM = [("all", "1970-01-01", 10, 1), ("month", "2026-01-01", 10, 1), ("week", "2026-01-05", 10, 1)]


def counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ROWS_AT_FIRST}


def test_upgrade_keeps_every_row(tmp_path):
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    upgrade_sync(url, FIRST)
    with sqlite3.connect(path) as conn:
        for sql in ROWS_AT_FIRST.values():
            conn.execute(sql)
    before = counts(path)
    assert all(before.values())
    upgrade_sync(url, "0002")
    with sqlite3.connect(path) as conn:
        for sql in LEDGER_AT_0002:
            conn.execute(sql)
    upgrade_sync(url)  # to head: rebuilds nothing it should not, deletes nothing
    assert counts(path) == before
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT display_name FROM learner ORDER BY id").fetchall() == [("Ada",), ("Ben",)]
        assert conn.execute("SELECT local_day FROM answer").fetchone()[0] == str(date(2026, 1, 5))
        # 0003 filled the leaderboard rollup from the existing answers (2026-01-05 is a Monday).
        assert conn.execute("SELECT period, start, points, answers, correct FROM learner_period ORDER BY period").fetchall() \
            == [("month", "2026-01-01", 10, 1, 1), ("week", "2026-01-05", 10, 1, 1)]
        # 0004 counted the learners with answers per board and points (Ben never answered).
        assert conn.execute(HISTOGRAM).fetchall() == BACKFILLED_HISTOGRAM
        # 0006 noted when the schedule last used each question (the missed day used none).
        assert conn.execute(USAGE).fetchall() == BACKFILLED_USAGE


def test_upgrade_twice_is_a_no_op(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade_sync(url)
    upgrade_sync(url)
    with sqlite3.connect(tmp_path / "db.sqlite") as conn:
        heads = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(heads) == 1


def test_migrations_match_the_models(tmp_path):
    """A model changed without a migration would show up here as a difference."""
    path = tmp_path / "db.sqlite"
    upgrade_sync(f"sqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    engine.dispose()
    assert diff == []


async def test_migrations_run_on_postgres(pg_store):
    """pg_store upgraded a fresh schema; a second upgrade finds nothing to do."""
    await upgrade(pg_store.url)
    async with pg_store.engine.connect() as conn:
        diff = await conn.run_sync(lambda sync: compare_metadata(
            MigrationContext.configure(sync, opts={"compare_type": True}), SQLModel.metadata))
    assert diff == []


async def test_rollup_backfill_on_postgres(pg_template):
    """The same upgrade with rows, on PostgreSQL (its date arithmetic differs from SQLite's)."""
    import asyncpg
    from conftest import pg_database
    async with pg_database() as url:
        await upgrade(url, "0002")
        conn = await asyncpg.connect(url)
        try:
            for sql in ROWS_AT_FIRST.values():
                await conn.execute(sql.replace("VALUES (1, 1, 1, 1, 'mini-capital', 'b', 1, 0,",
                                               "VALUES (1, 1, 1, 1, 'mini-capital', 'b', true, false,"))
            for sql in LEDGER_AT_0002:
                await conn.execute(sql)
            await upgrade(url)
            rows = await conn.fetch("SELECT period, start::text, points, answers, correct FROM learner_period ORDER BY period")
            histogram = await conn.fetch(HISTOGRAM)
            usage = await conn.fetch(USAGE)
        finally:
            await conn.close()
    assert [tuple(r) for r in rows] == [("month", "2026-01-01", 10, 1, 1), ("week", "2026-01-05", 10, 1, 1)]
    assert [tuple(r) for r in histogram] == BACKFILLED_HISTOGRAM
    assert [tuple(r) for r in usage] == BACKFILLED_USAGE

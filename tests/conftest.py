"""Shared fixtures: a migrated database per test (SQLite file, or PostgreSQL when asked) and clocks."""
from __future__ import annotations

import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import settings as hypothesis_settings
from sqlmodel import SQLModel

from bot.content import load_catalog
from bot.db import Store
from bot.engine import Engine
from bot.migrate import upgrade_sync
from bot.views import Actor

# Property tests draw the same examples on every run (no random seed, no saved failures replayed),
# and no example is timed: a loaded CI machine must not turn a slow example into a failure.
hypothesis_settings.register_profile("repo", derandomize=True, database=None, deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repo"))

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PG_URL_VAR = "QUIZBOT_TEST_POSTGRES_URL"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="session")
def mini_catalog():
    return load_catalog([FIXTURES / "content"])


@pytest.fixture(scope="session")
def real_catalog():
    return load_catalog([ROOT / "content"])


def fresh_copy(template: Path, into: str) -> str:
    """A copy of a migrated SQLite file (and its WAL files) in the folder `into`; returns its URL."""
    for f in template.parent.iterdir():
        if f.name.startswith(template.name):
            shutil.copy(f, Path(into) / f.name)
    return f"sqlite+aiosqlite:///{Path(into) / template.name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """Migrate once per session; each test gets a copy (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    upgrade_sync(f"sqlite:///{path}")
    return path


def _pg_admin_url():
    from sqlalchemy.engine import make_url
    return make_url(os.environ[PG_URL_VAR]).set(drivername="postgresql")


@pytest.fixture(scope="session")
def pg_template():
    """A migrated PostgreSQL database for the session (also a template for tests that need their own)."""
    if not os.environ.get(PG_URL_VAR):
        pytest.skip(f"{PG_URL_VAR} is not set")
    import asyncio

    import asyncpg

    name = f"quizbot_tmpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin_url().render_as_string(hide_password=False)

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def in_thread(fn, *args):
        # The fixture may be first asked for inside a running event loop (the async `store`), and
        # asyncio.run (ours and Alembic's) needs a thread without one.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(fn, *args).result()

    in_thread(asyncio.run, run(f'CREATE DATABASE "{name}"'))
    in_thread(upgrade_sync, _pg_admin_url().set(database=name).render_as_string(hide_password=False))
    yield name
    in_thread(asyncio.run, run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@asynccontextmanager
async def pg_database(template: str | None = None):
    """A fresh database on the test server, dropped afterwards; yields its URL."""
    import asyncpg

    name = f"quizbot_t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_pg_admin_url().render_as_string(hide_password=False))
    await conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield _pg_admin_url().set(database=name).render_as_string(hide_password=False)
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def store(request, tmp_path, sqlite_template):
    """The suite's database: every test using it runs on SQLite and, when the URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "quiz.db"
        shutil.copyfile(sqlite_template, path)
        s = Store(f"sqlite+aiosqlite:///{path}")
        yield s
        await s.dispose()
        return
    # One migrated database for the session, emptied before each test: much faster than a new one.
    database = request.getfixturevalue("pg_template")  # skips when no PostgreSQL URL is configured
    url = _pg_admin_url().set(database=database).render_as_string(hide_password=False)
    s = Store(url)
    await empty(s)
    yield s
    await s.dispose()


async def empty(store: Store) -> None:
    """No rows in any table (the session database is shared by the tests one after another)."""
    async with store.engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        await conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest_asyncio.fixture
async def pg_store(pg_template):
    """PostgreSQL only, in a database of its own (for tests that start other processes on it)."""
    async with pg_database(pg_template) as url:
        s = Store(url)
        await empty(s)  # the template is the shared session database: it may hold the last test's rows
        yield s
        await s.dispose()


@pytest.fixture
def engine(store, mini_catalog):
    return Engine(store, mini_catalog)


def actor(user: str = "u1", name: str | None = None, community: str = "c1", *, admin: bool = False,
          platform: str = "console") -> Actor:
    return Actor(platform, community, user, name or user, is_admin=admin)

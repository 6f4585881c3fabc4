"""Shared fixtures: a migrated database per test (SQLite file, or PostgreSQL when asked) and clocks."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import pytest_asyncio

from bot.content import load_catalog
from bot.db import Store
from bot.engine import Engine
from bot.migrate import upgrade
from bot.views import Actor

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PG_URL_VAR = "QUIZBOT_TEST_POSTGRES_URL"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def mini_catalog():
    return load_catalog([FIXTURES / "content"])


@pytest.fixture(scope="session")
def real_catalog():
    return load_catalog([ROOT / "content"])


@pytest_asyncio.fixture
async def store(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'quiz.db'}"
    await upgrade(url)
    s = Store(url)
    yield s
    await s.dispose()


@pytest_asyncio.fixture
async def pg_store():
    """A fresh database on the test PostgreSQL server; skipped when no URL is configured."""
    base = os.environ.get(PG_URL_VAR)
    if not base:
        pytest.skip(f"{PG_URL_VAR} is not set")
    import asyncpg
    from sqlalchemy.engine import make_url

    name = f"quizbot_t_{uuid.uuid4().hex[:12]}"
    admin_url = make_url(base).set(drivername="postgresql")
    conn = await asyncpg.connect(admin_url.render_as_string(hide_password=False))
    await conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade(url)
        s = Store(url)
        yield s
        await s.dispose()
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@pytest.fixture
def engine(store, mini_catalog):
    return Engine(store, mini_catalog)


def actor(user: str = "u1", name: str | None = None, community: str = "c1", *, admin: bool = False,
          platform: str = "console") -> Actor:
    return Actor(platform, community, user, name or user, is_admin=admin)

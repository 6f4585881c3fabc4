"""A fresh database per scenario: a SQLite file in a temporary folder, or a new PostgreSQL database
(created on the server the --database-url points at, dropped afterwards)."""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.db import SQLITE_PRAGMAS
from bot.migrate import upgrade


class BenchSetupError(RuntimeError):
    pass


@dataclass(frozen=True)
class FreshDb:
    kind: str  # sqlite | postgresql
    url: str  # a plain URL (sqlite:///file or postgresql://.../db); bot.db picks the async driver
    path: Path | None = None  # the SQLite file
    dsn: str | None = None  # for asyncpg (PostgreSQL)

    def sqlite_connect(self, *, any_thread: bool = False) -> sqlite3.Connection:
        """The stdlib driver with the app's pragmas, in autocommit mode (we say BEGIN ourselves)."""
        if self.path is None:
            raise BenchSetupError(f"a {self.kind} database has no SQLite file")
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=not any_thread)
        for pragma in SQLITE_PRAGMAS:
            conn.execute(pragma)
        return conn

    async def pg_connect(self):
        import asyncpg
        return await asyncpg.connect(self.dsn)


def _plain_pg(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise BenchSetupError(f"--database-url must point at PostgreSQL (got '{parsed.drivername}'); "
                              "without it the benchmark uses fresh SQLite files in a temporary folder")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


class Backend:
    def __init__(self, database_url: str | None = None):
        self.kind = "postgresql" if database_url else "sqlite"
        self.admin_dsn = _plain_pg(database_url) if database_url else None

    def _pg_admin(self) -> str:
        if self.admin_dsn is None:
            raise BenchSetupError("no PostgreSQL URL was given")
        return self.admin_dsn

    async def describe(self) -> dict:
        if self.kind == "sqlite":
            return {"backend": "sqlite", "sqlite_version": sqlite3.sqlite_version}
        import asyncpg
        admin_dsn = self._pg_admin()
        conn = await asyncpg.connect(admin_dsn)
        try:
            version = await conn.fetchval("SHOW server_version")
            settings = {r["name"]: r["setting"] for r in await conn.fetch(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('synchronous_commit', 'fsync', 'shared_buffers', 'max_connections', 'wal_level')")}
        finally:
            await conn.close()
        url = make_url(admin_dsn)
        return {"backend": "postgresql", "server_version": version, "host": url.host, "port": url.port,
                "admin_database": url.database, "settings": settings}

    @asynccontextmanager
    async def fresh(self, label: str, migrate: bool = True) -> AsyncIterator[FreshDb]:
        if self.kind == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix=f"quizbot-bench-{label}-"))
            path = folder / "bench.db"
            db = FreshDb("sqlite", f"sqlite:///{path}", path=path)
            try:
                if migrate:
                    await upgrade(db.url)
                yield db
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            return
        import asyncpg
        name = f"quizbot_bench_{label}_{uuid.uuid4().hex[:10]}"
        admin_dsn = self._pg_admin()
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
            dsn = make_url(admin_dsn).set(database=name).render_as_string(hide_password=False)
            db = FreshDb("postgresql", dsn, dsn=dsn)
            try:
                if migrate:
                    await upgrade(db.url)
                yield db
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

"""`quizbot health`: is this deployment able to serve? Read-only, fast, no chat libraries.

Checks that the lesson content loads and validates, and that the database is reachable and at
the newest Alembic revision. It never creates or migrates anything: a missing SQLite file is a
failure (the bot creates and migrates its database when it starts; `quizbot db upgrade` does
it by hand).
"""
from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory

from bot.migrate import alembic_config, unknown_revisions

CONNECT_TIMEOUT = 5.0  # seconds, for a database server


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def check_content(content_dir: Path) -> Check:
    from bot.content.loader import validate_paths

    catalog, problems = validate_paths([content_dir])
    if catalog is None:
        first = str(problems[0]).replace("\n", " ") if problems else "unknown problem"
        more = f" (+{len(problems) - 1} more; run `quizbot content validate {content_dir}`)" if len(problems) > 1 else ""
        return Check("content", False, f"{len(problems)} problem(s): {first}{more}")
    return Check("content", True, f"{len(catalog.lessons)} lessons, {len(catalog.questions)} questions")


def script_heads(url: str) -> tuple[str, ...]:
    """The newest revision(s) shipped in bot/migrations."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config(url)).get_heads()))


def _sqlite_revisions(path: Path) -> tuple[str, ...] | None:
    """alembic_version rows, or None when the table is missing. Opens the file read-write but never creates it."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=CONNECT_TIMEOUT)
    try:
        has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
        if not has_table:
            return None
        return tuple(sorted(row[0] for row in conn.execute("SELECT version_num FROM alembic_version")))
    finally:
        conn.close()


async def _server_revisions(url: str) -> tuple[str, ...] | None:
    from sqlalchemy import inspect, pool, text
    from sqlalchemy.ext.asyncio import create_async_engine

    connect_args = {"timeout": CONNECT_TIMEOUT} if url.startswith("postgresql+asyncpg") else {}
    engine = create_async_engine(url, poolclass=pool.NullPool, connect_args=connect_args)
    try:
        async with engine.connect() as conn:
            has_table = await conn.run_sync(lambda sync: inspect(sync).has_table("alembic_version"))
            if not has_table:
                return None
            rows: Sequence[str] = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
            return tuple(sorted(rows))
    finally:
        await engine.dispose()


def check_database(url: str) -> Check:
    from sqlalchemy.engine import make_url

    from bot.db import normalise_url

    try:
        parsed = make_url(normalise_url(url))
    except Exception as err:
        return Check("database", False, f"invalid DATABASE_URL: {type(err).__name__}")
    backend = parsed.get_backend_name()
    shown = make_url(url).render_as_string(hide_password=True)  # as configured, password hidden
    try:
        if backend == "sqlite":
            if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
                return Check("database", False, f"not a SQLite file: {shown}")
            path = Path(parsed.database)
            if not path.is_file():
                return Check("database", False, f"sqlite file {path} does not exist "
                                                 "(the bot creates it on start; or run `quizbot db upgrade`)")
            current = _sqlite_revisions(path)
        else:
            current = asyncio.run(asyncio.wait_for(_server_revisions(parsed.render_as_string(hide_password=False)),
                                                   CONNECT_TIMEOUT * 2))
        heads = script_heads(url)
    except Exception as err:
        reason = getattr(err, "orig", None) or err
        return Check("database", False, f"cannot read {backend} database {shown}: "
                                        f"{type(reason).__name__}: {str(reason).splitlines()[0] if str(reason) else ''}".rstrip(": "))
    if current is None:
        return Check("database", False, f"{backend} database is not migrated (no alembic_version table; run `quizbot db upgrade`)")
    too_new = unknown_revisions(ScriptDirectory.from_config(alembic_config(url)), current)
    if too_new is not None:  # upgrading cannot help: this bot is older than its database
        return Check("database", False, f"refusing to start: {too_new}")
    if current != heads:
        return Check("database", False, f"{backend} at {', '.join(current) or 'no revision'}, "
                                        f"newest is {', '.join(heads)} (run `quizbot db upgrade`)")
    return Check("database", True, f"{backend} at head {', '.join(heads)}")


def run_checks(content_dir: Path, database_url: str) -> list[Check]:
    return [check_content(content_dir), check_database(database_url)]

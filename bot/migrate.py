"""Bring a database to the newest schema with the Alembic migrations shipped in bot/migrations."""
from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from bot.db import ensure_sqlite_dir, normalise_url
from bot.db_errors import SchemaTooNew

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def unknown_revisions(script: ScriptDirectory, current: tuple[str, ...]) -> SchemaTooNew | None:
    known = {rev.revision for rev in script.walk_revisions()}
    if any(rev not in known for rev in current):
        return SchemaTooNew(tuple(sorted(current)), tuple(sorted(script.get_heads())))
    return None


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade_sync(url: str, revision: str = "head") -> None:
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Alembic's env runs its own event loop, so it gets a thread of its own."""
    await asyncio.to_thread(upgrade_sync, url, revision)

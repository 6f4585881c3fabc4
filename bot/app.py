"""Start-up shared by every front door: load content (all or nothing), migrate, build the engine."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content import Catalog, ContentError, load_catalog
from bot.db import Store
from bot.db_errors import DATABASE_FAULTS, SchemaTooNew, database_problem
from bot.engine import Engine
from bot.heap import settle_heap
from bot.migrate import upgrade
from bot.settings import Settings


@dataclass
class App:
    settings: Settings
    catalog: Catalog
    store: Store
    engine: Engine

    async def close(self) -> None:
        await self.store.dispose()


class StartupError(Exception):
    """Why the bot cannot start, worded for the operator."""


async def migrate_database(url: str) -> None:
    """Bring the database to this bot's schema, or raise StartupError saying why it cannot be used."""
    try:
        await upgrade(url)
    except (SchemaTooNew, *DATABASE_FAULTS) as err:
        raise StartupError(database_problem(err, url)) from None


async def start_app(settings: Settings, db_path: Path | None = None) -> App:
    """`build_app`, with the expected failures (bad content, unusable database) as StartupError."""
    try:
        app = await build_app(settings, db_path)
    except ContentError as err:
        raise StartupError(f"the lesson content is invalid:\n{err}") from None
    except DATABASE_FAULTS as err:
        raise StartupError(database_problem(err, settings.resolved_database_url(db_path))) from None
    settle_heap()
    return app


async def build_app(settings: Settings, db_path: Path | None = None) -> App:
    """Raises ContentError before touching the database if any lesson file is invalid."""
    catalog = load_catalog([settings.content_dir])
    url = settings.resolved_database_url(db_path)
    await migrate_database(url)
    store = Store(url)
    return App(settings, catalog, store, Engine(store, catalog, default_timezone=settings.timezone,
                                                   desired_retention=settings.review_retention))

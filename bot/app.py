"""Start-up shared by every front door: load content (all or nothing), migrate, build the engine."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.content import Catalog, ContentError, load_catalog
from bot.db import Store
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


async def start_app(settings: Settings, db_path: Path | None = None) -> App:
    """`build_app`, with the expected failures (bad content, unreachable database) as StartupError."""
    try:
        app = await build_app(settings, db_path)
    except ContentError as err:
        raise StartupError(f"the lesson content is invalid:\n{err}") from None
    except (OSError, SQLAlchemyError) as err:
        raise StartupError(f"cannot open the database: {getattr(err, 'orig', None) or err}") from None
    settle_heap()
    return app


async def build_app(settings: Settings, db_path: Path | None = None) -> App:
    """Raises ContentError before touching the database if any lesson file is invalid."""
    catalog = load_catalog([settings.content_dir])
    url = settings.resolved_database_url(db_path)
    await upgrade(url)
    store = Store(url)
    return App(settings, catalog, store, Engine(store, catalog, default_timezone=settings.timezone))

"""Start-up shared by every front door: load content (all or nothing), migrate, build the engine."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content import Catalog, load_catalog
from bot.db import Store
from bot.engine import Engine
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


async def build_app(settings: Settings, db_path: Path | None = None) -> App:
    """Raises ContentError before touching the database if any lesson file is invalid."""
    catalog = load_catalog([settings.content_dir])
    url = settings.resolved_database_url(db_path)
    await upgrade(url)
    store = Store(url)
    return App(settings, catalog, store, Engine(store, catalog, default_timezone=settings.timezone))

"""Every row of every table, to show that a refused input (or a failed write) changed nothing."""
from __future__ import annotations

from sqlalchemy import select
from sqlmodel import SQLModel

from bot.db import Store


async def snapshot(store: Store) -> dict[str, list[tuple]]:
    tables: dict[str, list[tuple]] = {}
    async with store.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]

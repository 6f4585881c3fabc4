"""SQLite statements make one trip to aiosqlite's thread, and behave as they did with four."""
from __future__ import annotations

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from bot.db import Store
from bot.sqlite_cursor import OneTripConnection, use_one_trip_cursor

metadata = MetaData()
item = Table("item", metadata, Column("id", Integer, primary_key=True), Column("name", String, unique=True))


@pytest.fixture
async def sqlite_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'cursor.db'}")
    async with store.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield store
    await store.dispose()


@pytest.fixture
def trips(monkeypatch) -> list[str]:
    """Every function aiosqlite runs on its thread, by name."""
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_a_statement_is_one_trip(sqlite_store, trips):
    async with sqlite_store.engine.begin() as conn:  # BEGIN is a trip of its own (bot.db sends it)
        trips.clear()
        rows = (await conn.execute(select(item.c.id))).all()
        assert rows == [] and len(trips) == 1, trips  # SQLAlchemy's own cursor made four: cursor, execute, fetch, close
        trips.clear()
        await conn.execute(insert(item), [{"name": "a"}, {"name": "b"}])
        assert len(trips) == 1, trips


async def test_rows_counts_and_ids_come_back(sqlite_store):
    async with sqlite_store.engine.begin() as conn:
        first = await conn.execute(insert(item).values(name="first"))
        assert first.inserted_primary_key == (1,)  # from the cursor's lastrowid
        await conn.execute(insert(item), [{"name": f"n{i}"} for i in range(5)])  # executemany
        returned = (await conn.execute(insert(item).values(name="last").returning(item.c.id, item.c.name))).all()
        assert returned == [(7, "last")]
        changed = await conn.execute(update(item).where(item.c.id > 5).values(name=item.c.name + "!"))
        assert changed.rowcount == 2
        result = await conn.execute(select(item.c.name).order_by(item.c.id))
        assert result.fetchmany(2) == [("first",), ("n0",)]
        assert result.fetchone() == ("n1",)
        assert [r.name for r in result] == ["n2", "n3", "n4!", "last!"]
        assert (await conn.execute(text("select count(*) from item where name like 'n%'"))).scalar() == 5


async def test_a_failing_statement_raises_the_usual_error_and_rolls_back(sqlite_store):
    with pytest.raises(IntegrityError):
        async with sqlite_store.engine.begin() as conn:
            await conn.execute(insert(item).values(name="dup"))
            await conn.execute(insert(item).values(name="dup"))
    async with sqlite_store.engine.connect() as conn:
        assert (await conn.execute(select(item.c.id))).all() == []
        await conn.execute(insert(item).values(name="after"))  # the connection still works
        assert (await conn.execute(select(item.c.name))).scalars().all() == ["after"]


async def test_the_store_uses_it_and_anything_else_is_left_alone(sqlite_store):
    async with sqlite_store.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneTripConnection)
    assert use_one_trip_cursor(object()) is False

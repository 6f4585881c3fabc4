"""The collector settings a started bot runs with (see bot/heap.py)."""
from __future__ import annotations

import gc

import pytest

from bot import app as app_module
from bot.heap import YOUNG_THRESHOLD, settle_heap
from bot.settings import Settings


@pytest.fixture
def restore_gc():
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_settle_heap_freezes_what_startup_made_and_collects_young_objects_less_often(restore_gc):
    gc.unfreeze()
    settle_heap()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


async def test_a_started_app_has_settled_its_heap(tmp_path, monkeypatch, restore_gc):
    settled = []
    monkeypatch.setattr(app_module, "settle_heap", lambda: settled.append(True))
    started = await app_module.start_app(Settings(QUIZBOT_TIMEZONE="UTC"), tmp_path / "quiz.db")
    try:
        assert settled == [True]
    finally:
        await started.close()

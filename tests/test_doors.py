"""The front-door registry: `quizbot run <door>` finds doors by name, and the names are the platforms
schedules may post to."""
from __future__ import annotations

import inspect

from typer.testing import CliRunner

from adapters.cli import app
from adapters.doors import DOORS, DoorOptions, door_factory
from bot.ports import FRONT_DOORS


def test_the_registry_names_the_platforms_schedules_post_to():
    assert tuple(DOORS) == FRONT_DOORS


def test_every_registered_factory_imports_and_takes_the_run_options():
    for name in DOORS:  # a wrong "module:function" in the registry fails here, not at a user's `run`
        assert len(inspect.signature(door_factory(name)).parameters) == 1, name


def test_the_console_door_is_made_without_configuration():
    door = door_factory("console")(DoorOptions(user="Ann"))
    assert door.name == "console" and door.sender is None  # its sender exists once started


def test_an_unknown_door_is_refused_with_the_known_names():
    result = CliRunner().invoke(app, ["run", "teams"])
    assert result.exit_code == 1
    assert "unknown front door 'teams': use console, discord or slack" in result.output

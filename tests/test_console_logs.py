"""The terminal session is for the learner: operational logs go to data/quizbot.log unless asked for."""
from __future__ import annotations

import os
import re
import subprocess
import sys

LOG_LINE = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z (DEBUG|INFO|WARNING|ERROR)")


def run_console(tmp_path, *args: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "LOG_FORMAT", "DATABASE_URL")}
    return subprocess.run([sys.executable, "-m", "adapters.cli", *args], input="help\nlessons\nquit\n", text=True,
                          capture_output=True, cwd=tmp_path, timeout=60,
                          env={**base, "COLUMNS": "200", "QUIZBOT_DATA_DIR": str(tmp_path / "data"), **env})


def test_console_session_is_clean_and_logs_go_to_the_data_folder(tmp_path):
    result = run_console(tmp_path, "console")
    assert result.returncode == 0, result.stderr
    assert not LOG_LINE.search(result.stdout) and not LOG_LINE.search(result.stderr), result.stdout + result.stderr
    assert result.stderr == ""
    log_file = tmp_path / "data" / "quizbot.log"
    assert f"Operational logs: {log_file}" in result.stdout  # `help` says where they are
    logged = log_file.read_text()
    assert "alembic.runtime.migration: Running upgrade" in logged and "apscheduler" in logged
    assert "Lessons" in result.stdout and "Bye" in result.stdout


def test_verbose_or_log_level_shows_the_logs_on_stderr(tmp_path):
    for args, env in ((["console", "--verbose"], {}), (["run", "-v"], {}), (["console"], {"LOG_LEVEL": "INFO"})):
        result = run_console(tmp_path, *args, **env)
        assert result.returncode == 0, result.stderr
        assert LOG_LINE.search(result.stderr) and "alembic.runtime.migration" in result.stderr, (args, env)
        assert not LOG_LINE.search(result.stdout)
        assert "Operational logs: on stderr." in result.stdout

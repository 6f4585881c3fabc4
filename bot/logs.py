"""Logging for operators: one line per record (JSON or text), secrets masked in every record.

``setup_logging(level, fmt)`` is called once by the ``quizbot`` command. ``fmt="json"`` writes one
JSON object per line (``time`` in ISO 8601 UTC, ``level``, ``logger``, ``message``, then every
``extra={...}`` field the code passed, e.g. ``post_id``, ``schedule_id``, ``interaction_id``);
``fmt="text"`` writes a readable line with the extra fields as ``key=value``.

A redaction filter on the handler masks, in the message, its arguments, the extra fields and
tracebacks:

- the values of environment variables (and ``.env`` entries) whose names end in TOKEN, SECRET or
  PASSWORD, read when logging is set up (DISCORD_TOKEN, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, ...);
- anything shaped like a Slack token (``xoxb-...``, ``xapp-...``) or a Discord bot token;
- the password in a URL (``postgresql://user:pass@host`` becomes ``postgresql://user:***@host``).
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

MASK = "***"
SECRET_SUFFIXES = ("TOKEN", "SECRET", "PASSWORD")
MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words all over the log

# Token shapes, masked wherever they appear, whether or not they came from the environment.
TOKEN_PATTERNS = (
    # Slack: bot/user/app-level/config/refresh tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxe.xoxp-, xapp-)
    re.compile(r"\b(xox[a-z](?:\.xox[a-z])?-)[A-Za-z0-9-]+"),
    re.compile(r"\b(xapp-)[A-Za-z0-9-]+"),
    # Discord bot token: base64(user id) . base64(timestamp) . HMAC
    re.compile(r"()(?<![A-Za-z0-9_-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),
)
# scheme://user:password@host: keep the user and host, mask the password (up to the last '@').
URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)[^\s]*@")

QUIET_LOGGERS = ("alembic.runtime.plugins",)

# Attributes every LogRecord has; anything else on a record came from `extra={...}`.
STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def secret_values(env: Mapping[str, str | None] | None = None, env_file: str | Path | None = ".env") -> list[str]:
    """Values of variables named *TOKEN, *SECRET, *PASSWORD in the environment and the .env file."""
    sources: list[Mapping[str, str | None]] = [os.environ if env is None else env]
    if env_file is not None and Path(env_file).is_file():
        try:
            from dotenv import dotenv_values  # a dependency of pydantic-settings
            sources.append(dotenv_values(env_file))
        except Exception:  # an unreadable .env must not stop the bot from logging
            pass
    found = {value.strip() for source in sources for name, value in source.items()
             if value and name.upper().endswith(SECRET_SUFFIXES) and len(value.strip()) >= MIN_SECRET_LENGTH}
    return sorted(found, key=len, reverse=True)  # longest first: a secret containing another is masked whole


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()):
        secrets = [s for s in secrets if s]
        self.values = re.compile("|".join(map(re.escape, secrets))) if secrets else None

    def __call__(self, text: str) -> str:
        if self.values is not None:
            text = self.values.sub(MASK, text)
        for pattern in TOKEN_PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)

    def value(self, value: Any) -> Any:
        """Redact an extra field, keeping JSON types where there is nothing to hide."""
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {str(k): self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.value(v) for v in value]
        return self(str(value))


class RedactingFilter(logging.Filter):
    """Rewrites the record in place, so every formatter after it sees only masked text."""

    def __init__(self, redactor: Redactor):
        super().__init__()
        self.redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_quizbot_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format: keep what there is rather than lose the record
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        for key, value in list(record.__dict__.items()):
            if key not in STANDARD_ATTRS and not key.startswith("_"):
                setattr(record, key, self.redact.value(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        record._quizbot_redacted = True
        return True


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in STANDARD_ATTRS and not k.startswith("_")}


def iso_utc(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": iso_utc(record.created), "level": record.levelname,
                                 "logger": record.name, "message": record.getMessage()}
        for key, value in extra_fields(record).items():
            entry.setdefault(key, value)  # an extra can't overwrite the four fixed keys
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return json.dumps(text, ensure_ascii=False) if (not text or re.search(r"[\s=\"]", text)) else text


class TextFormatter(logging.Formatter):
    """`2026-01-05T06:00:00.123Z INFO    bot.engine.posting: posted post_id=12 schedule_id=3`"""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{iso_utc(record.created)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        extras = " ".join(f"{k}={_text_value(v)}" for k, v in extra_fields(record).items())
        if extras:
            line += " " + extras
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + record.exc_text
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners and CliRunner swap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def parse_level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(str(level).strip().upper())
    return value if isinstance(value, int) else logging.INFO


def setup_logging(level: str = "INFO", fmt: str = "text", *, stream: TextIO | None = None, path: Path | None = None,
                  env: Mapping[str, str | None] | None = None, env_file: str | Path | None = ".env") -> logging.Handler:
    """Configure the root logger: one handler, JSON or text lines, secrets masked.

    Lines go to `path` (appended) when given, else to `stream` or stderr. Safe to call again (it
    replaces the handler it installed before and leaves other handlers, such as pytest's, alone).
    Returns the handler; opening `path` may raise OSError, and then nothing was changed.
    """
    root = logging.getLogger()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    else:
        handler = logging.StreamHandler(stream) if stream is not None else StderrHandler()
    for old in [h for h in root.handlers if getattr(h, "_quizbot", False)]:
        root.removeHandler(old)
        old.close()
    handler._quizbot = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if str(fmt).strip().lower() == "json" else TextFormatter())
    handler.addFilter(RedactingFilter(Redactor(secret_values(env, env_file))))
    root.addHandler(handler)
    root.setLevel(parse_level(level))
    for name in QUIET_LOGGERS:  # chatter at INFO that says nothing to an operator
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler

"""Configuration from the environment (and a .env file), validated once at start."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.content.loader import DEFAULT_CONTENT_DIR
from bot.domain.review import DEFAULT_RETENTION, RETENTION_MAX, RETENTION_MIN
from bot.timeutil import is_valid_zone


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite in data_dir")
    data_dir: Path = Field(default=Path("data"), alias="QUIZBOT_DATA_DIR")
    content_dir: Path = Field(default=DEFAULT_CONTENT_DIR, alias="QUIZBOT_CONTENT_DIR")
    timezone: str = Field(default="UTC", alias="QUIZBOT_TIMEZONE")
    log_level: str = "INFO"
    log_format: str = "text"
    review_retention: float = Field(default=DEFAULT_RETENTION, alias="QUIZBOT_REVIEW_RETENTION",
                                    description="FSRS desired retention for spaced review, 0.7..0.97")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_valid_zone(value):
            raise ValueError(f"unknown time zone '{value}' (use an IANA name such as Europe/Berlin)")
        return value

    @field_validator("review_retention")
    @classmethod
    def _sane_retention(cls, value: float) -> float:
        if not RETENTION_MIN <= value <= RETENTION_MAX:
            raise ValueError(f"QUIZBOT_REVIEW_RETENTION must be between {RETENTION_MIN} and {RETENTION_MAX} "
                             f"(the share of cards a learner should still recall when due); got {value}")
        return value

    def resolved_database_url(self, db_path: Path | None = None) -> str:
        if db_path is not None:
            return f"sqlite+aiosqlite:///{db_path.expanduser().resolve()}"
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'quizbot.db').expanduser().resolve()}"

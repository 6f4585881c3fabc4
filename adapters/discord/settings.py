"""Discord configuration from the environment (DISCORD_*), validated once. The token is a secret: never logged."""
from __future__ import annotations

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg"


class DiscordConfigError(Exception):
    """A configuration problem, worded for the person starting the bot."""


class DiscordSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DISCORD_", env_file=".env", extra="ignore", env_ignore_empty=True)

    token: SecretStr | None = Field(default=None, description="the bot token (required to run or sync)")
    application_id: int | None = Field(default=None, description="the application (client) id; looked up if unset")
    api_base: str = Field(default=DEFAULT_API_BASE, description="REST base URL, e.g. a REST proxy")
    gateway_url: str = Field(default=DEFAULT_GATEWAY_URL, description="gateway websocket URL")
    shard_count: str | None = Field(default=None, description="'auto' or a number: run an AutoShardedClient")
    shard_ids: str | None = Field(default=None, description="shards this process runs, e.g. '0,1' or '0-3'")
    count_interval: float = Field(default=10.0, gt=0, description="seconds between live answer-count edits")
    auto_sync: bool = Field(default=True, description="sync slash commands at start when their hash changed")
    guild_ready_timeout: float = Field(default=2.0, gt=0, description="seconds to wait for guilds before on_ready")

    @field_validator("api_base", "gateway_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.strip().rstrip("/")

    @field_validator("api_base")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("gateway_url")
    @classmethod
    def _ws(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return value

    @field_validator("shard_count")
    @classmethod
    def _count(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if value != "auto" and not (value.isdigit() and int(value) >= 1):
            raise ValueError("use 'auto' or a whole number of shards (1 or more)")
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> DiscordSettings:
        ids = self.shard_id_list
        if ids is not None:
            if self.shard_total is None:
                raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (a number)")
            bad = [i for i in ids if i >= self.shard_total]
            if bad:
                raise ValueError(f"shard ids {bad} are not below DISCORD_SHARD_COUNT={self.shard_total}")
        return self

    @property
    def shard_id_list(self) -> list[int] | None:
        """'0,2,4' or '0-3' (or a mix) as a sorted list; None when unset."""
        if not self.shard_ids or not self.shard_ids.strip():
            return None
        ids: set[int] = set()
        for part in self.shard_ids.replace(" ", "").split(","):
            if not part:
                continue
            low, sep, high = part.partition("-")
            if not low.isdigit() or (sep and not high.isdigit()):
                raise ValueError(f"bad shard id '{part}' in DISCORD_SHARD_IDS (use e.g. '0,1' or '0-3')")
            ids.update(range(int(low), int(high) + 1) if sep else [int(low)])
        return sorted(ids)

    @property
    def shard_total(self) -> int | None:
        return int(self.shard_count) if self.shard_count and self.shard_count != "auto" else None

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    def require_token(self) -> str:
        token = self.token.get_secret_value().strip() if self.token else ""
        if not token:
            raise DiscordConfigError(
                "DISCORD_TOKEN is not set: create a bot in the Discord developer portal "
                "(https://discord.com/developers/applications → your app → Bot → Reset Token) and export it.")
        return token


def load_discord_settings(**overrides) -> DiscordSettings:
    """Read DISCORD_* from the environment; raise DiscordConfigError naming each bad variable."""
    try:
        return DiscordSettings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"DISCORD_{'.'.join(map(str, e['loc'])).upper() or 'SETTINGS'}: {e['msg']}" for e in exc.errors())
        raise DiscordConfigError(f"invalid Discord configuration: {problems}") from None

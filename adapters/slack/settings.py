"""Slack configuration from the environment (and .env), checked for the mode the bot runs in.

Tokens and secrets are `SecretStr`: they never show up in a repr, a log line or an error message.
"""
from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SOCKET, HTTP, OAUTH = "socket", "http", "oauth"


class SlackConfigError(Exception):
    """A configuration problem; the message names the environment variables to set."""


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="SLACK_", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="xoxb-… (single workspace)")
    app_token: SecretStr | None = Field(default=None, description="xapp-… with connections:write (Socket Mode)")
    signing_secret: SecretStr | None = Field(default=None, description="HTTP mode: verifies requests from Slack")
    client_id: str | None = Field(default=None, description="HTTP mode: OAuth install for many workspaces")
    client_secret: SecretStr | None = None
    api_base_url: str = "https://slack.com/api/"
    admin_user_ids: str = Field(default="", description="comma-separated user ids who may manage schedules")
    admin_usergroup: str | None = Field(default=None, description="a user group id (S…) whose members are admins")
    post_interval: float = Field(default=1.0, ge=0, description="seconds between two daily posts in one workspace")
    count_interval: float = Field(default=5.0, gt=0, description="seconds between answer-count updates of a post")
    admin_cache_seconds: float = Field(default=60.0, ge=0)
    redirect_uri: str | None = Field(default=None, description="OAuth redirect URL, if not the one in the app config")

    @field_validator("bot_token", "app_token", "signing_secret", "client_secret", mode="before")
    @classmethod
    def _blank_is_missing(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("client_id", "admin_usergroup", "redirect_uri", mode="before")
    @classmethod
    def _blank_str_is_missing(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("api_base_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("SLACK_API_BASE_URL must be an http(s) URL, e.g. https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    # Derived -------------------------------------------------------------------------------
    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.admin_user_ids.replace(";", ",").split(",") if part.strip())

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.client_id or self.client_secret)

    def mode(self, http: bool) -> str:
        if not http:
            return SOCKET
        return OAUTH if self.oauth_enabled else HTTP

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else ""

    def check(self, http: bool) -> str:
        """The mode, or SlackConfigError naming every missing variable for it."""
        mode = self.mode(http)
        needed = {
            SOCKET: ("bot_token", "app_token"),
            HTTP: ("signing_secret", "bot_token"),
            OAUTH: ("signing_secret", "client_id", "client_secret"),
        }[mode]
        missing = [f"SLACK_{name.upper()}" for name in needed if not getattr(self, name)]
        if missing:
            what = {SOCKET: "Socket Mode (the default)", HTTP: "HTTP mode (--http)",
                    OAUTH: "HTTP mode with the OAuth install flow (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET)"}[mode]
            hint = {SOCKET: " (or run with --http for the Events API)",
                    HTTP: " (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install into many workspaces)",
                    OAUTH: ""}[mode]
            raise SlackConfigError(f"{what} needs {', '.join(missing)} to be set{hint}. See adapters/slack/README.md.")
        if mode == SOCKET and not self.secret("app_token").startswith("xapp-"):
            raise SlackConfigError("SLACK_APP_TOKEN must be an app-level token (it starts with xapp-) "
                                   "with the connections:write scope.")
        if self.bot_token and not self.secret("bot_token").startswith("xoxb-"):
            raise SlackConfigError("SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-).")
        return mode


def load_slack_settings(**overrides) -> SlackSettings:
    """Read the settings; a malformed value becomes a SlackConfigError naming the variable."""
    from pydantic import ValidationError

    try:
        return SlackSettings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"SLACK_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise SlackConfigError(f"invalid Slack configuration: {problems}") from None

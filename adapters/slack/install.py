"""Installing into many workspaces (OAuth), and finding the bot token for a workspace.

Installations and OAuth states live in the bot's own database, in slack_sdk's tables
(`slack_installations`, `slack_bots`, `slack_oauth_states`), through slack_sdk's *async*
SQLAlchemy stores on the bot's AsyncEngine: nothing blocks the event loop. The tables are
created at start (CREATE TABLE IF NOT EXISTS); they are slack_sdk's schema, not the bot's
migrations.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import sqlalchemy
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.settings import SlackSettings

# Keep in step with manifest.yml (a test checks).
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "users:read", "usergroups:read", "channels:read",
              "groups:read", "files:write")
STATE_SECONDS = 600


class Installations:
    def __init__(self, engine: AsyncEngine, client_id: str):
        self.store = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine)
        self.states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)
        self.client_id = client_id

    async def create_tables(self) -> None:
        await self.store.create_tables()
        await self.states.create_tables()

    async def bot_token(self, team_id: str) -> str | None:
        """The newest bot token installed for a workspace (an Enterprise Grid workspace included)."""
        bots = self.store.bots
        query = (sqlalchemy.select(bots.c.bot_token)
                 .where(bots.c.client_id == self.client_id, bots.c.team_id == team_id, bots.c.bot_token.is_not(None))
                 .order_by(bots.c.installed_at.desc(), bots.c.id.desc()).limit(1))
        async with self.store.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    def oauth_settings(self, settings: SlackSettings) -> AsyncOAuthSettings:
        return AsyncOAuthSettings(
            client_id=settings.client_id, client_secret=settings.secret("client_secret"), scopes=list(BOT_SCOPES),
            user_scopes=[], redirect_uri=settings.redirect_uri, install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect", installation_store=self.store, state_store=self.states,
            installation_store_bot_only=True,
        )


class TokenSource(Protocol):
    async def client_for(self, team_id: str) -> AsyncWebClient | None:
        """A Web API client holding this workspace's bot token, or None if the app is not installed there."""


class SingleWorkspace:
    def __init__(self, client: AsyncWebClient):
        self.client = client

    async def client_for(self, team_id: str) -> AsyncWebClient | None:
        return self.client


class InstalledWorkspaces:
    def __init__(self, installations: Installations, make_client: Callable[[str], AsyncWebClient]):
        self.installations, self.make_client = installations, make_client
        self._clients: dict[str, AsyncWebClient] = {}  # team id → client with its current token

    async def client_for(self, team_id: str) -> AsyncWebClient | None:
        token = await self.installations.bot_token(team_id)
        if token is None:
            self._clients.pop(team_id, None)
            return None
        client = self._clients.get(team_id)
        if client is None or client.token != token:
            client = self._clients[team_id] = self.make_client(token)
        return client

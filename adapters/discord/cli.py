"""`quizbot discord sync [--guild ID]` and `quizbot discord invite`."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlencode

import discord
import typer

from adapters.discord.settings import DiscordConfigError, DiscordSettings, load_discord_settings

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
SCOPES = "bot applications.commands"

discord_app = typer.Typer(help="Discord tools: register slash commands, print the invite link.",
                          no_args_is_help=True, add_completion=False)


def bot_permissions() -> discord.Permissions:
    """Only what the bot uses: see and post in its channels, embeds, and a results thread."""
    return discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True,
                               create_public_threads=True, send_messages_in_threads=True)


def invite_url(client_id: int) -> str:
    query = urlencode({"client_id": client_id, "scope": SCOPES, "permissions": bot_permissions().value},
                      quote_via=lambda text, *args: text.replace(" ", "%20"))
    return f"{AUTHORIZE_URL}?{query}"


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _settings() -> DiscordSettings:
    try:
        return load_discord_settings()
    except DiscordConfigError as err:
        _fail(str(err))


def _core_settings():
    from pydantic import ValidationError

    from bot.settings import Settings
    try:
        return Settings()
    except ValidationError as exc:
        _fail("invalid configuration: " + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))


async def _sync(ds: DiscordSettings, token: str, guild: int | None, db: Path | None) -> int:
    from adapters.discord.bot import create_client
    from bot.app import build_app

    app = await build_app(_core_settings(), db)
    try:
        client = create_client(app.engine, ds, serve=False)
        async with client:
            await client.login(token)
            return await client.sync_commands(guild)
    finally:
        await app.close()


@discord_app.command("sync")
def sync(guild: int | None = typer.Option(None, "--guild", help="sync into this guild only (instant; for testing)"),
         db: Path | None = typer.Option(None, help="SQLite file (default: DATABASE_URL or data/quizbot.db)")) -> None:
    """Register the slash commands with Discord now, and record their hash so the bot won't redo it."""
    ds = _settings()
    try:
        token = ds.require_token()
    except DiscordConfigError as err:
        _fail(str(err))
    try:
        count = asyncio.run(_sync(ds, token, guild, db))
    except discord.LoginFailure:
        _fail("Discord rejected DISCORD_TOKEN.")
    except discord.HTTPException as err:
        _fail(f"Discord refused the sync: {err.status} {err.text}")
    typer.echo(f"synced {count} command(s) " + (f"to guild {guild}" if guild else "globally (may take a moment to appear)"))


async def _application_id(ds: DiscordSettings, token: str) -> int:
    from adapters.discord.bot import apply_endpoints
    apply_endpoints(ds)
    client = discord.Client(intents=discord.Intents.none())
    async with client:
        await client.login(token)
        if client.application_id is None:  # login reads it from Discord; None would be Discord's fault
            raise discord.LoginFailure("Discord did not say which application this token belongs to")
        return client.application_id


@discord_app.command("invite")
def invite(client_id: int | None = typer.Option(None, "--client-id", help="default: DISCORD_APPLICATION_ID")) -> None:
    """Print the link that adds the bot to a server, with its minimal permissions."""
    ds = _settings()
    app_id = client_id or ds.application_id
    if app_id is None:
        try:
            token = ds.require_token()
        except DiscordConfigError:
            _fail("Set DISCORD_APPLICATION_ID (or pass --client-id; or set DISCORD_TOKEN to look it up).")
        try:
            app_id = asyncio.run(_application_id(ds, token))
        except discord.LoginFailure:
            _fail("Discord rejected DISCORD_TOKEN.")
    typer.echo(invite_url(app_id))

"""`quizbot run discord`: build the app, connect to Discord, run until stopped."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import discord

from adapters.discord.bot import create_client
from adapters.discord.settings import DiscordConfigError, DiscordSettings, load_discord_settings
from adapters.stopping import until_stopped
from adapters.unreachable import NETWORK_ERRORS, cannot_reach
from bot.app import StartupError, start_app
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_discord(settings: Settings, db_path: Path | None = None, *,
                      discord_settings: DiscordSettings | None = None) -> None:
    """Run the Discord front door until cancelled. Configuration problems exit with a clear message."""
    try:
        ds = discord_settings or load_discord_settings()
        token = ds.require_token()
    except DiscordConfigError as err:
        raise SystemExit(f"refusing to start: {err}") from None
    # Logging is set up once by the CLI (bot.logs: one line per event, secrets masked).
    try:
        app = await start_app(settings, db_path)
    except StartupError as err:
        raise SystemExit(f"refusing to start: {err}") from None
    client = create_client(app.engine, ds)
    try:
        async with client:
            running = asyncio.create_task(client.start(token))
            await until_stopped(also=running)
            if not running.done():
                await client.close()  # start() returns once the client has closed
            await running  # a failed login raises here
    except discord.LoginFailure:
        raise SystemExit("refusing to start: Discord rejected DISCORD_TOKEN (reset it in the developer portal)") from None
    except NETWORK_ERRORS as err:  # login is the first request: nothing answered at DISCORD_API_BASE
        raise SystemExit("refusing to start: " + cannot_reach("Discord", ds.api_base, err, "DISCORD_API_BASE")) from None
    except discord.PrivilegedIntentsRequired:  # not expected: the bot asks for none
        raise SystemExit("Discord refused the gateway intents") from None
    finally:
        await app.close()

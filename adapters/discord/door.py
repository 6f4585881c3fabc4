"""`quizbot run discord`: the Discord front door. Log in, connect to the gateway, serve until stopped.

Login comes first (the client's setup_hook makes the buttons routable and syncs commands if they
changed); the runtime then registers the sender and starts the timer, whose catch-up posts over REST
while the gateway connects.
"""
from __future__ import annotations

import asyncio
import logging
from typing import NoReturn

import discord

from adapters.discord.bot import PLATFORM, QuizBot, ShardedQuizBot, create_client
from adapters.discord.sender import DiscordSender
from adapters.discord.settings import DiscordConfigError, DiscordSettings, load_discord_settings
from adapters.doors import DoorOptions
from adapters.unreachable import NETWORK_ERRORS, cannot_reach
from bot.runtime import Runtime

log = logging.getLogger(__name__)


class DiscordDoor:
    name = PLATFORM

    def __init__(self, settings: DiscordSettings, **client_options: object):
        self.settings, self.token, self.client_options = settings, settings.require_token(), client_options
        self.client: QuizBot | ShardedQuizBot | None = None
        self.sender: DiscordSender | None = None
        self._connection: asyncio.Task[None] | None = None

    async def start(self, runtime: Runtime) -> None:
        self.client = create_client(runtime.engine, self.settings, clock=runtime.clock, **self.client_options)
        self.sender = self.client.sender
        await self.client.__aenter__()
        try:
            await self.client.login(self.token)
        except discord.LoginFailure:
            raise SystemExit("refusing to start: Discord rejected DISCORD_TOKEN (reset it in the developer portal)") from None
        except NETWORK_ERRORS as err:  # login is the first request: nothing answered at DISCORD_API_BASE
            self._unreachable(err)
        self._connection = asyncio.create_task(self.client.connect(), name="discord-gateway")

    async def wait(self) -> None:
        if self._connection is None:
            return
        try:
            await self._connection  # returns once the client has closed
        except NETWORK_ERRORS as err:
            self._unreachable(err)
        except discord.PrivilegedIntentsRequired:  # not expected: the bot asks for none
            raise SystemExit("Discord refused the gateway intents") from None

    async def stop(self) -> None:
        if self.client is None:
            return
        await self.client.__aexit__(None, None, None)  # closes the client, which ends the connection
        if self._connection is not None:
            await asyncio.wait([self._connection])  # wait() reports how it ended

    def _unreachable(self, err: BaseException) -> NoReturn:
        raise SystemExit("refusing to start: " + cannot_reach("Discord", self.settings.api_base, err,
                                                              "DISCORD_API_BASE")) from None


def open_discord_door(_options: DoorOptions) -> DiscordDoor:
    """Configuration problems stop here, before the database is opened."""
    try:
        return DiscordDoor(load_discord_settings())
    except DiscordConfigError as err:
        raise SystemExit(f"refusing to start: {err}") from None

"""The Discord client: wires the command cogs, the dynamic buttons and the sender together (the runtime
registers the sender and runs the scheduler: adapters.discord.door).

One class body (QuizClientMixin) serves both a commands.Bot and an AutoShardedBot
(DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS); a Bot only so the cogs load the idiomatic way (see cogs/).
Several processes may share one database: the engine's ledger, not process memory, keeps posts and
answers single.

Commands are synced only when asked (`quizbot discord sync`) or when the command set's hash differs
from the one recorded in the database at the last sync: Discord limits command creations per day, so
the bot never syncs blindly on start or in on_ready.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
import yarl
from discord.ext import commands

from adapters.discord import cogs, components
from adapters.discord.sender import DiscordSender
from adapters.discord.settings import DiscordSettings
from bot.clock import Clock, utc_now

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger(__name__)
PLATFORM = "discord"
RATE_LIMIT_SLEEP_MAX = 30.0  # seconds discord.py may sleep on a 429 before raising RateLimited


def intents() -> discord.Intents:
    """No privileged intents: guilds (channels, roles, our own member) is all the bot needs."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


def apply_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at DISCORD_API_BASE / DISCORD_GATEWAY_URL (Discord's by default, or a proxy)."""
    discord.http.Route.BASE = settings.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def state_key(application_id: int | None, guild_id: int | None = None) -> str:
    return f"discord:commands:{application_id or 'unknown'}:{f'guild:{guild_id}' if guild_id else 'global'}"


if TYPE_CHECKING:
    # The checker reads the mixin as a commands.Bot, so its body is checked against the client it is
    # mixed into; at run time it stays a plain mixin, ahead of Bot or AutoShardedBot in the MRO.
    _Client = commands.Bot
else:
    _Client = object


class QuizClientMixin(_Client):
    """Mixed into commands.Bot or commands.AutoShardedBot (see create_client)."""

    def __init__(self, engine: Engine, settings: DiscordSettings, *, clock: Clock = utc_now, serve: bool = True,
                 **options: Any) -> None:
        options.setdefault("guild_ready_timeout", settings.guild_ready_timeout)
        # A longer wait comes back as discord.RateLimited: the poster defers the post instead of
        # sleeping past its send timeout (30 s is the least discord.py allows).
        options.setdefault("max_ratelimit_timeout", RATE_LIMIT_SLEEP_MAX)
        if settings.application_id is not None:  # unset: discord.py looks it up at login
            options.setdefault("application_id", settings.application_id)
        # Slash commands only: the mention prefix and no help command keep the Bot's text commands idle.
        super().__init__(command_prefix=commands.when_mentioned, help_command=None, intents=intents(),
                         allowed_mentions=discord.AllowedMentions.none(), **options)
        self.engine, self.discord_settings, self.clock = engine, settings, clock
        self.serve = serve
        self.sender = DiscordSender(self, settings.count_interval)

    async def setup_hook(self) -> None:
        # Runs after login, before the gateway connects: commands and buttons must be routable from the first event.
        await cogs.setup(self)
        self.add_dynamic_items(*components.DYNAMIC_ITEMS)
        if not self.serve:
            return
        if self.discord_settings.auto_sync:
            await self.sync_if_changed()

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d guild(s)", self.user, self.user.id if self.user else "?", len(self.guilds))

    # Command sync ----------------------------------------------------------------------
    async def sync_commands(self, guild_id: int | None = None) -> int:
        """Sync (globally, or copied into one guild for fast testing) and record the hash. Returns how many."""
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        await self.engine.state_set(state_key(self.application_id, guild_id),
                                    cogs.command_hash(self.tree, guild), self.clock())
        log.info("synced %d command(s) %s", len(synced), f"to guild {guild_id}" if guild_id else "globally")
        return len(synced)

    async def sync_if_changed(self) -> bool:
        current = cogs.command_hash(self.tree)
        if await self.engine.state_get(state_key(self.application_id)) == current:
            log.info("slash commands unchanged since the last sync; not syncing")
            return False
        try:
            await self.sync_commands()
        except discord.HTTPException:
            log.exception("command sync failed; the bot runs with the commands Discord already has")
            return False
        return True


class QuizBot(QuizClientMixin, commands.Bot):
    pass


class ShardedQuizBot(QuizClientMixin, commands.AutoShardedBot):
    pass


def create_client(engine: Engine, settings: DiscordSettings, **kwargs: Any) -> QuizBot | ShardedQuizBot:
    apply_endpoints(settings)
    if settings.sharded:
        return ShardedQuizBot(engine, settings, shard_count=settings.shard_total, shard_ids=settings.shard_id_list,
                              **kwargs)
    return QuizBot(engine, settings, **kwargs)

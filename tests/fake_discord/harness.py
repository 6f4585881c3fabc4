"""Start and stop the real bot against a FakeDiscord, with a clock the test controls."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from waiting import GUARD

from adapters.discord.bot import apply_endpoints
from adapters.discord.cogs.posts import PostsCog
from adapters.discord.door import DiscordDoor
from adapters.discord.settings import DEFAULT_API_BASE, DEFAULT_GATEWAY_URL, DiscordSettings
from bot.app import App, build_app
from bot.runtime import Runtime
from bot.settings import Settings
from bot.views import Actor

from .server import FakeDiscord

CONTENT = Path(__file__).resolve().parents[1] / "fixtures" / "content"


class FakeClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def discord_settings(fake: FakeDiscord, **overrides) -> DiscordSettings:
    values = dict(token=fake.token, application_id=None, api_base=fake.api_base, gateway_url=fake.gateway_url,
                  shard_count=None, shard_ids=None, count_interval=0.2, auto_sync=True, guild_ready_timeout=0.1)
    values.update(overrides)
    return DiscordSettings(**values)


async def open_app(db_path: Path) -> App:
    return await build_app(Settings(QUIZBOT_CONTENT_DIR=str(CONTENT), QUIZBOT_TIMEZONE="UTC"), db_path)


async def start_bot(fake: FakeDiscord, app: App, clock, **overrides):
    """The Discord door on its own runtime (the timer runs: tests may also tick it by hand). The client is
    returned, with `client.runtime` and `client.door` for what tests drive."""
    runtime = Runtime(app.engine, clock=clock)
    door = DiscordDoor(discord_settings(fake, **overrides))
    try:
        await runtime.open_door(door)
    except BaseException:
        await runtime.close_door(door)
        raise
    client = door.client
    client.runtime, client.door = runtime, door  # type: ignore[attr-defined]
    ready = asyncio.create_task(client.wait_until_ready())
    connection = asyncio.ensure_future(door.wait())
    done, _ = await asyncio.wait({ready, connection}, timeout=GUARD, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        ready.cancel()
        if connection in done:
            connection.result()  # raise what stopped the bot
        raise AssertionError("the bot did not become ready")
    # The 2 s lookup before a modal opens is wall-clock: on a loaded machine the modal would open without
    # its prompt. Tests check the prompt, so the lookup may take as long as the test may. (The cogs exist
    # once setup_hook ran, before ready; no interaction is handled before start_bot returns.)
    posts = client.get_cog("Posts")
    assert isinstance(posts, PostsCog)
    posts.modal_lookup_seconds = GUARD
    return client


async def stop_bot(client) -> None:
    await asyncio.wait_for(client.runtime.close_door(client.door), GUARD)
    # discord.py keeps the endpoints in class attributes: leave Discord's for whatever runs next.
    apply_endpoints(DiscordSettings(api_base=DEFAULT_API_BASE, gateway_url=DEFAULT_GATEWAY_URL, shard_count=None,
                                    shard_ids=None))


def admin_actor(fake: FakeDiscord) -> Actor:
    return Actor("discord", str(fake.guild.id), fake.guild.owner["id"], "Owner", is_admin=True,
                 community_name=fake.guild.name)

"""The real Slack front door (bolt AsyncApp over real HTTP) wired to a loopback FakeSlack and an engine."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from waiting import GUARD

from adapters.slack.main import SlackDoor
from adapters.slack.settings import SlackSettings
from bot.runtime import Runtime
from bot.views import Actor

from .server import FakeSlack
from .signed import SlackRequests

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"
APP_TOKEN = "xapp-test"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 5, 4, 7, 0, tzinfo=UTC))  # a Monday

    def __call__(self) -> datetime:
        return self.now

    def at(self, hour: int, minute: int = 0, days: int = 0) -> datetime:
        base = datetime(2026, 5, 4, tzinfo=UTC) + timedelta(days=days)
        self.now = base.replace(hour=hour, minute=minute)
        return self.now


@dataclass
class Harness:
    fake: FakeSlack
    door: SlackDoor
    runtime: Runtime
    slack: SlackRequests
    engine: object
    clock: Clock
    base_url: str

    def actor(self, user: str = "U1", admin: bool = False, team: str = "T1") -> Actor:
        return Actor("slack", team, user, f"user-{user}", is_admin=admin, community_name="acme")

    async def close(self) -> None:
        await self.fake.settle(0.2, timeout=3.0)  # let work that runs after the acks finish
        await self.runtime.close_door(self.door)
        await self.fake.stop()


def settings_for(fake: FakeSlack, **overrides) -> SlackSettings:
    values = dict(bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret=SECRET, api_base_url=fake.api_url,
                  post_interval=0, count_interval=0.2, admin_user_ids="", client_id=None, client_secret=None)
    values.update(overrides)
    return SlackSettings(_env_file=None, **values)


async def start_http(engine, mode: str = "http", budget: float = GUARD, fake: FakeSlack | None = None,
                     **overrides) -> Harness:
    fake = fake or await FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    clock = Clock()
    door = SlackDoor(settings_for(fake, **overrides), mode, port=0, host="127.0.0.1", budget=budget)
    runtime = Runtime(engine, clock=clock)
    await runtime.open_door(door, timer=False)  # the tests tick the engine themselves
    fake.calls.clear()  # the start-up's auth.test: tests count what their own requests caused
    base = f"http://127.0.0.1:{door.port}"
    return Harness(fake, door, runtime, SlackRequests(f"{base}/slack/events", SECRET, fake), engine, clock, base)

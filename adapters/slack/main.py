"""`quizbot run slack [--http --port N]`: the Slack front door and the scheduler on one event loop.

Socket Mode (default) connects out to Slack with `connect_async()` (not `start_async()`, which
would sleep forever and leave no room for the scheduler). HTTP mode serves the Events API,
interactivity, the slash command and, with OAuth configured, /slack/install and
/slack/oauth_redirect, on one aiohttp server whose events route checks every request before bolt
parses it (adapters.slack.http_door).
"""
from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from adapters.slack.app import SlackBundle, build_slack_app
from adapters.slack.http_door import events_app
from adapters.slack.install import Installations
from adapters.slack.settings import OAUTH, SOCKET, SlackConfigError, SlackSettings, load_slack_settings
from adapters.stopping import until_stopped
from adapters.unreachable import NETWORK_ERRORS, cannot_reach
from bot.clock import Clock, utc_now
from bot.metrics import exposition

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class SlackRuntime:
    """The running front door: the bolt app plus its transport (a socket or an HTTP server)."""

    def __init__(self, bundle: SlackBundle, settings: SlackSettings, mode: str):
        self.bundle, self.settings, self.mode = bundle, settings, mode
        self.socket: AsyncSocketModeHandler | None = None
        self.runner: web.AppRunner | None = None
        self.port: int | None = None

    @classmethod
    async def create(cls, engine, store, settings: SlackSettings, mode: str, *,
                     clock: Clock = utc_now, budget: float = 2.0) -> SlackRuntime:
        installations = None
        if mode == OAUTH:
            installations = Installations(store.engine, settings.client_id)
            await installations.create_tables()
        bundle = build_slack_app(settings, engine, mode, installations=installations, clock=clock, budget=budget)
        return cls(bundle, settings, mode)

    async def check_token(self) -> dict:
        """auth.test with the single workspace's bot token: fail at start, not at the first click."""
        try:
            resp = await self.bundle.client.auth_test()
        except SlackApiError as err:
            raise SlackConfigError(f"Slack refused SLACK_BOT_TOKEN ({err.response.get('error')}).") from None
        except NETWORK_ERRORS as err:
            raise SlackConfigError(cannot_reach("Slack", self.settings.api_base_url, err, "SLACK_API_BASE_URL")) from None
        log.info("slack bot ready", extra={"team_id": resp.get("team_id"), "bot_user_id": resp.get("user_id")})
        return resp.data if hasattr(resp, "data") else dict(resp)

    def web_app(self) -> web.Application:
        app = events_app(self.bundle.app, self.settings.secret("signing_secret"), EVENTS_PATH)

        async def healthz(_request: web.Request) -> web.Response:
            return web.Response(text="ok")

        async def prometheus(_request: web.Request) -> web.Response:
            body, content_type = exposition()
            return web.Response(body=body, headers={"Content-Type": content_type})

        app.router.add_get("/healthz", healthz)
        app.router.add_get("/metrics", prometheus)
        return app

    async def start_http(self, port: int, host: str = "0.0.0.0") -> int:
        self.runner = web.AppRunner(self.web_app(), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        self.port = self.runner.addresses[0][1] if self.runner.addresses else port
        self.bundle.sender.start()
        log.info("slack http mode listening", extra={"port": self.port, "oauth": self.mode == OAUTH})
        return self.port

    async def start_socket(self) -> None:
        self.socket = AsyncSocketModeHandler(self.bundle.app, self.settings.secret("app_token"))
        try:
            await self.socket.connect_async()
        except SlackApiError as err:
            raise SlackConfigError(f"Slack refused SLACK_APP_TOKEN ({err.response.get('error')}); it needs the "
                                   "connections:write scope and Socket Mode turned on.") from None
        except NETWORK_ERRORS as err:
            raise SlackConfigError(f"cannot open the Socket Mode connection ({type(err).__name__}).") from None
        self.bundle.sender.start()
        log.info("slack socket mode connected")

    async def stop(self) -> None:
        await self.bundle.sender.stop()
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        session = getattr(self.bundle.client, "session", None)
        if session is not None and not session.closed:
            await session.close()


def _configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=getattr(logging, str(level).upper(), logging.INFO),
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")


async def run_slack(settings, db_path: Path | None, http: bool = False, port: int = 3000) -> None:
    """Run the Slack front door until SIGINT/SIGTERM (or cancellation)."""
    from bot.app import StartupError, start_app
    from bot.scheduler import SchedulerService

    _configure_logging(getattr(settings, "log_level", "INFO"))
    try:
        slack = load_slack_settings()
        mode = slack.check(http)
    except SlackConfigError as err:
        raise SystemExit(f"refusing to start: {err}") from None
    try:
        bot_app = await start_app(settings, db_path)
    except StartupError as err:
        raise SystemExit(f"refusing to start: {err}") from None
    runtime: SlackRuntime | None = None
    scheduler = None
    try:
        runtime = await SlackRuntime.create(bot_app.engine, bot_app.store, slack, mode)
        if mode != OAUTH:
            await runtime.check_token()
        if mode == SOCKET:
            await runtime.start_socket()
        else:
            await runtime.start_http(port)
        scheduler = SchedulerService(bot_app.engine)
        await scheduler.start()
        await until_stopped()
    except SlackConfigError as err:
        raise SystemExit(f"refusing to start: {err}") from None
    finally:
        if scheduler is not None:
            await scheduler.stop()
        if runtime is not None:
            await runtime.stop()
        await bot_app.close()

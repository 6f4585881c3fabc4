"""`quizbot run slack [--http --port N]`: the Slack front door (the runtime runs the scheduler beside it).

Socket Mode (default) connects out to Slack with `connect_async()` (not `start_async()`, which
would sleep forever and leave no room for the scheduler). HTTP mode serves the Events API,
interactivity, the slash command and, with OAuth configured, /slack/install and
/slack/oauth_redirect, on one aiohttp server whose events route checks every request before bolt
parses it (adapters.slack.http_door).
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from adapters.doors import DoorOptions
from adapters.slack.app import SlackBundle, build_slack_app
from adapters.slack.http_door import events_app
from adapters.slack.install import Installations
from adapters.slack.sender import SlackSender
from adapters.slack.settings import OAUTH, SOCKET, SlackConfigError, SlackSettings, load_slack_settings
from adapters.unreachable import NETWORK_ERRORS, cannot_reach
from bot.metrics import exposition
from bot.runtime import Runtime

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class SlackDoor:
    """The bolt app plus its transport: a Socket Mode connection, or (http and OAuth modes) an HTTP server on `port`."""

    name = "slack"

    def __init__(self, settings: SlackSettings, mode: str, *, port: int | None = None, host: str = "0.0.0.0",
                 budget: float = 2.0):
        self.settings, self.mode, self.host, self.budget = settings, mode, host, budget
        self.bundle: SlackBundle | None = None
        self.sender: SlackSender | None = None
        self.socket: AsyncSocketModeHandler | None = None
        self.runner: web.AppRunner | None = None
        self.port = port
        self._stopped = asyncio.Event()

    async def start(self, runtime: Runtime) -> None:
        installations = None
        if self.mode == OAUTH:
            if self.settings.client_id is None:  # settings.check() asks for it in this mode
                raise SystemExit("refusing to start: the OAuth install flow needs SLACK_CLIENT_ID")
            installations = Installations(runtime.engine.store.engine, self.settings.client_id)
            await installations.create_tables()
        self.bundle = build_slack_app(self.settings, runtime.engine, self.mode, installations=installations,
                                      clock=runtime.clock, budget=self.budget)
        self.sender = self.bundle.sender
        try:
            if self.mode != OAUTH:
                await self.check_token()
            if self.mode == SOCKET:
                await self.start_socket()
            else:
                await self.start_http(self.port if self.port is not None else 3000, self.host)
        except SlackConfigError as err:
            raise SystemExit(f"refusing to start: {err}") from None

    async def wait(self) -> None:
        await self._stopped.wait()  # the transports run on their own; only stop() ends the door

    @property
    def started(self) -> SlackBundle:
        """The app and its client, built by start()."""
        if self.bundle is None:
            raise RuntimeError("the Slack door has not been started")
        return self.bundle

    async def check_token(self) -> None:
        """auth.test with the single workspace's bot token: fail at start, not at the first click."""
        try:
            resp = await self.started.client.auth_test()
        except SlackApiError as err:
            raise SlackConfigError(f"Slack refused SLACK_BOT_TOKEN ({err.response.get('error')}).") from None
        except NETWORK_ERRORS as err:
            raise SlackConfigError(cannot_reach("Slack", self.settings.api_base_url, err, "SLACK_API_BASE_URL")) from None
        log.info("slack bot ready", extra={"team_id": resp.get("team_id"), "bot_user_id": resp.get("user_id")})

    def web_app(self) -> web.Application:
        app = events_app(self.started.app, self.settings.secret("signing_secret"), EVENTS_PATH)

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
        log.info("slack http mode listening", extra={"port": self.port, "oauth": self.mode == OAUTH})
        return self.port

    async def start_socket(self) -> None:
        self.socket = AsyncSocketModeHandler(self.started.app, self.settings.secret("app_token"))
        try:
            await self.socket.connect_async()
        except SlackApiError as err:
            raise SlackConfigError(f"Slack refused SLACK_APP_TOKEN ({err.response.get('error')}); it needs the "
                                   "connections:write scope and Socket Mode turned on.") from None
        except NETWORK_ERRORS as err:
            raise SlackConfigError(f"cannot open the Socket Mode connection ({type(err).__name__}).") from None
        log.info("slack socket mode connected")

    async def stop(self) -> None:
        self._stopped.set()
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        session = getattr(self.bundle.client, "session", None) if self.bundle is not None else None
        if session is not None and not session.closed:
            await session.close()


def open_slack_door(options: DoorOptions) -> SlackDoor:
    """Configuration problems stop here, before the database is opened."""
    try:
        slack = load_slack_settings()
        mode = slack.check(options.http)
    except SlackConfigError as err:
        raise SystemExit(f"refusing to start: {err}") from None
    return SlackDoor(slack, mode, port=options.port if options.http else None)

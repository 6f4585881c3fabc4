"""Build the bolt AsyncApp for one of three modes and register the Slack sender with the engine."""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.admin import Directory
from adapters.slack.install import Installations, InstalledWorkspaces, SingleWorkspace, TokenSource
from adapters.slack.listeners import register
from adapters.slack.listeners.front import Front
from adapters.slack.sender import SlackSender
from adapters.slack.settings import OAUTH, SOCKET, SlackSettings
from bot.clock import Clock, utc_now

RATE_LIMIT_RETRIES = 2
API_TIMEOUT = 15


def make_client(settings: SlackSettings, token: str | None) -> AsyncWebClient:
    """A Web API client on SLACK_API_BASE_URL that waits out 429s (Retry-After) instead of failing."""
    client = AsyncWebClient(token=token or None, base_url=settings.api_base_url, timeout=API_TIMEOUT)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


class NoRequestBodies(logging.Filter):
    """bolt puts the whole request body (legacy token, response_url, trigger_id) into a few log lines: a
    rejected signature, a middleware that neither answered nor went on. Keep the fact, drop the body."""

    BODY_STARTS = (" (signature: ", " without providing a response for the request (")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for marker in self.BODY_STARTS:
            at = message.find(marker)
            if at >= 0:
                record.msg, record.args = message[:at] + " (request body not logged)", None
        return True


def bolt_logger() -> logging.Logger:
    """bolt's app logger with NoRequestBodies. Passed to AsyncApp as its base logger, bolt copies the
    filter into the logger of every middleware and listener it builds."""
    logger = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, NoRequestBodies) for f in logger.filters):
        logger.addFilter(NoRequestBodies())
    return logger


BOLT_ENV = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


@contextlib.contextmanager
def _bolt_env_hidden() -> Iterator[None]:
    """bolt reads SLACK_* variables on its own: SLACK_CLIENT_ID/SECRET silently turn an app into an OAuth
    app (with a file installation store, dropping the bot token). Everything bolt needs is passed in
    explicitly, from our settings (which also read .env); hide the variables while it is built. The
    constructor is synchronous: no other task can observe the change."""
    saved = {k: os.environ.pop(k) for k in BOLT_ENV if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


@dataclass
class SlackBundle:
    app: AsyncApp
    client: AsyncWebClient
    sender: SlackSender
    front: Front
    installations: Installations | None


def build_slack_app(settings: SlackSettings, engine, mode: str, *, installations: Installations | None = None,
                    clock: Clock = utc_now, budget: float = 2.0) -> SlackBundle:
    """The bolt app with every listener, and the sender the runtime registers for "slack"."""
    client = make_client(settings, settings.secret("bot_token") if mode != OAUTH else None)
    signing_secret = settings.secret("signing_secret") if mode != SOCKET else ""
    revocations = None
    if mode == OAUTH:
        if installations is None:
            raise ValueError("OAuth mode needs the installation store")
        with _bolt_env_hidden():
            app = AsyncApp(name="quizbot", client=client, signing_secret=signing_secret, logger=bolt_logger(),
                           installation_store=installations.store, installation_store_bot_only=True,
                           oauth_settings=installations.oauth_settings(settings))
        revocations = AsyncTokenRevocationListeners(installations.store)
        tokens: TokenSource = InstalledWorkspaces(installations, lambda token: make_client(settings, token))
    else:
        with _bolt_env_hidden():
            app = AsyncApp(name="quizbot", client=client, signing_secret=signing_secret, logger=bolt_logger())
        tokens = SingleWorkspace(client)
    sender = SlackSender(tokens, post_interval=settings.post_interval, count_interval=settings.count_interval)
    directory = Directory(settings.admin_ids, settings.admin_usergroup, ttl=settings.admin_cache_seconds)
    front = Front(engine, directory, sender, clock, budget, revocations)
    register(app, front)
    return SlackBundle(app, client, sender, front, installations)

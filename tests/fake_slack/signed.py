"""Sends the bot what Slack would: correctly signed slash commands, interactivity payloads and events."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier
from waiting import GUARD

from .server import FakeSlack


@dataclass
class Reply:
    status: int
    text: str

    def json(self) -> dict:
        return json.loads(self.text) if self.text else {}


class SlackRequests:
    def __init__(self, endpoint: str, signing_secret: str, fake: FakeSlack, team_id: str = "T1",
                 domain: str = "acme"):
        self.endpoint, self.secret, self.fake = endpoint, signing_secret, fake
        self.team_id, self.domain = team_id, domain
        self._n = itertools.count(1)

    # Raw -----------------------------------------------------------------------------------------
    async def post(self, body: str | bytes, content_type: str, *, timestamp: int | str | None = None,
                   signature: str | None = None, headers: dict | None = None, timeout: float = GUARD) -> Reply:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature or self.sign(ts, body)
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig,
                       **(headers or {})}
        raw = body if isinstance(body, bytes) else body.encode()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.post(self.endpoint, data=raw, headers=all_headers) as resp:
                return Reply(resp.status, await resp.text())

    def sign(self, timestamp: str, body: str | bytes) -> str:
        if isinstance(body, str):
            return SignatureVerifier(self.secret).generate_signature(timestamp=timestamp, body=body)
        # Bytes that are not UTF-8: sign them as they are, as Slack signs the raw body (slack_sdk decodes first).
        digest = hmac.new(self.secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
        return f"v0={digest.hexdigest()}"

    async def form(self, fields: dict, **kwargs) -> Reply:
        return await self.post(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    async def interactive(self, payload: dict, **kwargs) -> Reply:
        return await self.form({"payload": json.dumps(payload)}, **kwargs)

    async def json(self, payload: dict, **kwargs) -> Reply:
        return await self.post(json.dumps(payload), "application/json", **kwargs)

    # Shapes -------------------------------------------------------------------------------------
    def user(self, user_id: str) -> dict:
        return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": self.team_id}

    def team(self) -> dict:
        return {"id": self.team_id, "domain": self.domain}

    def command_fields(self, text: str, user: str = "U1", channel: str = "C1") -> dict:
        n = next(self._n)
        return {"token": "legacy", "team_id": self.team_id, "team_domain": self.domain, "channel_id": channel,
                "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/quiz",
                "text": text, "api_app_id": "A1", "is_enterprise_install": "false",
                "response_url": self.fake.response_url(f"cmd-{n}"), "trigger_id": f"trig-cmd-{n}"}

    async def command(self, text: str, user: str = "U1", channel: str = "C1", **kwargs) -> Reply:
        return await self.form(self.command_fields(text, user, channel), **kwargs)

    def message_action(self, action_id: str, value: str, channel: str, ts: str, user: str = "U1",
                       block_id: str = "b") -> dict:
        n = next(self._n)
        return {"type": "block_actions", "user": self.user(user), "api_app_id": "A1", "token": "legacy",
                "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
                "trigger_id": f"trig-act-{n}", "team": self.team(), "enterprise": None, "is_enterprise_install": False,
                "channel": {"id": channel, "name": "general"}, "message": {"type": "message", "ts": ts},
                "response_url": self.fake.response_url(f"act-{n}"),
                "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button",
                             "action_ts": f"{time.time():.6f}"}]}

    def view_action(self, view: dict, action_id: str, value: str | None = None, user: str = "U1",
                    block_id: str = "b") -> dict:
        n = next(self._n)
        action = {"action_id": action_id, "block_id": block_id, "type": "button", "action_ts": f"{time.time():.6f}"}
        if value is not None:
            action["value"] = value
        return {"type": "block_actions", "user": self.user(user), "api_app_id": "A1", "token": "legacy",
                "container": {"type": "view", "view_id": view.get("id", "VHOME")}, "trigger_id": f"trig-view-{n}",
                "team": self.team(), "enterprise": None, "is_enterprise_install": False, "view": view,
                "actions": [action]}

    def home_action(self, action_id: str, value: str | None = None, user: str = "U1") -> dict:
        return self.view_action({"id": "VHOME", "type": "home", "blocks": [], "hash": "home"}, action_id, value, user)

    def submission(self, view: dict, values: dict, user: str = "U1") -> dict:
        submitted = dict(view, state={"values": values})
        return {"type": "view_submission", "team": self.team(), "user": self.user(user), "api_app_id": "A1",
                "token": "legacy", "trigger_id": f"trig-sub-{next(self._n)}", "view": submitted,
                "response_urls": [], "is_enterprise_install": False, "enterprise": None}

    def event_body(self, event: dict, event_id: str | None = None) -> dict:
        return {"token": "legacy", "team_id": self.team_id, "api_app_id": "A1", "event": event,
                "type": "event_callback", "event_id": event_id or f"Ev{next(self._n)}", "event_time": int(time.time()),
                "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": "UBOT", "is_bot": True,
                                    "is_enterprise_install": False}],
                "is_ext_shared_channel": False}

    async def event(self, event: dict, event_id: str | None = None, retry_num: int | None = None, **kwargs) -> Reply:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        return await self.json(self.event_body(event, event_id), headers=headers, **kwargs)

    async def home_opened(self, user: str = "U1", event_id: str | None = None, **kwargs) -> Reply:
        return await self.event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home",
                                 "event_ts": f"{time.time():.6f}"}, event_id, **kwargs)

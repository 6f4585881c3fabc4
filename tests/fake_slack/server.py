"""A loopback fake of the Slack Web API, response_url endpoints and the Socket Mode websocket.

It records every call (method, parsed body, token), answers like Slack for the methods the bot
uses, keeps posted messages and opened views so updates can be checked, and can be scripted
(e.g. a 429 with Retry-After once, users.info saying someone is an admin).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from waiting import GUARD

JSON_FIELDS = ("blocks", "view", "attachments", "metadata", "errors", "files")


@dataclass
class Call:
    method: str
    body: dict
    token: str | None
    at: float = field(default_factory=time.monotonic)
    status: int = 200

    def __getitem__(self, key: str) -> Any:
        return self.body[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)


@dataclass
class Scripted:
    body: dict
    status: int = 200
    headers: dict = field(default_factory=dict)
    hold: asyncio.Event | None = None  # answer only once this is set (a platform that does not answer)


def default_user(user_id: str) -> dict:
    return {"id": user_id, "name": user_id.lower(), "real_name": f"Real {user_id}", "tz": "Europe/Berlin",
            "is_admin": False, "is_owner": False, "is_primary_owner": False, "deleted": False,
            "profile": {"display_name": f"user-{user_id}", "real_name": f"Real {user_id}"}}


class FakeSlack:
    def __init__(self, team_id: str = "T1", bot_token: str = "xoxb-test", app_token: str = "xapp-test"):
        self.team_id = team_id
        self.tokens: dict[str, str] = {bot_token: team_id, app_token: team_id}  # known token → team
        self.calls: list[Call] = []
        self.scripted: dict[str, deque[Scripted]] = defaultdict(deque)
        self.users: dict[str, dict] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.channels: dict[str, dict | None] = {}  # None: channel_not_found
        self.dms: dict[str, str] = {}  # DM channel id → its user
        self.dms_refused: dict[str, str] = {}  # user → the error conversations.open answers (e.g. user_disabled)
        self.messages: dict[tuple[str, str], dict] = {}
        self.views: dict[str, dict] = {}
        self.files: dict[str, dict] = {}  # file id → filename, length, alt_txt, data (uploaded), channel (shared)
        self.oauth_answer: dict | None = None
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_acks: list[dict] = []
        self.socket_connects = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    # Lifecycle ------------------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/ws", self._socket)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self.runner is not None:
            await self.runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def response_url(self, key: str) -> str:
        return f"{self.url}response/{key}"

    # Scripting and inspection -----------------------------------------------------------------------
    def script(self, method: str, body: dict | None = None, status: int = 200, headers: dict | None = None,
               hold: asyncio.Event | None = None) -> None:
        """The next call to `method` gets this answer (queued, one call each), once `hold` is set if given."""
        self.scripted[method].append(Scripted(body if body is not None else {"ok": True}, status, headers or {}, hold))

    def fail_once(self, method: str, status: int = 500) -> None:
        self.script(method, {"ok": False, "error": "internal_error"}, status)

    def hang_once(self, method: str) -> asyncio.Event:
        """The next call to `method` gets no answer until the returned event is set (then a 500)."""
        released = asyncio.Event()
        self.script(method, {"ok": False, "error": "internal_error"}, 500, hold=released)
        return released

    def rate_limit_once(self, method: str, retry_after: int = 1) -> None:
        self.script(method, {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(retry_after)})

    def calls_to(self, method: str, where: Callable[[Call], bool] | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (where is None or where(c))]

    async def wait_for(self, method: str, count: int = 1, timeout: float = GUARD,
                       where: Callable[[Call], bool] | None = None) -> list[Call]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method, where)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"waited {timeout}s for {count}× {method}; got {len(found)}; calls: {seen}")
            await asyncio.sleep(0.02)

    async def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until no call has arrived for `quiet` seconds (background work finished)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.calls[-1].at if self.calls else 0.0
            if time.monotonic() - last >= quiet:
                return
            await asyncio.sleep(0.05)

    def last_view(self) -> dict:
        """The most recently opened/updated/pushed modal, as the client would hold it."""
        calls = [c for c in self.calls if c.method in ("views.open", "views.update", "views.push") and c.status == 200
                 and c.get("_view_id")]
        if not calls:
            raise AssertionError("no modal was opened")
        return self.views[calls[-1].body["_view_id"]]

    # Web API --------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body: dict = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                body.update(await request.json())
            else:
                body.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key in JSON_FIELDS:
            if isinstance(body.get(key), str):
                try:
                    body[key] = json.loads(body[key])
                except ValueError:
                    pass
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else body.pop("token", None)
        call = Call(method, body, token)
        self.calls.append(call)
        if self.scripted[method]:
            answer = self.scripted[method].popleft()
            call.status = answer.status
            if answer.hold is not None:
                await answer.hold.wait()
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        if method != "oauth.v2.access" and token not in self.tokens:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        answer = handler(body, token, call)
        return web.json_response(answer)

    def _next_ts(self) -> str:
        return f"{1700000000 + next(self._ts)}.000100"

    def _m_auth_test(self, body, token, call):
        team = self.tokens.get(token, self.team_id)
        return {"ok": True, "url": "https://fake.slack.invalid/", "team": f"Team {team}", "user": "quizbot",
                "team_id": team, "user_id": "UBOT", "bot_id": "BBOT", "is_enterprise_install": False}

    def _m_apps_connections_open(self, body, token, call):
        return {"ok": True, "url": self.url.replace("http://", "ws://") + "ws"}

    def _m_chat_postMessage(self, body, token, call):
        channel = body.get("channel")
        if channel in self.channels and self.channels[channel] is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = self._next_ts()
        self.messages[(channel, ts)] = dict(body)
        call.body["_ts"] = ts  # what Slack answered, kept for the test to click on
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": body.get("text"), "ts": ts}}

    def _m_conversations_open(self, body, token, call):
        users = str(body.get("users") or "")
        if not users or "," in users:
            return {"ok": False, "error": "users_list_not_supplied" if not users else "not_enough_users"}
        if users in self.dms_refused:
            return {"ok": False, "error": self.dms_refused[users]}
        channel = next((c for c, u in self.dms.items() if u == users), f"D{users}")
        self.dms[channel] = users
        return {"ok": True, "channel": {"id": channel}}

    def dms_to(self, user: str) -> list[dict]:
        """The direct messages the bot posted to a user."""
        return [m for (channel, _), m in self.messages.items() if self.dms.get(channel) == user]

    # files_upload_v2: an upload URL per file, the bytes posted there, then the files shared in a channel.
    def _m_files_getUploadURLExternal(self, body, token, call):
        file_id = f"F{next(self._ids)}"
        self.files[file_id] = {"filename": body.get("filename"), "length": int(body.get("length") or 0),
                               "alt_txt": body.get("alt_txt"), "data": None, "channel": None}
        return {"ok": True, "upload_url": f"{self.url}upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        entry = self.files.get(request.match_info["file_id"])
        if entry is None:
            return web.Response(status=404, text="unknown upload")
        entry["data"] = await request.read()
        return web.Response(text=f"OK - {len(entry['data'])}")

    def _m_files_completeUploadExternal(self, body, token, call):
        shared = []
        for f in body.get("files") or []:
            entry = self.files.get(f.get("id"))
            if entry is None or entry["data"] is None or len(entry["data"]) != entry["length"]:
                return {"ok": False, "error": "file_upload_not_complete"}
            entry.update(channel=body.get("channel_id"), title=f.get("title"), initial_comment=body.get("initial_comment"))
            shared.append({"id": f["id"], "title": f.get("title"), "name": entry["filename"]})
        return {"ok": True, "files": shared}

    def _m_chat_postEphemeral(self, body, token, call):
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_update(self, body, token, call):
        key = (body.get("channel"), body.get("ts"))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key].update(body)
        return {"ok": True, "channel": key[0], "ts": key[1], "text": body.get("text")}

    def _view_answer(self, view_id: str, view: dict, call: Call) -> dict:
        stored = dict(view, id=view_id, hash=f"h{next(self._ids)}", team_id=self.team_id)
        stored.setdefault("state", {"values": {}})
        self.views[view_id] = stored
        call.body["_view_id"] = view_id
        return {"ok": True, "view": stored}

    def _m_views_open(self, body, token, call):
        if not body.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._view_answer(f"V{next(self._ids)}", body["view"], call)

    def _m_views_push(self, body, token, call):
        return self._m_views_open(body, token, call)

    def _m_views_update(self, body, token, call):
        view_id = body.get("view_id")
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        if body.get("hash") and body["hash"] != self.views[view_id]["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        return self._view_answer(view_id, body["view"], call)

    def _m_views_publish(self, body, token, call):
        return {"ok": True, "view": dict(body["view"], id=f"VH{next(self._ids)}")}

    def _m_users_info(self, body, token, call):
        user_id = body.get("user", "")
        return {"ok": True, "user": self.users.get(user_id) or default_user(user_id)}

    def _m_usergroups_users_list(self, body, token, call):
        group = body.get("usergroup", "")
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": self.usergroups[group]}

    def _m_conversations_info(self, body, token, call):
        channel = body.get("channel", "")
        if channel in self.channels and self.channels[channel] is None:
            return {"ok": False, "error": "channel_not_found"}
        info = {"id": channel, "name": f"chan-{channel.lower()}", "is_channel": True, "is_private": False,
                "is_member": True, "is_archived": False}
        info.update(self.channels.get(channel) or {})
        return {"ok": True, "channel": info}

    def _m_oauth_v2_access(self, body, token, call):
        if self.oauth_answer is None:
            return {"ok": False, "error": "invalid_code"}
        return self.oauth_answer

    # response_url ---------------------------------------------------------------------------------
    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_key"] = request.match_info["key"]
        self.calls.append(Call("response_url", body, None))
        return web.json_response({"ok": True})

    # Socket Mode ---------------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        self.socket_connects += 1
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                            "connection_info": {"app_id": "A1"}})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(msg.data))
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)
        return ws

    async def socket_send(self, envelope: dict, timeout: float = GUARD) -> None:
        deadline = time.monotonic() + timeout
        while not self.sockets:
            if time.monotonic() > deadline:
                raise AssertionError("no socket mode client connected")
            await asyncio.sleep(0.02)
        await self.sockets[-1].send_json(envelope)

    async def socket_ack(self, envelope_id: str, timeout: float = GUARD) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for ack in self.socket_acks:
                if ack.get("envelope_id") == envelope_id:
                    return ack
            if time.monotonic() > deadline:
                raise AssertionError(f"no ack for envelope {envelope_id}; acks: {self.socket_acks}")
            await asyncio.sleep(0.02)

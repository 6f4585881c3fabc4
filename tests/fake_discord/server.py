"""A loopback fake of Discord: the REST routes the bot uses under /api/v10, and a gateway websocket.

The real discord.py connects to it (DISCORD_API_BASE / DISCORD_GATEWAY_URL). Tests drive it as users
would: they inject INTERACTION_CREATE events built like Discord's and read what the bot answered.
Every REST call is recorded. Permissions are computed as Discord does (roles, then channel
overwrites), so a channel where the bot may not post answers 403 Missing Permissions.
"""
from __future__ import annotations

import asyncio
import copy
import email.parser
import email.policy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from waiting import GUARD

from . import payloads as P

TOKEN = "fake-bot-token.ABC.xyz"
BODY = web.RequestKey("body", object) if hasattr(web, "RequestKey") else "body"


def multipart_body(content_type: str, raw: bytes) -> dict:
    """A message sent with files, as Discord reads it: the `payload_json` part is the body, and each
    `files[n]` part is kept under "uploads" (name, filename, content type and bytes) for assertions."""
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    body: dict = {"uploads": []}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if name == "payload_json":
            body.update(json.loads(data))
        else:
            body["uploads"].append({"name": name, "filename": part.get_filename(),
                                    "content_type": part.get_content_type(), "data": data})
    return body


def json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py only decodes JSON for that content type (no charset).
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def error(status: int, code: int, message: str) -> web.Response:
    return json_response({"code": code, "message": message}, status)


def rate_limited(retry_after: float) -> web.Response:
    """A per-route 429 as Discord sends it (discord.py takes one without `Via` for a Cloudflare ban)."""
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    return web.Response(status=429, body=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", "Via": "1.1 google", "Retry-After": str(int(retry_after)),
        "X-RateLimit-Scope": "user"})


@dataclass
class Call:
    method: str
    path: str
    query: dict
    body: Any
    headers: dict


@dataclass
class Reply:
    """What the bot answered to one interaction, as the user would see it."""

    kind: str  # message (a new message) | update (the clicked message changed) | modal | autocomplete
    callback_type: int
    message: dict | None = None  # a snapshot, as the user saw it then
    data: dict | None = None

    def __post_init__(self):
        self.message = copy.deepcopy(self.message)

    @property
    def flags(self) -> int:
        return int((self.message or {}).get("flags", 0))

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & P.EPHEMERAL)

    @property
    def text(self) -> str:
        return message_text(self.message) if self.message else json.dumps(self.data)

    @property
    def custom_ids(self) -> list[str]:
        return custom_ids(self.message or self.data or {})

    @property
    def buttons(self) -> list[dict]:
        return buttons(self.message or {})


def walk_components(components: list | None):
    for component in components or []:
        yield component
        yield from walk_components(component.get("components"))
        if isinstance(component.get("component"), dict):
            yield from walk_components([component["component"]])


def buttons(message: dict) -> list[dict]:
    return [c for c in walk_components(message.get("components")) if c.get("type") == 2]


def custom_ids(message: dict) -> list[str]:
    return [c["custom_id"] for c in walk_components(message.get("components")) if c.get("custom_id")]


def message_text(message: dict) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    parts += [b.get("label") or "" for b in buttons(message)]
    return "\n".join(p for p in parts if p)


@dataclass
class InteractionRecord:
    id: int
    token: str
    payload: dict
    callbacks: list[dict] = field(default_factory=list)
    followups: list[dict] = field(default_factory=list)
    loading_message_id: int | None = None
    loading_replaced: bool = False
    reply: Reply | None = None

    @property
    def message_id(self) -> int | None:
        message = self.payload.get("message")
        return int(message["id"]) if message else None


@dataclass
class Session:
    ws: web.WebSocketResponse
    seq: int = 0
    shard: tuple[int, int] = (0, 1)
    identified: bool = False

    async def send(self, op: int, data: Any, event: str | None = None) -> None:
        frame: dict[str, Any] = {"op": op, "d": data, "s": None, "t": event}
        if op == 0:
            self.seq += 1
            frame["s"] = self.seq
        await self.ws.send_str(json.dumps(frame))


class FakeGuild:
    def __init__(self, name: str, bot_user: dict):
        self.id = P.snowflake()
        self.name = name
        self.owner = P.user(P.snowflake(), "owner", global_name="Owner")
        bot_id = int(bot_user["id"])
        self.everyone = P.role(self.id, "@everyone", P.EVERYONE_DEFAULT)
        self.bot_role = P.role(P.snowflake(), "Quiz Bot", P.VIEW_CHANNEL | P.SEND_MESSAGES | P.EMBED_LINKS
                               | P.READ_MESSAGE_HISTORY | P.CREATE_PUBLIC_THREADS | P.SEND_MESSAGES_IN_THREADS,
                               position=2, managed=True, bot_id=bot_id)
        self.admin_role = P.role(P.snowflake(), "Admins", P.MANAGE_GUILD | P.MANAGE_MESSAGES, position=3)
        self.ping_role = P.role(P.snowflake(), "Quiz fans", 0, position=1, mentionable=True)
        self.roles = {int(r["id"]): r for r in (self.everyone, self.bot_role, self.admin_role, self.ping_role)}
        self.general = P.text_channel(P.snowflake(), self.id, "general", position=0)
        self.daily = P.text_channel(P.snowflake(), self.id, "daily-quiz", position=1)
        deny_bot = P.overwrite(int(self.bot_role["id"]), kind=0, deny=P.SEND_MESSAGES | P.EMBED_LINKS)
        self.locked = P.text_channel(P.snowflake(), self.id, "announcements", position=2, overwrites=[deny_bot])
        self.channels = {int(c["id"]): c for c in (self.general, self.daily, self.locked)}
        self.members: dict[int, dict] = {}
        self.add_member(bot_user, [int(self.bot_role["id"])])
        self.add_member(self.owner, [int(self.admin_role["id"])])

    def add_member(self, user_data: dict, roles: list[int] = (), nick: str | None = None) -> dict:
        m = P.member(user_data, list(roles), nick=nick)
        self.members[int(user_data["id"])] = m
        return m

    def permissions(self, user_id: int, channel: dict | None = None) -> int:
        """Discord's algorithm: @everyone, roles, administrator, then the channel's overwrites."""
        if user_id == int(self.owner["id"]):
            return P.ALL_PERMISSIONS
        m = self.members[user_id]
        role_ids = [int(r) for r in m["roles"]]
        perms = int(self.everyone["permissions"])
        for rid in role_ids:
            perms |= int(self.roles[rid]["permissions"])
        if perms & P.ADMINISTRATOR:
            return P.ALL_PERMISSIONS
        if channel is None:
            return perms
        if channel.get("type") == 11:  # threads use their parent's overwrites
            channel = self.channels[int(channel["parent_id"])]
        ows = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
        if self.id in ows:
            perms = (perms & ~int(ows[self.id]["deny"])) | int(ows[self.id]["allow"])
        allow = deny = 0
        for rid in role_ids:
            if rid in ows:
                allow |= int(ows[rid]["allow"])
                deny |= int(ows[rid]["deny"])
        perms = (perms & ~deny) | allow
        if user_id in ows:
            perms = (perms & ~int(ows[user_id]["deny"])) | int(ows[user_id]["allow"])
        return perms

    def create_payload(self) -> dict:
        return {"id": str(self.id), "name": self.name, "icon": None, "splash": None, "discovery_splash": None,
                "owner_id": self.owner["id"], "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0,
                "default_message_notifications": 1, "explicit_content_filter": 0, "features": [], "mfa_level": 0,
                "system_channel_id": str(self.general["id"]), "system_channel_flags": 0, "rules_channel_id": None,
                "vanity_url_code": None, "description": None, "banner": None, "premium_tier": 0,
                "preferred_locale": "en-US", "public_updates_channel_id": None, "nsfw_level": 0,
                "premium_progress_bar_enabled": False, "roles": list(self.roles.values()), "emojis": [], "stickers": [],
                "joined_at": "2025-01-01T00:00:00+00:00", "large": False, "unavailable": False,
                "member_count": len(self.members), "members": [m for uid, m in self.members.items()
                                                               if m["user"].get("bot")],  # no member intent: just us
                "channels": [c for c in self.channels.values() if c["type"] != 11], "threads": [],
                "voice_states": [], "presences": [], "stage_instances": [], "guild_scheduled_events": [],
                "soundboard_sounds": []}


class FakeDiscord:
    def __init__(self, *, token: str = TOKEN):
        self.token = token
        self.app_id = P.snowflake()
        self.bot_user = P.user(self.app_id, "QuizBot", bot=True)
        self.guild = FakeGuild("Distillers", self.bot_user)
        self.calls: list[Call] = []
        self.messages: dict[int, dict] = {}
        self.nonces: dict[tuple[int, str], int] = {}
        self.uploaded: dict[str, bytes] = {}  # attachment id → the file's bytes
        self.commands: dict[str, list[dict]] = {}  # "global" or guild id → last synced body (with ids)
        self.interactions: dict[int, InteractionRecord] = {}
        self.sessions: list[Session] = []
        self.identifies: list[dict] = []
        self.gateway_shards: int = 1  # what /gateway/bot recommends
        self.fail_next: list[tuple[str, str, int, int, str]] = []  # (method, path prefix, status, code, message)
        self.rate_limit_next: list[tuple[str, str, float]] = []  # (method, path prefix, retry after seconds)
        self.dm_channels: dict[int, str] = {}  # DM channel id → its user's id
        self.dms_closed: set[str] = set()  # users who take no DMs from the bot (Discord answers 50007)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # Life cycle ------------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway/", self._gateway)
        r = app.router
        api = "/api/v10"
        r.add_get(f"{api}/users/@me", self._me)
        r.add_get(f"{api}/oauth2/applications/@me", self._application)
        r.add_get(f"{api}/applications/@me", self._application)
        r.add_get(f"{api}/gateway", self._gateway_info)
        r.add_get(f"{api}/gateway/bot", self._gateway_bot)
        r.add_put(f"{api}/applications/{{app}}/commands", self._put_commands)
        r.add_get(f"{api}/applications/{{app}}/commands", self._get_commands)
        r.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._put_commands)
        r.add_get(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._get_commands)
        r.add_post(f"{api}/users/@me/channels", self._open_dm)
        r.add_post(f"{api}/channels/{{channel}}/messages", self._create_message)
        r.add_get(f"{api}/channels/{{channel}}/messages/{{message}}", self._get_message)
        r.add_patch(f"{api}/channels/{{channel}}/messages/{{message}}", self._edit_message)
        r.add_post(f"{api}/channels/{{channel}}/messages/{{message}}/threads", self._start_thread)
        r.add_post(f"{api}/interactions/{{iid}}/{{token}}/callback", self._callback)
        r.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        r.add_get(f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._get_webhook_message)
        r.add_patch(f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._edit_webhook_message)
        r.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        for session in list(self.sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def env(self) -> dict[str, str]:
        """Environment for a bot process pointed at this fake."""
        return {"DISCORD_TOKEN": self.token, "DISCORD_API_BASE": self.api_base, "DISCORD_GATEWAY_URL": self.gateway_url}

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = GUARD, what: str = "condition") -> Any:
        async def waiter():
            async with self._changed:
                while True:
                    result = predicate()
                    if result:
                        return result
                    await self._changed.wait()
        try:
            return await asyncio.wait_for(waiter(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None

    # Recording -------------------------------------------------------------------------
    @web.middleware
    async def _record(self, request: web.Request, handler):
        if request.path.startswith("/gateway"):
            return await handler(request)
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json":
                body = json.loads(raw or b"null")
            elif request.content_type.startswith("multipart/"):
                body = multipart_body(request.headers["Content-Type"], raw)
        self.calls.append(Call(request.method, request.path, dict(request.query), body, dict(request.headers)))
        request[BODY] = body
        if not request.path.startswith(("/api/v10/interactions/", "/api/v10/webhooks/")):
            if request.headers.get("Authorization") != f"Bot {self.token}":
                response = error(401, 0, "401: Unauthorized")
                await self._notify()
                return response
        for i, (method, prefix, retry_after) in enumerate(self.rate_limit_next):
            if request.method == method and request.path.startswith(prefix):
                del self.rate_limit_next[i]
                await self._notify()
                return rate_limited(retry_after)
        for i, (method, prefix, status, code, message) in enumerate(self.fail_next):
            if request.method == method and request.path.startswith(prefix):
                del self.fail_next[i]
                await self._notify()
                return error(status, code, message)
        try:
            return await handler(request)
        finally:
            await self._notify()

    def calls_to(self, method: str, path_part: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and path_part in c.path]

    # Login and gateway -------------------------------------------------------------------
    async def _me(self, request):
        return json_response({**self.bot_user, "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})

    async def _application(self, request):
        owner = self.guild.owner
        return json_response({"id": str(self.app_id), "name": "QuizBot", "icon": None, "description": "quiz",
                              "rpc_origins": [], "bot_public": True, "bot_require_code_grant": False, "owner": owner,
                              "summary": "", "verify_key": "0" * 64, "team": None, "flags": 0, "tags": [],
                              "bot": self.bot_user, "interactions_endpoint_url": None, "integration_types_config": {},
                              "approximate_guild_count": 1, "redirect_uris": []})

    async def _gateway_info(self, request):
        return json_response({"url": self.gateway_url})

    async def _gateway_bot(self, request):
        return json_response({"url": self.gateway_url, "shards": self.gateway_shards,
                              "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                                      "max_concurrency": 1}})

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = Session(ws)
        self.sessions.append(session)
        await session.send(10, {"heartbeat_interval": 41250})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, data = frame.get("op"), frame.get("d")
                if op == 1:
                    await session.send(11, None)
                elif op == 2:
                    await self._identify(session, data)
                elif op == 6:
                    session.identified = True
                    await session.send(0, {}, "RESUMED")
        finally:
            self.sessions.remove(session)
            await self._notify()
        return ws

    async def _identify(self, session: Session, data: dict) -> None:
        self.identifies.append(data)
        session.shard = tuple(data.get("shard") or (0, 1))
        shard_id, shard_count = session.shard
        mine = [g for g in [self.guild] if (g.id >> 22) % shard_count == shard_id]
        await session.send(0, {
            "v": 10, "user": self.bot_user, "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
            "session_id": f"session-{P.snowflake()}", "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, shard_count], "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": [], "user_settings": {},
        }, "READY")
        for g in mine:
            await session.send(0, g.create_payload(), "GUILD_CREATE")
        session.identified = True
        await self._notify()

    def session_for_guild(self, guild_id: int) -> Session:
        for session in self.sessions:
            if session.identified and (guild_id >> 22) % session.shard[1] == session.shard[0]:
                return session
        raise AssertionError("no identified gateway session holds the guild")

    async def dispatch(self, event: str, data: dict) -> None:
        guild_id = int(data.get("guild_id") or self.guild.id)
        await self.session_for_guild(guild_id).send(0, data, event)

    # Commands ------------------------------------------------------------------------------
    async def _put_commands(self, request):
        scope = request.match_info.get("guild") or "global"
        synced = []
        for command in request[BODY]:
            synced.append({**command, "id": str(P.snowflake()), "application_id": str(self.app_id),
                           "version": str(P.snowflake()),
                           **({"guild_id": scope} if scope != "global" else {})})
        self.commands[scope] = synced
        return json_response(synced)

    async def _get_commands(self, request):
        return json_response(self.commands.get(request.match_info.get("guild") or "global", []))

    # Messages --------------------------------------------------------------------------------
    def channel(self, channel_id: int) -> dict | None:
        return self.guild.channels.get(channel_id)

    def _new_message(self, channel_id: int, body: dict, *, flags: int = 0, author: dict | None = None,
                     extra: dict | None = None) -> dict:
        content = body.get("content") or ""
        allowed = body.get("allowed_mentions")
        parse = set((allowed or {"parse": ["users", "roles", "everyone"]}).get("parse", []))
        role_ids = [r for r in self.guild.roles if f"<@&{r}>" in content]
        allowed_roles = {str(r) for r in (allowed or {}).get("roles", [])}
        pinged_roles = [str(r) for r in role_ids if "roles" in parse or str(r) in allowed_roles]
        message = {
            "id": str(P.snowflake()), "channel_id": str(channel_id), "guild_id": str(self.guild.id), "type": 0,
            "content": content, "author": author or self.bot_user, "timestamp": P.iso_now(), "edited_timestamp": None,
            "tts": False, "mention_everyone": ("@everyone" in content or "@here" in content) and "everyone" in parse,
            "mentions": [], "mention_roles": pinged_roles, "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "pinned": False,
            "attachments": [self._attach(a, u) for a, u in zip(body.get("attachments") or [], body.get("uploads") or [],
                                                               strict=False)],
            "flags": int(body.get("flags") or 0) | flags, "nonce": body.get("nonce"),
            "allowed_mentions_sent": allowed,  # not a Discord field: what the bot asked for, for assertions
            **(extra or {}),
        }
        self.messages[int(message["id"])] = message
        return message

    def _attach(self, attachment: dict, upload: dict) -> dict:
        """An uploaded file as Discord lists it; its bytes are kept in `uploaded` under the attachment's id."""
        attachment_id = str(P.snowflake())
        self.uploaded[attachment_id] = upload["data"]
        return {"id": attachment_id, "filename": attachment.get("filename") or upload["filename"],
                "description": attachment.get("description"), "size": len(upload["data"]),
                "content_type": upload["content_type"], "url": f"{self.api_base}/attachments/{attachment_id}",
                "proxy_url": f"{self.api_base}/attachments/{attachment_id}"}

    def _patch_message(self, message: dict, body: dict) -> dict:
        for key in ("content", "embeds", "components", "flags", "allowed_mentions"):
            if key in body:
                message["allowed_mentions_sent" if key == "allowed_mentions" else key] = body[key]
        message["flags"] = int(message.get("flags") or 0) & ~P.LOADING | (int(body.get("flags") or 0))
        message["edited_timestamp"] = P.iso_now()
        return message

    async def _open_dm(self, request):
        """POST /users/@me/channels: the DM channel with a user (the same one every time)."""
        user_id = str((request[BODY] or {}).get("recipient_id"))
        member = self.guild.members.get(int(user_id)) if user_id.isdigit() else None
        if member is None:
            return error(400, 50035, "Invalid Form Body")
        channel_id = next((c for c, u in self.dm_channels.items() if u == user_id), None) or P.snowflake()
        self.dm_channels[channel_id] = user_id
        return json_response({"id": str(channel_id), "type": 1, "last_message_id": None, "flags": 0,
                              "recipients": [member["user"]]})

    def dms_to(self, user: dict) -> list[dict]:
        """The direct messages the bot sent to a user."""
        return [m for cid, uid in self.dm_channels.items() if uid == user["id"] for m in self.channel_messages(cid)]

    async def _create_message(self, request):
        channel_id = int(request.match_info["channel"])
        if channel_id in self.dm_channels:
            if self.dm_channels[channel_id] in self.dms_closed:
                return error(403, 50007, "Cannot send messages to this user")
            return json_response(self._new_message(channel_id, request[BODY] or {}))
        channel = self.channel(channel_id)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        perms = self.guild.permissions(int(self.bot_user["id"]), channel)
        needed = P.VIEW_CHANNEL | (P.SEND_MESSAGES_IN_THREADS if channel["type"] == 11 else P.SEND_MESSAGES)
        if perms & P.VIEW_CHANNEL == 0:
            return error(403, 50001, "Missing Access")
        if perms & needed != needed:
            return error(403, 50013, "Missing Permissions")
        body = request[BODY] or {}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce") and (channel_id, str(nonce)) in self.nonces:
            return json_response(self.messages[self.nonces[(channel_id, str(nonce))]])  # same nonce: same message
        message = self._new_message(channel_id, body)
        if nonce is not None:
            self.nonces[(channel_id, str(nonce))] = int(message["id"])
        return json_response(message)

    async def _get_message(self, request):
        message = self.messages.get(int(request.match_info["message"]))
        if message is None or message["channel_id"] != request.match_info["channel"]:
            return error(404, 10008, "Unknown Message")
        return json_response(message)

    async def _edit_message(self, request):
        message = self.messages.get(int(request.match_info["message"]))
        if message is None or message["channel_id"] != request.match_info["channel"]:
            return error(404, 10008, "Unknown Message")
        return json_response(self._patch_message(message, request[BODY] or {}))

    async def _start_thread(self, request):
        channel_id, message_id = int(request.match_info["channel"]), int(request.match_info["message"])
        channel, message = self.channel(channel_id), self.messages.get(message_id)
        if channel is None or message is None:
            return error(404, 10008, "Unknown Message")
        if self.guild.permissions(int(self.bot_user["id"]), channel) & P.CREATE_PUBLIC_THREADS == 0:
            return error(403, 50013, "Missing Permissions")
        if message.get("thread"):
            return error(400, 160004, "A thread has already been created for this message")
        body = request[BODY] or {}
        thread = P.thread_channel(message_id, channel, body.get("name", "thread"), int(self.bot_user["id"]),
                                  int(body.get("auto_archive_duration") or 1440))
        self.guild.channels[message_id] = thread
        message["thread"] = thread
        return json_response(thread)

    def channel_messages(self, channel_id: int) -> list[dict]:
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id and not m["flags"] & P.EPHEMERAL]

    # Interactions ------------------------------------------------------------------------------
    def _record_for(self, request) -> InteractionRecord | None:
        token = request.match_info["token"]
        return next((r for r in self.interactions.values() if r.token == token), None)

    async def _callback(self, request):
        record = self.interactions.get(int(request.match_info["iid"]))
        if record is None or record.token != request.match_info["token"]:
            return error(404, 10062, "Unknown interaction")
        if record.callbacks:
            return error(400, 40060, "Interaction has already been acknowledged.")
        body = request[BODY] or {}
        record.callbacks.append(body)
        kind, data = body["type"], body.get("data") or {}
        channel_id = int(record.payload["channel_id"])
        message = None
        if kind == 4:
            message = self._new_message(channel_id, data, extra=self._interaction_meta(record))
            record.reply = Reply("message", 4, message)
        elif kind == 5:
            message = self._new_message(channel_id, {"flags": data.get("flags", 0)}, flags=P.LOADING,
                                        extra=self._interaction_meta(record))
            record.loading_message_id = int(message["id"])
        elif kind == 7:
            message = self._patch_message(self.messages[record.message_id], data)
            record.reply = Reply("update", 7, message)
        elif kind == 8:
            record.reply = Reply("autocomplete", 8, data=data)
        elif kind == 9:
            record.reply = Reply("modal", 9, data=data)
        elif kind != 6:
            return error(400, 50035, f"Invalid callback type {kind}")
        answer: dict[str, Any] = {"interaction": {
            "id": str(record.id), "type": record.payload["type"], "activity_instance_id": None,
            "response_message_id": message["id"] if message else None,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(message and int(message["flags"]) & P.EPHEMERAL)}}
        if message is not None:
            answer["resource"] = {"type": kind, "message": message}
        return json_response(answer)

    def _interaction_meta(self, record: InteractionRecord) -> dict:
        return {"webhook_id": str(self.app_id), "application_id": str(self.app_id),
                "interaction_metadata": {"id": str(record.id), "type": record.payload["type"],
                                         "user": record.payload["member"]["user"],
                                         "authorizing_integration_owners": {"0": str(self.guild.id)}}}

    async def _followup(self, request):
        record = self._record_for(request)
        if record is None or not record.callbacks:
            return error(404, 10015, "Unknown Webhook")
        body = request[BODY] or {}
        if record.loading_message_id and not record.loading_replaced:
            # The first followup after a "thinking" defer replaces the loading message (as Discord does).
            record.loading_replaced = True
            message = self._patch_message(self.messages[record.loading_message_id], body)
        else:
            message = self._new_message(int(record.payload["channel_id"]), body, extra=self._interaction_meta(record))
        record.followups.append(message)
        if record.reply is None:
            record.reply = Reply("message", record.callbacks[0]["type"], message)
        return json_response(message)

    def _webhook_target(self, record: InteractionRecord, ref: str) -> dict | None:
        if ref != "@original":
            return self.messages.get(int(ref))
        if record.loading_message_id:
            return self.messages[record.loading_message_id]
        if record.message_id:
            return self.messages.get(record.message_id)
        return None

    async def _get_webhook_message(self, request):
        record = self._record_for(request)
        message = self._webhook_target(record, request.match_info["message"]) if record else None
        return json_response(message) if message else error(404, 10008, "Unknown Message")

    async def _edit_webhook_message(self, request):
        record = self._record_for(request)
        message = self._webhook_target(record, request.match_info["message"]) if record else None
        if message is None:
            return error(404, 10008, "Unknown Message")
        message = self._patch_message(message, request[BODY] or {})
        if record.reply is None and request.match_info["message"] == "@original":
            same = record.message_id is not None and int(message["id"]) == record.message_id
            record.reply = Reply("update" if same else "message", record.callbacks[0]["type"], message)
        return json_response(message)

    async def _unknown(self, request):
        return error(404, 0, f"404: Not Found ({request.method} {request.path})")

    # Driving the bot like users do --------------------------------------------------------------
    def add_user(self, username: str, *, global_name: str | None = None, admin: bool = False,
                 nick: str | None = None) -> dict:
        u = P.user(P.snowflake(), username, global_name=global_name)
        self.guild.add_member(u, [int(self.guild.admin_role["id"])] if admin else [], nick=nick)
        return u

    def _base_interaction(self, kind: int, user_data: dict, channel_id: int, data: dict,
                          message: dict | None = None) -> dict:
        uid = int(user_data["id"])
        channel = self.guild.channels[channel_id]
        member = dict(self.guild.members[uid])
        member["permissions"] = str(self.guild.permissions(uid, channel))
        iid = P.snowflake()
        payload = {
            "id": str(iid), "application_id": str(self.app_id), "type": kind, "data": data,
            "guild_id": str(self.guild.id), "guild": {"id": str(self.guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel_id), "channel": {**channel, "permissions": member["permissions"]},
            "member": member, "token": f"itoken-{iid}", "version": 1,
            "app_permissions": str(self.guild.permissions(int(self.bot_user["id"]), channel)),
            "locale": "en-US", "guild_locale": "en-US", "entitlements": [], "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(self.guild.id)}, "context": 0,
            "attachment_size_limit": 26214400,
        }
        if message is not None:
            payload["message"] = message
        return payload

    async def inject(self, payload: dict) -> InteractionRecord:
        record = InteractionRecord(int(payload["id"]), payload["token"], payload)
        self.interactions[record.id] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    async def reply_to(self, record: InteractionRecord, timeout: float = GUARD) -> Reply:
        return await self.wait_for(lambda: record.reply, timeout, f"a reply to interaction {record.id}")

    def _command_definition(self, name: str) -> dict:
        for scope in ("global", str(self.guild.id)):
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command
        raise AssertionError(f"command /{name} was never synced")

    def _command_data(self, path: str, options: dict[str, Any], focused: str | None = None) -> dict:
        names = path.split()
        definition = self._command_definition(names[0])
        data: dict[str, Any] = {"id": definition["id"], "name": names[0], "type": 1, "resolved": {}}
        if definition.get("guild_id"):
            data["guild_id"] = definition["guild_id"]
        node, spec = data, definition
        for sub in names[1:]:
            spec = next(o for o in spec.get("options", []) if o["name"] == sub)
            child: dict[str, Any] = {"type": spec["type"], "name": sub}
            node["options"] = [child]
            node = child
        built = []
        for opt_name, value in options.items():
            opt = next((o for o in spec.get("options", []) if o["name"] == opt_name), None)
            if opt is None:
                raise AssertionError(f"/{path} has no option {opt_name}")
            built.append(self._option(opt, value, data["resolved"], focused == opt_name))
        node["options"] = built
        if not data["resolved"]:
            del data["resolved"]
        return data

    def _option(self, spec: dict, value: Any, resolved: dict, focused: bool) -> dict:
        kind = spec["type"]
        if kind == 7:  # channel
            channel = value
            resolved.setdefault("channels", {})[channel["id"]] = {
                "id": channel["id"], "name": channel["name"], "type": channel["type"], "parent_id": None,
                "permissions": str(P.ALL_PERMISSIONS)}
            value = channel["id"]
        elif kind == 8:  # role
            resolved.setdefault("roles", {})[value["id"]] = value
            value = value["id"]
        option = {"type": kind, "name": spec["name"], "value": value}
        if focused:
            option["focused"] = True
        return option

    async def command(self, user_data: dict, path: str, *, in_channel: dict | None = None, **options) -> InteractionRecord:
        """Run a slash command (path like 'lesson' or 'quizadmin schedule add') in #general or `in_channel`."""
        data = self._command_data(path, options)
        channel_id = int((in_channel or self.guild.general)["id"])
        return await self.inject(self._base_interaction(2, user_data, channel_id, data))

    async def autocomplete(self, user_data: dict, path: str, focused: str, **options) -> InteractionRecord:
        data = self._command_data(path, options, focused)
        return await self.inject(self._base_interaction(4, user_data, int(self.guild.general["id"]), data))

    async def click(self, user_data: dict, message: dict, custom_id: str, *, as_seen: bool = False) -> InteractionRecord:
        """Press a button. The payload carries the message as it is now, or (as_seen) the given snapshot:
        a second click landing before the first one's edit arrives."""
        if not as_seen:
            message = self.messages.get(int(message["id"]), message)
        assert custom_id in custom_ids(message), f"{custom_id} is not on the message"
        data = {"custom_id": custom_id, "component_type": 2}
        return await self.inject(self._base_interaction(3, user_data, int(message["channel_id"]), data, message))

    async def submit_modal(self, user_data: dict, modal: dict, text: str, *, message: dict | None = None,
                           channel: dict | None = None) -> InteractionRecord:
        """Fill every text input of a modal (the data of a type 9 callback) with `text` and submit it."""
        def filled(components):
            out = []
            for c in components:
                if c.get("type") == 4:
                    out.append({"type": 4, "id": c.get("id", 1), "custom_id": c["custom_id"], "value": text})
                elif "component" in c:
                    out.append({"type": c["type"], "id": c.get("id", 1), "component": filled([c["component"]])[0]})
                else:
                    out.append({"type": c["type"], "id": c.get("id", 1), "components": filled(c.get("components", []))})
            return out
        data = {"custom_id": modal["custom_id"], "components": filled(modal.get("components", []))}
        if message is not None:
            message = self.messages.get(int(message["id"]), message)
        channel_id = int(message["channel_id"]) if message else int((channel or self.guild.general)["id"])
        return await self.inject(self._base_interaction(5, user_data, channel_id, data, message))

    async def run(self, record_coro, timeout: float = GUARD) -> Reply:
        """Await an injection, then the bot's reply to it."""
        record = await record_coro
        return await self.reply_to(record, timeout)

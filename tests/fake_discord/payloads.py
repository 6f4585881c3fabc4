"""Discord API objects as the real API shapes them (only the fields discord.py 2.7 reads, plus a few more)."""
from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1420070400000
_counter = itertools.count(1)

# Permission bits (https://discord.com/developers/docs/topics/permissions)
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

EVERYONE_DEFAULT = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | ADD_REACTIONS | USE_APPLICATION_COMMANDS \
    | EMBED_LINKS | CREATE_PUBLIC_THREADS | SEND_MESSAGES_IN_THREADS

EPHEMERAL = 1 << 6
LOADING = 1 << 7


def snowflake() -> int:
    """A real-looking snowflake (its timestamp is now), unique within the process."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


def user(user_id: int, username: str, *, global_name: str | None = None, bot: bool = False) -> dict:
    return {"id": str(user_id), "username": username, "discriminator": "0", "global_name": global_name,
            "avatar": None, "bot": bot, "system": False, "public_flags": 0, "flags": 0, "banner": None,
            "accent_color": None, "avatar_decoration_data": None, "primary_guild": None, "collectibles": None}


def role(role_id: int, name: str, permissions: int, *, position: int = 0, mentionable: bool = False,
         managed: bool = False, bot_id: int | None = None) -> dict:
    data = {"id": str(role_id), "name": name, "permissions": str(permissions), "position": position, "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False, "managed": managed, "mentionable": mentionable, "icon": None, "unicode_emoji": None,
            "flags": 0}
    if bot_id is not None:
        data["tags"] = {"bot_id": str(bot_id)}
    return data


def overwrite(target_id: int, *, kind: int, allow: int = 0, deny: int = 0) -> dict:
    """kind 0: role, 1: member."""
    return {"id": str(target_id), "type": kind, "allow": str(allow), "deny": str(deny)}


def text_channel(channel_id: int, guild_id: int, name: str, *, position: int = 0, overwrites: list | None = None) -> dict:
    return {"id": str(channel_id), "guild_id": str(guild_id), "type": 0, "name": name, "position": position,
            "permission_overwrites": overwrites or [], "topic": None, "nsfw": False, "last_message_id": None,
            "rate_limit_per_user": 0, "parent_id": None, "default_auto_archive_duration": 1440, "flags": 0}


def thread_channel(thread_id: int, parent: dict, name: str, owner_id: int, archive_minutes: int) -> dict:
    return {"id": str(thread_id), "guild_id": parent["guild_id"], "parent_id": parent["id"], "owner_id": str(owner_id),
            "type": 11, "name": name, "last_message_id": None, "rate_limit_per_user": 0, "message_count": 0,
            "member_count": 1, "total_message_sent": 0, "flags": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": archive_minutes,
                                "archive_timestamp": iso_now(), "locked": False, "create_timestamp": iso_now()}}


def member(user_data: dict, roles: list[int], *, nick: str | None = None) -> dict:
    return {"user": user_data, "roles": [str(r) for r in roles], "nick": nick, "avatar": None, "banner": None,
            "joined_at": "2025-01-01T00:00:00+00:00", "premium_since": None, "deaf": False, "mute": False,
            "pending": False, "flags": 0, "communication_disabled_until": None}

"""Who someone is on Slack: their display name, time zone and whether they may administer the quiz.

Admins are the workspace's admins and owners (users.info), plus the user ids in
SLACK_ADMIN_USER_IDS and the members of the user group in SLACK_ADMIN_USERGROUP. Answers are
cached briefly: a click should not cost a users.info call each time, and a demoted admin is
refused again within a minute.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

REFUSAL = ("Only workspace admins and owners (and the people the bot's operator named as quiz admins) "
           "can manage the daily questions. Ask one of them to set this up.")


@dataclass(frozen=True)
class Person:
    user_id: str
    display_name: str
    is_admin: bool
    tz: str | None = None


class Directory:
    def __init__(self, admin_ids: frozenset[str] = frozenset(), admin_usergroup: str | None = None,
                 ttl: float = 60.0, timeout: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.admin_ids, self.admin_usergroup = frozenset(admin_ids), admin_usergroup
        self.ttl, self.timeout, self.clock = ttl, timeout, clock
        self._people: dict[tuple[str, str], tuple[float, Person]] = {}
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}

    async def person(self, client: AsyncWebClient, team_id: str, user_id: str, fallback_name: str = "") -> Person:
        key = (team_id, user_id)
        cached = self._people.get(key)
        if cached and self.clock() - cached[0] < self.ttl:
            return cached[1]
        try:
            resp = await asyncio.wait_for(client.users_info(user=user_id), self.timeout)
            user = resp.get("user") or {}
        except (TimeoutError, SlackApiError, OSError) as err:
            log.warning("users.info failed; using the name Slack sent", extra={"error": type(err).__name__})
            return Person(user_id, fallback_name or user_id, await self._configured_admin(client, team_id, user_id))
        profile = user.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                or user.get("name") or fallback_name or user_id)
        workspace_admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        is_admin = (workspace_admin and not user.get("deleted") and not user.get("is_restricted")) \
            or await self._configured_admin(client, team_id, user_id)
        person = Person(user_id, name, is_admin, user.get("tz"))
        self._people[key] = (self.clock(), person)
        return person

    async def _configured_admin(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool:
        if user_id in self.admin_ids:
            return True
        if not self.admin_usergroup:
            return False
        return user_id in await self._group_members(client, team_id, self.admin_usergroup)

    async def _group_members(self, client: AsyncWebClient, team_id: str, usergroup: str) -> frozenset[str]:
        cached = self._groups.get(team_id)
        if cached and self.clock() - cached[0] < self.ttl:
            return cached[1]
        try:
            resp = await asyncio.wait_for(client.usergroups_users_list(usergroup=usergroup), self.timeout)
            members = frozenset(resp.get("users") or ())
        except (TimeoutError, SlackApiError, OSError) as err:
            log.warning("usergroups.users.list failed; the admin group counts as empty",
                        extra={"error": type(err).__name__})
            return frozenset()
        self._groups[team_id] = (self.clock(), members)
        return members

    def forget(self, team_id: str | None = None) -> None:
        """Drop cached answers (all, or one workspace's, e.g. when it uninstalls the app)."""
        if team_id is None:
            self._people.clear()
            self._groups.clear()
            return
        self._people = {k: v for k, v in self._people.items() if k[0] != team_id}
        self._groups.pop(team_id, None)

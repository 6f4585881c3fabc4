"""The shapes of the Slack requests the bot accepts in HTTP mode, checked before bolt or a listener sees them.

A signed request can still be malformed (a change at Slack, a payload of a kind this app never asked
for, a modal from an older version of the bot). Listeners index into payloads
(`body["trigger_id"]`, `action["action_id"]`, the modal's private_metadata), so what they rely on is
declared here once and a request without it is refused with a reason that names the fields, never
their values. A new kind of request (a shortcut, an options menu) needs its model here.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from adapters.slack import modals as md

REASONS_SHOWN = 3


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class Ided(Shape):
    id: str


class SlashCommand(Shape):
    command: str
    team_id: str
    user_id: str
    trigger_id: str
    response_url: str
    text: str = ""


class UrlVerification(Shape):
    type: Literal["url_verification"]
    challenge: str


class Event(Shape):
    type: str


class EventCallback(Shape):
    type: Literal["event_callback"]
    team_id: str
    event_id: str
    event: Event


class RateLimited(Shape):
    type: Literal["app_rate_limited"]


class Action(Shape):
    action_id: str


class Container(Shape):
    type: str


class ViewState(Shape):
    values: dict[str, dict[str, dict[str, Any]]]


class View(Shape):
    id: str
    callback_id: str = ""
    private_metadata: str = ""


class SubmittedView(View):
    callback_id: str
    blocks: list[dict[str, Any]]
    state: ViewState


class BlockActions(Shape):
    type: Literal["block_actions"]
    user: Ided
    trigger_id: str
    actions: list[Action] = Field(min_length=1)
    container: Container
    response_url: str | None = None
    view: View | None = None

    @model_validator(mode="after")
    def where_to_answer(self) -> BlockActions:
        if self.container.type == "message" and self.response_url is None:
            raise ValueError("a click on a message needs its response_url")
        if self.container.type == "view" and self.view is None:
            raise ValueError("a click in a view needs the view")
        return self


class ViewSubmission(Shape):
    type: Literal["view_submission"]
    user: Ided
    view: SubmittedView


class ViewClosed(Shape):
    type: Literal["view_closed"]
    user: Ided
    view: View


BY_TYPE: dict[str, type[Shape]] = {"url_verification": UrlVerification, "event_callback": EventCallback,
                                    "app_rate_limited": RateLimited, "block_actions": BlockActions,
                                    "view_submission": ViewSubmission, "view_closed": ViewClosed}


def _post_meta(meta: dict) -> bool:
    return type(meta.get("post")) is int


def _study_meta(meta: dict) -> bool:
    state = md.StudyState.load(meta)
    return state is not None and type(state.delivery) is int


def _schedule_meta(meta: dict) -> bool:
    return "id" in meta and (meta["id"] is None or type(meta["id"]) is int)


# What each of our submittable modals wrote into its private_metadata (see adapters.slack.modals).
OUR_META: dict[str, Callable[[dict], bool]] = {md.POST_ANSWER: _post_meta, md.STUDY: _study_meta,
                                                md.SCHEDULE: _schedule_meta}


def _foreign_meta(view: SubmittedView) -> bool:
    check = OUR_META.get(view.callback_id)
    if check is None:
        return False  # not one of ours at all: the unknown-view listener answers it
    try:
        meta = json.loads(view.private_metadata or "null")
    except ValueError:
        return True
    return not isinstance(meta, dict) or not check(meta)


def team_of(body: Any) -> str:
    """The workspace a request says it is from, for the log line ("" when it does not say)."""
    if not isinstance(body, dict):
        return ""
    team, user = body.get("team"), body.get("user")
    for found in (body.get("team_id"), team.get("id") if isinstance(team, dict) else None,
                  user.get("team_id") if isinstance(user, dict) else None):
        if isinstance(found, str) and found:
            return found[:32]
    return ""


def problem(body: Any) -> str | None:
    """Why a parsed request body is not one the bot accepts, or None. Names fields, never values."""
    if not isinstance(body, dict):
        return f"the body is a JSON {type(body).__name__}, not an object"
    if "ssl_check" in body:
        return None  # Slack's certificate check: bolt answers it
    model: type[Shape] | None
    kind: str | None
    if "command" in body:
        model, kind = SlashCommand, "slash command"
    else:
        kind = body.get("type") if isinstance(body.get("type"), str) else None
        model = BY_TYPE.get(kind or "")
        if model is None:
            return "not a request kind this app handles" if kind is None else f"unexpected request type {kind[:40]!r}"
    try:
        parsed = model.model_validate(body)
    except ValidationError as err:
        reasons = [f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in err.errors()[:REASONS_SHOWN]]
        return f"{kind}: " + "; ".join(reasons)
    if isinstance(parsed, ViewSubmission) and _foreign_meta(parsed.view):
        return f"view_submission: private_metadata is not what the {parsed.view.callback_id!r} modal wrote"
    return None

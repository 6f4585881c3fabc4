"""HTTP mode's front door: POST /slack/events checked before bolt parses anything.

bolt's own aiohttp server parses the body (and crashes on a list, a broken payload or a non-numeric
timestamp) before its signature middleware runs, and that middleware logs the whole body of a
request it rejects. Here the order is: signature on the raw bytes (slack_sdk's SignatureVerifier),
then bolt's parsing, then the payload's shape (adapters.slack.payloads), then bolt's dispatch.

- unsigned, stale or unverifiable (not UTF-8, timestamp not a number): 401, logged at DEBUG only, so
  nobody without the signing secret can write to the operator's log;
- signed but malformed: 400 and one WARNING naming the reason and the team, never the body.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack import payloads

log = logging.getLogger(__name__)
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")  # seconds since 1970; more digits cannot be within five minutes of now
SIGNATURE_RE = re.compile(r"v0=[0-9a-f]{64}")  # hmac.compare_digest refuses non-ASCII text


def refusal(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


class EventsGate:
    def __init__(self, app: AsyncApp, signing_secret: str):
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)

    def verified_text(self, raw: bytes, timestamp: str, signature: str) -> str | None:
        """The body as text if Slack signed it within the last five minutes, else None."""
        if not TIMESTAMP_RE.fullmatch(timestamp) or not SIGNATURE_RE.fullmatch(signature):
            return None
        try:
            text = raw.decode("utf-8")  # Slack signs UTF-8 text; other bytes cannot carry its signature
        except UnicodeDecodeError:
            return None
        return text if self.verifier.is_valid(text, timestamp, signature) else None

    async def events(self, request: web.Request) -> web.Response:
        raw = await request.read()
        text = self.verified_text(raw, request.headers.get("X-Slack-Request-Timestamp", ""),
                                  request.headers.get("X-Slack-Signature", ""))
        if text is None:
            log.debug("refused an unsigned or stale Slack request", extra={"bytes": len(raw)})
            return refusal(401, "invalid request")
        try:
            bolt_request = self.bolt_request(text, request)
        except Exception as err:  # bolt's parser: not JSON, a payload that is a list, ...
            return self.malformed(f"unreadable body ({type(err).__name__})", "")
        reason = payloads.problem(bolt_request.body)
        if reason is not None:
            return self.malformed(reason, payloads.team_of(bolt_request.body))
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    @staticmethod
    def bolt_request(text: str, request: web.Request) -> AsyncBoltRequest:
        # bolt reads any mapping of headers; a dict copy would keep only one of repeated headers.
        parsed = AsyncBoltRequest(body=text, query=request.query_string, headers=request.headers)  # type: ignore[arg-type]
        if parsed.body == {} and "payload" in text and not text.startswith("{"):
            # bolt reads any form body containing the word "payload" as an interactivity payload, and a slash
            # command such as `/quiz group create payload` becomes {}. Parse it with that word percent-encoded
            # (the same fields); raw_body stays as signed.
            fields = dict(parse_qsl(text, keep_blank_values=True))
            if "payload" not in fields:
                reread = AsyncBoltRequest(body=text.replace("payload", "%70ayload"), query=request.query_string,
                                          headers=request.headers)  # type: ignore[arg-type]
                parsed.body, parsed.context = reread.body, reread.context
        return parsed

    @staticmethod
    def malformed(reason: str, team_id: str) -> web.Response:
        log.warning("refused a signed Slack request: %s", reason, extra={"team_id": team_id})
        return refusal(400, "bad request")

    async def oauth(self, request: web.Request) -> web.Response:
        """/slack/install and /slack/oauth_redirect, as bolt's own server serves them."""
        flow = self.app.oauth_flow
        if flow is None:  # the routes are added only with OAuth on
            raise web.HTTPNotFound()
        bolt_request = await to_bolt_request(request)
        if request.path == flow.install_path:
            return await to_aiohttp_response(await flow.handle_installation(bolt_request))
        return await to_aiohttp_response(await flow.handle_callback(bolt_request))


def events_app(app: AsyncApp, signing_secret: str, path: str) -> web.Application:
    gate = EventsGate(app, signing_secret)
    web_app = web.Application()
    web_app.router.add_post(path, gate.events)
    if app.oauth_flow is not None:
        web_app.router.add_get(app.oauth_flow.install_path, gate.oauth)
        web_app.router.add_get(app.oauth_flow.redirect_uri_path, gate.oauth)
    return web_app

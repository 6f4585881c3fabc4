"""Hostile HTTP requests against the real bolt app in HTTP mode, over loopback.

Unsigned or unverifiable requests get 401 before any parsing and leave no log line at WARNING or
above; signed but malformed bodies get 400 and exactly one WARNING line (with the team id) and no
traceback. No record ever carries the request body: every hostile body below hides LEAK in the
places Slack puts its secrets (legacy token, trigger_id, response_url).
"""
from __future__ import annotations

import json
import logging
import time
from urllib.parse import quote, urlencode

import pytest
import pytest_asyncio
from fake_slack.harness import SECRET, start_http

from bot.engine import Engine

pytestmark = pytest.mark.timeout(60)
LEAK = "SECRET-leak-7f3a"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest_asyncio.fixture
async def h(store, mini_catalog, caplog):
    caplog.set_level(logging.DEBUG)  # before the app is built: bolt copies the root level into its loggers
    harness = await start_http(Engine(store, mini_catalog))
    yield harness
    await harness.close()


def record_texts(caplog) -> str:
    out = []
    for r in caplog.records:
        out.append(r.getMessage())
        out.append(str(r.exc_text or ""))
        out.extend(str(v) for k, v in vars(r).items() if k not in logging.makeLogRecord({}).__dict__)
    return "\n".join(out)


def assert_no_secrets(caplog) -> None:
    text = record_texts(caplog)
    assert LEAK not in text and SECRET not in text
    assert not [r for r in caplog.records if r.exc_info or r.exc_text], "a traceback was logged"
    assert "Traceback" not in text


async def assert_unsigned_refused(h, caplog, reply) -> None:
    assert reply.status == 401, reply.text
    await h.fake.settle(0.1)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert_no_secrets(caplog)
    assert h.fake.calls == []


async def assert_malformed_refused(h, caplog, reply, team: str = "T1") -> None:
    assert reply.status == 400, reply.text
    await h.fake.settle(0.1)
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelno for r in loud] == [logging.WARNING], [r.getMessage() for r in loud]
    assert getattr(loud[0], "team_id", None) == team
    assert_no_secrets(caplog)
    assert LEAK not in reply.text
    assert h.fake.calls == []  # refused: nothing was done


def leaky_command(h) -> dict:
    fields = h.slack.command_fields("group create Intruders")
    fields.update(token=LEAK, trigger_id=LEAK, response_url=h.fake.response_url(LEAK))
    return fields


def leaky(payload: dict) -> dict:
    payload = dict(payload, token=LEAK, trigger_id=LEAK)
    if "response_url" in payload:
        payload["response_url"] = payload["response_url"] + LEAK
    return payload


# Unsigned or unverifiable: 401 before parsing, no log line ------------------------------------------
async def test_bad_signature_and_non_numeric_timestamp(h, caplog):
    reply = await h.slack.form(leaky_command(h), timestamp="abc", signature="v0=" + "0" * 64)
    await assert_unsigned_refused(h, caplog, reply)


async def test_correct_signature_over_a_non_numeric_timestamp(h, caplog):
    reply = await h.slack.form(leaky_command(h), timestamp="abc")  # signed with "abc" as the timestamp
    await assert_unsigned_refused(h, caplog, reply)


async def test_timestamp_too_large_for_a_clock(h, caplog):
    reply = await h.slack.form(leaky_command(h), timestamp="9" * 400)
    await assert_unsigned_refused(h, caplog, reply)


async def test_missing_signature_headers(h, caplog):
    reply = await h.slack.post(urlencode(leaky_command(h)), FORM, signature="",
                               headers={"X-Slack-Request-Timestamp": ""})
    await assert_unsigned_refused(h, caplog, reply)


async def test_oversized_body_is_refused_before_reading_it_all(h, caplog):
    reply = await h.slack.post("payload=" + LEAK * 200_000, FORM, signature="v0=" + "4" * 64)
    assert reply.status == 413
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert_no_secrets(caplog)


async def test_invalid_utf8_unsigned(h, caplog):
    body = b"payload=" + quote(json.dumps({"token": LEAK})).encode() + b"\xff\xfe\xc3"
    reply = await h.slack.post(body, FORM, signature="v0=" + "1" * 64)
    await assert_unsigned_refused(h, caplog, reply)


async def test_invalid_utf8_signed_over_its_bytes(h, caplog):
    # Slack signs UTF-8 text; bytes that are not UTF-8 cannot carry a signature slack_sdk can check.
    body = b"token=" + LEAK.encode() + b"&text=\xff\xfe\xc3"
    reply = await h.slack.post(body, FORM)
    await assert_unsigned_refused(h, caplog, reply)


async def test_not_json_payload_unsigned(h, caplog):
    reply = await h.slack.post(f"payload=%7Bnot-json&token={LEAK}", FORM, signature="v0=" + "2" * 64)
    await assert_unsigned_refused(h, caplog, reply)


async def test_truncated_json_unsigned(h, caplog):
    body = json.dumps(h.slack.event_body({"type": "app_home_opened", "user": "U1"}) | {"token": LEAK})
    reply = await h.slack.post(body[: len(body) // 2], JSON, signature="v0=" + "3" * 64)
    await assert_unsigned_refused(h, caplog, reply)


# Signed but malformed: 400, one WARNING line with the team, never the body --------------------------
async def test_signed_json_array(h, caplog):
    await assert_malformed_refused(h, caplog, await h.slack.post(json.dumps([1, 2, LEAK]), JSON), team="")


async def test_signed_payload_that_is_a_list(h, caplog):
    await assert_malformed_refused(h, caplog, await h.slack.form({"payload": json.dumps([LEAK])}), team="")


async def test_signed_payload_that_is_not_json(h, caplog):
    reply = await h.slack.post(f"payload=%7Bnot-json&token={LEAK}", FORM)
    await assert_malformed_refused(h, caplog, reply, team="")  # no readable body, no team to name


async def test_signed_truncated_json(h, caplog):
    body = json.dumps(h.slack.event_body({"type": "app_home_opened", "user": "U1"}) | {"token": LEAK})
    await assert_malformed_refused(h, caplog, await h.slack.post(body[:-7], JSON), team="")


async def test_signed_form_that_is_neither_command_nor_payload(h, caplog):
    await assert_malformed_refused(h, caplog, await h.slack.form({"team_id": "T1", "token": LEAK}))


async def test_signed_command_missing_its_response_url(h, caplog):
    fields = leaky_command(h)
    del fields["response_url"]
    await assert_malformed_refused(h, caplog, await h.slack.form(fields))


async def test_signed_event_that_is_not_an_object(h, caplog):
    body = h.slack.event_body({"type": "app_home_opened"}) | {"event": LEAK, "token": LEAK}
    await assert_malformed_refused(h, caplog, await h.slack.json(body))


async def test_signed_view_submission_without_blocks_or_state(h, caplog):
    view = {"id": "V1", "type": "modal", "callback_id": "post_answer", "private_metadata": '{"post":1}'}
    payload = leaky(h.slack.submission(view, {}))
    del payload["view"]["state"]
    await assert_malformed_refused(h, caplog, await h.slack.interactive(payload))


@pytest.mark.parametrize("callback_id, meta", [
    ("post_answer", "not json " + LEAK),
    ("post_answer", json.dumps({"post": "seven", "x": LEAK})),
    ("study", json.dumps([LEAK])),
    ("study", json.dumps({"mode": 5, "x": LEAK})),
    ("schedule", json.dumps({"id": "abc", "x": LEAK})),
])
async def test_signed_view_submission_with_foreign_private_metadata(h, caplog, callback_id, meta):
    view = {"id": "V1", "type": "modal", "callback_id": callback_id, "private_metadata": meta, "blocks": []}
    payload = leaky(h.slack.submission(view, {"answer": {"text": {"type": "plain_text_input", "value": "x"}}},
                                       user="U1"))
    await assert_malformed_refused(h, caplog, await h.slack.interactive(payload))


@pytest.mark.parametrize("damage", ["no actions", "empty actions", "action without id", "no trigger_id",
                                    "no user", "user not an object", "message without response_url"])
async def test_signed_block_actions_missing_fields(h, caplog, damage):
    payload = leaky(h.slack.message_action("post:1:a", "a", "C1", "1.0"))
    if damage == "no actions":
        del payload["actions"]
    elif damage == "empty actions":
        payload["actions"] = []
    elif damage == "action without id":
        del payload["actions"][0]["action_id"]
    elif damage == "no trigger_id":
        del payload["trigger_id"]
    elif damage == "no user":
        del payload["user"]
    elif damage == "user not an object":
        payload["user"] = LEAK
    else:
        del payload["response_url"]
    await assert_malformed_refused(h, caplog, await h.slack.interactive(payload))


# Good requests still go through ---------------------------------------------------------------------
async def test_well_formed_requests_still_work_after_the_gate(h, caplog):
    reply = await h.slack.json({"type": "url_verification", "challenge": "c-1", "token": "legacy"})
    assert reply.status == 200 and reply.json() == {"challenge": "c-1"}
    reply = await h.slack.command("streak")
    assert reply.status == 200
    await h.fake.wait_for("response_url")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_command_containing_the_word_payload_is_still_a_command(h, caplog):
    # bolt alone parses any form body with "payload" in it as an interactivity payload (and gets {}).
    reply = await h.slack.command("group create payload")
    assert reply.status == 200
    call = (await h.fake.wait_for("response_url"))[-1]
    assert "Created group *payload*" in call["text"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_bolt_never_logs_a_body_it_rejects(h, caplog):
    # Behind the gate bolt should never see a bad signature; if it does (a request that ages past five
    # minutes between the two checks), its log line names the fact, not the body.
    from slack_bolt.request.async_request import AsyncBoltRequest

    body = urlencode(leaky_command(h))
    request = AsyncBoltRequest(body=body, headers={"content-type": FORM, "x-slack-signature": "v0=00",
                                                   "x-slack-request-timestamp": str(int(time.time()))})
    response = await h.door.bundle.app.async_dispatch(request)
    assert response.status == 401
    assert "Invalid request signature" in record_texts(caplog)
    assert_no_secrets(caplog)

"""Arbitrary action ids, values, modal metadata and form fields at the Slack front door (bolt over real
HTTP, signed, on a loopback fake Slack). Property: every request is acked with 200 and answered, no
error is logged (the door caught nothing it did not expect), and what the engine refused left every
table as it was.

Ids stay in a database integer's range here; larger ones are the shared id parser's (issue 10 item 3).
"""
from __future__ import annotations

import json
import logging

import pytest_asyncio
from db_snapshot import changed_tables, snapshot
from fake_slack.harness import start_http
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from adapters.slack import modals as md
from bot.engine import Engine

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
ADMIN = "U9"

row_id = st.integers(0, 2**31 - 1)
text = st.text(max_size=120)
maybe_text = st.one_of(st.none(), text)
json_value = st.recursive(st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | text,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                          max_leaves=8)
study_meta = st.one_of(
    text, json_value.map(json.dumps),
    st.fixed_dictionaries({"mode": st.sampled_from(["lesson", "practice", "list"]) | text},
                          optional={"lesson": text, "snippet": row_id, "snippets": row_id, "question": row_id,
                                    "questions": row_id, "delivery": json_value}).map(json.dumps))


@pytest_asyncio.fixture
async def h(store, mini_catalog):
    harness = await start_http(Engine(store, mini_catalog), admin_user_ids=ADMIN)
    yield harness
    await harness.close()


async def answered_cleanly(h, caplog, send, refusal_only: bool = True, malformed_ok: bool = False):
    """Send one request; its ack must be 200 (or, where the payload may not be ours, a 400 with one warning),
    nothing logged as an error, and (when the engine could only refuse it) no table changed. Returns the
    ack's body."""
    before, logged = await snapshot(h.engine.store), len(caplog.records)
    reply = await send()
    assert reply.status == 200 or (malformed_ok and reply.status == 400), reply.text
    errors = [r for r in caplog.records[logged:] if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    if reply.status == 400:  # the HTTP gate's refusal of a payload that is not ours: one warning line
        assert len([r for r in caplog.records[logged:] if r.levelno == logging.WARNING]) == 1
    if refusal_only:
        assert changed_tables(before, await snapshot(h.engine.store)) == []
    return reply.json() if reply.text else {}


@FUZZ
@example(post_id=0, choice="a")
@example(post_id=1, choice="\x00")
@given(post_id=row_id, choice=text.filter(bool))
async def test_any_daily_post_button_is_answered(h, caplog, post_id, choice):
    """Nothing was posted here: every click is refused, with a notice to the clicker."""
    payload = h.slack.message_action(f"post:{post_id}:{choice}", "", "C42", "1700000001.000100")
    before = len(h.fake.calls_to("response_url"))
    await answered_cleanly(h, caplog, lambda: h.slack.interactive(payload))
    [notice] = (await h.fake.wait_for("response_url", before + 1))[before:]  # the work after the ack ended here
    assert notice["response_type"] == "ephemeral" and notice["text"].strip()


@FUZZ
@example(meta='{"mode":"practice","delivery":1}', answer="KL\x00")
@example(meta='{"mode":"lesson","delivery":"7"}', answer="")
@given(meta=study_meta, answer=text)
async def test_any_study_modal_submission_is_answered(h, caplog, meta, answer):
    view = {"id": "V1", "type": "modal", "callback_id": md.STUDY, "private_metadata": meta, "hash": "h1",
            "title": {"type": "plain_text", "text": "Practice"}, "blocks": []}
    values = {"answer": {"text": {"type": "plain_text_input", "value": answer}}}
    await answered_cleanly(h, caplog, lambda: h.slack.interactive(h.slack.submission(view, values)), malformed_ok=True)


def likely(valid: list[str]):
    """Mostly values a form would hold, so the save path is reached too; else anything."""
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid), maybe_text)


def option_values(strategy):
    return st.lists(strategy, max_size=3).map(lambda vs: [{"value": v} for v in vs])


schedule_values = st.fixed_dictionaries({
    "channel": st.fixed_dictionaries({"value": st.fixed_dictionaries({"type": st.just("conversations_select"),
                                                                      "selected_conversation": likely(["C1", "C2"])})}),
    "time": st.fixed_dictionaries({"value": st.fixed_dictionaries({"type": st.just("timepicker"),
                                                                   "selected_time": likely(["08:00", "23:59"])})}),
    "timezone": st.fixed_dictionaries({"value": st.fixed_dictionaries({"value": likely(["UTC", "Asia/Tokyo"])})}),
    "weekdays": st.fixed_dictionaries({"value": st.fixed_dictionaries({
        "selected_options": option_values(st.sampled_from(["mon", "tue", "sat"]) | text)})}),
    "lessons": st.fixed_dictionaries({"value": st.fixed_dictionaries({
        "selected_options": option_values(st.sampled_from(["mini"]) | text)})}),
    "tags": st.fixed_dictionaries({"value": st.fixed_dictionaries({"value": maybe_text})}),
    "open_minutes": st.fixed_dictionaries({"value": st.fixed_dictionaries({"value": likely(["60", "0", "x"])})}),
    "options": st.fixed_dictionaries({"value": st.fixed_dictionaries({
        "selected_options": option_values(st.sampled_from([md.OPTION_SHUFFLE, md.OPTION_THREAD]) | text)})}),
})


def form(channel="C1", at="08:00", tz="UTC", days=("mon",), minutes="60") -> dict:
    def field(**element):
        return {"value": element}
    return {"channel": field(selected_conversation=channel), "time": field(selected_time=at), "timezone": field(value=tz),
            "weekdays": field(selected_options=[{"value": d} for d in days]), "lessons": field(selected_options=[]),
            "tags": field(value=None), "open_minutes": field(value=minutes), "options": field(selected_options=[])}


@FUZZ
@example(values=form())  # saved
@example(values=form(channel="C\x00", tz="\x00"))
@example(values=form(channel="C2", minutes="99999999999999999999999"))
@given(values=schedule_values)
async def test_any_schedule_form_is_saved_or_refused_on_a_field(h, caplog, values):
    view = md.schedule_view([], None, "UTC")
    view.update(id="VS", hash="hs")
    before = await snapshot(h.engine.store)
    answer = await answered_cleanly(h, caplog, lambda: h.slack.interactive(h.slack.submission(view, values, ADMIN)),
                                    refusal_only=False)
    event("refused" if answer.get("response_action") == "errors" else "saved")
    if answer.get("response_action") == "errors":  # refused: on a field of the form, and nothing stored
        assert set(answer["errors"]) <= set(md.form_fields(view)) and all(answer["errors"].values())
        assert changed_tables(before, await snapshot(h.engine.store)) == []
    else:
        assert answer == {}, answer  # saved: the modal closes


@settings(max_examples=300)
@given(meta=study_meta)
def test_study_state_from_any_metadata(meta):
    state = md.StudyState.load(md.read_meta({"private_metadata": meta}))
    assert state is None or state.mode in ("lesson", "practice")

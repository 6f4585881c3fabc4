"""Admins on Slack: who counts as one, the schedule modal (field errors, saving, editing) and the
App Home schedule buttons; everyone else is refused and changes nothing."""
from __future__ import annotations

import pytest
import pytest_asyncio
from fake_slack.harness import start_http

from bot.engine import Engine

ADMIN = "U9"


@pytest_asyncio.fixture
async def h(store, mini_catalog):
    harness = await start_http(Engine(store, mini_catalog), admin_user_ids="U5", admin_usergroup="S1")
    harness.fake.users[ADMIN] = {"id": ADMIN, "name": "boss", "is_admin": True, "tz": "America/New_York",
                                 "profile": {"display_name": "Boss"}}
    harness.fake.users["U8"] = {"id": "U8", "name": "owner", "is_owner": True, "profile": {"display_name": "Owner"}}
    harness.fake.usergroups["S1"] = ["U6"]
    yield harness
    await harness.close()


def form(channel="C42", time="08:00", tz="UTC", days=("mon", "tue", "wed", "thu", "fri"), lessons=(), tags=None,
         minutes=None, flags=()) -> dict:
    values = {
        "time": {"value": {"type": "timepicker", "selected_time": time}},
        "timezone": {"value": {"type": "plain_text_input", "value": tz}},
        "weekdays": {"value": {"type": "checkboxes", "selected_options": [{"value": d} for d in days]}},
        "lessons": {"value": {"type": "multi_static_select", "selected_options": [{"value": x} for x in lessons]}},
        "tags": {"value": {"type": "plain_text_input", "value": tags}},
        "open_minutes": {"value": {"type": "number_input", "value": minutes}},
        "options": {"value": {"type": "checkboxes", "selected_options": [{"value": f} for f in flags]}},
    }
    if channel is not None:
        values["channel"] = {"value": {"type": "conversations_select", "selected_conversation": channel}}
    return values


async def open_add_modal(h, user=ADMIN) -> dict:
    before = len(h.fake.calls_to("views.open"))
    reply = await h.slack.interactive(h.slack.home_action("sched_add", user=user))
    assert reply.status == 200
    await h.fake.wait_for("views.open", before + 1)
    return h.fake.last_view()


async def submit(h, view, values, user=ADMIN):
    reply = await h.slack.interactive(h.slack.submission(view, values, user))
    assert reply.status == 200
    return reply.json()


async def test_admin_modal_field_errors_then_saved(h):
    view = await open_add_modal(h)
    assert view["callback_id"] == "schedule"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["channel"]["element"]["type"] == "conversations_select"
    assert blocks["timezone"]["element"]["initial_value"] == "America/New_York"  # the admin's own zone
    assert [o["value"] for o in blocks["lessons"]["element"]["options"]] == ["mini"]

    cases = [
        (form(time="25:00"), "time", "not a time of day"),
        (form(time=""), "time", "is not a time"),
        (form(tz="Mars/Olympus_Mons"), "timezone", "Unknown time zone"),
        (form(days=()), "weekdays", "at least one weekday"),
        (form(tags="no-such-tag", lessons=()), "lessons", "selects no question"),
        (form(minutes="0"), "open_minutes", "stay open"),
        (form(minutes="ten"), "open_minutes", "whole number"),
        (form(channel=None), "channel", "Pick a channel"),
    ]
    for values, field, words in cases:
        answer = await submit(h, view, values)
        assert answer["response_action"] == "errors", (field, answer)
        assert list(answer["errors"]) == [field] and words in answer["errors"][field], answer
    h.fake.channels["C404"] = None
    answer = await submit(h, view, form(channel="C404"))
    assert answer["errors"]["channel"].startswith("I can't see that channel")
    h.fake.channels["G7"] = {"is_private": True, "is_member": False}
    answer = await submit(h, view, form(channel="G7"))
    assert "invite me first" in answer["errors"]["channel"]
    assert await h.engine.schedules.list(h.actor(ADMIN, admin=True), h.clock()) == []

    answer = await submit(h, view, form(time="08:30", tz="Europe/Berlin", days=("mon", "wed", "fri"), lessons=("mini",),
                                        minutes="90", flags=("shuffle",)))
    assert answer == {}  # acked empty: the modal closes
    [saved] = await h.engine.schedules.list(h.actor(ADMIN, admin=True), h.clock())
    assert (saved.channel_id, saved.channel_name, saved.time, saved.timezone) == ("C42", "chan-c42", "08:30", "Europe/Berlin")
    assert saved.weekdays == ("mon", "wed", "fri") and saved.lessons == ("mini",) and saved.open_minutes == 90
    assert saved.shuffle and not saved.results_in_thread
    published = (await h.fake.wait_for("views.publish"))[-1]
    shown = str(published["view"])
    assert f"Saved schedule #{saved.id}" in shown and f"sched_edit:{saved.id}" in shown and "<#C42>" in shown

    answer = await submit(h, view, form())  # the same channel again
    assert "already has a schedule" in answer["errors"]["channel"]


async def test_admin_edits_pauses_skips_posts_and_removes(h):
    admin = h.actor(ADMIN, admin=True)
    view = await open_add_modal(h)
    assert await submit(h, view, form(time="08:00", days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"))) == {}
    [saved] = await h.engine.schedules.list(admin, h.clock())

    await h.slack.interactive(h.slack.home_action(f"sched_edit:{saved.id}", str(saved.id), user=ADMIN))
    await h.fake.wait_for("views.open", 2)
    edit = h.fake.last_view()
    blocks = {b.get("block_id"): b for b in edit["blocks"]}
    assert "channel" not in blocks and blocks["time"]["element"]["initial_time"] == "08:00"
    assert len(blocks["weekdays"]["element"]["initial_options"]) == 7
    answer = await submit(h, edit, form(channel=None, time="99:99"))
    assert list(answer["errors"]) == ["time"]
    assert await submit(h, edit, form(channel=None, time="07:15", days=("sat", "sun"))) == {}
    [changed] = await h.engine.schedules.list(admin, h.clock())
    assert changed.time == "07:15" and changed.weekdays == ("sat", "sun")

    async def press(verb: str, expect: str) -> None:
        await h.slack.interactive(h.slack.home_action(f"sched_{verb}:{saved.id}", str(saved.id), user=ADMIN))
        await h.fake.wait_for("views.publish", where=lambda c: expect in str(c["view"]))

    await press("pause", "Paused schedule")
    assert not (await h.engine.schedules.list(admin, h.clock()))[0].enabled
    await press("resume", "Resumed schedule")
    await press("skip", "will skip its next post")
    await press("post", "Posted today")
    posted = await h.fake.wait_for("chat.postMessage")
    assert posted[0]["channel"] == "C42"
    await press("post", "already posted")
    await press("remove", "Removed schedule")
    assert await h.engine.schedules.list(admin, h.clock()) == []


async def test_non_admin_is_refused_and_nothing_changes(h):
    admin = h.actor(ADMIN, admin=True)
    from bot.views import ScheduleSpec
    saved = await h.engine.schedules.create(admin, ScheduleSpec("C42", "08:00", "daily", "UTC"), h.clock())

    view = await open_add_modal(h, user="U1")
    assert view["callback_id"] == "note" and "Only workspace admins and owners" in str(view)
    await h.slack.interactive(h.slack.home_action(f"sched_pause:{saved.id}", str(saved.id), user="U1"))
    await h.fake.wait_for("views.open", 2)
    assert "Only workspace admins" in str(h.fake.last_view())
    # A forged submission of the admin form is refused too.
    schedule_form = {"id": "V0", "type": "modal", "callback_id": "schedule", "private_metadata": '{"id":null}',
                     "title": {"type": "plain_text", "text": "Add a schedule"}, "blocks": [], "hash": "x"}
    answer = await submit(h, schedule_form, form(channel="C77"), user="U1")
    assert answer["response_action"] == "update" and "Only workspace admins" in str(answer["view"])
    [still] = await h.engine.schedules.list(admin, h.clock())
    assert still.enabled and still.channel_id == "C42"
    await h.slack.home_opened("U1")
    home = (await h.fake.wait_for("views.publish"))[-1]
    assert "sched_add" not in str(home["view"])


@pytest.mark.parametrize("user", ["U5", "U6", "U8"])  # configured id, user group member, workspace owner
async def test_configured_and_workspace_admins(h, user):
    view = await open_add_modal(h, user=user)
    assert view["callback_id"] == "schedule"
    await h.slack.home_opened(user)
    home = (await h.fake.wait_for("views.publish"))[-1]
    assert "sched_add" in str(home["view"])

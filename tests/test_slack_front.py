"""The Slack front door over real HTTP: signed requests in, Web API calls out to a loopback fake Slack.

Learner flows: url_verification, `/quiz` and every subcommand, the lesson/practice modal, App Home,
signature checks, retried events, escaping.
"""
from __future__ import annotations

import time

import pytest_asyncio
from fake_slack.harness import SECRET, start_http
from fake_slack.signed import SlackRequests

from bot.engine import Engine


@pytest_asyncio.fixture
async def h(store, mini_catalog):
    harness = await start_http(Engine(store, mini_catalog))
    yield harness
    await harness.close()


def texts(call) -> str:
    """Everything a message or view says, flattened (for assertions)."""
    out = [str(call.get("text") or "")]

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(call.get("blocks") or [])
    walk(call.get("view") or {})
    return "\n".join(out)


async def command(h, text: str, user: str = "U1"):
    before = len(h.fake.calls_to("response_url"))
    reply = await h.slack.command(text, user=user)
    assert reply.status == 200 and reply.text == ""  # acked at once; the answer comes via response_url
    calls = await h.fake.wait_for("response_url", before + 1)
    return calls[-1]


# Basics -----------------------------------------------------------------------------------------
async def test_url_verification(h):
    reply = await h.slack.json({"type": "url_verification", "challenge": "c-123", "token": "legacy"})
    assert reply.status == 200
    assert reply.json() == {"challenge": "c-123"}


async def test_help_and_unknown_subcommand(h):
    for text in ("", "help"):
        call = await command(h, text)
        assert call["response_type"] == "ephemeral"
        assert "/quiz lesson" in texts(call) and "/quiz leaderboard" in texts(call)
    call = await command(h, "dance now")
    assert "I don't know 'dance'" in texts(call) and "/quiz streak" in texts(call)


async def test_streak_leaderboard_and_groups(h):
    call = await command(h, "streak")
    assert "Streak: 0 day(s)" in texts(call)
    call = await command(h, "leaderboard")
    assert "this week" in texts(call) and "Nobody has scored yet" in texts(call)
    call = await command(h, "group create Night Owls")
    assert "Created group *Night Owls*" in texts(call)
    call = await command(h, "group join Night Owls", user="U2")
    assert "You joined *Night Owls*" in texts(call)
    call = await command(h, "group list")
    assert "Night Owls — 2 member(s)" in texts(call)
    call = await command(h, "groups", user="U3")
    assert "Night Owls" in texts(call)
    call = await command(h, "group leave", user="U2")
    assert "You left Night Owls" in texts(call)
    call = await command(h, "group join Nobody Here")
    assert "There is no group called 'Nobody Here'" in texts(call)
    call = await command(h, "group dance")
    assert "/quiz group create" in texts(call)
    call = await command(h, "leaderboard fortnight")
    assert "Unknown period 'fortnight'" in texts(call)
    call = await command(h, "group board all")
    assert "Groups — all time" in texts(call)


async def test_leaderboard_after_answers_names_from_users_info(h):
    # Ada answers a practice question right (through the modal), then the board shows her profile name.
    h.fake.users["U1"] = {"id": "U1", "name": "ada", "profile": {"display_name": "Ada L."}}
    await command(h, "group create Owls")
    await h.slack.command("practice")
    opened = await h.fake.wait_for("views.open")
    view = h.fake.last_view()
    assert opened[-1]["trigger_id"].startswith("trig-cmd-")
    await answer_modal_question(h, view)
    for period, title in (("week", "this week"), ("month", "this month"), ("all", "all time")):
        call = await command(h, f"leaderboard {period}")
        assert title in texts(call) and "Ada L. (you)" in texts(call)
    call = await command(h, "leaderboard all Owls")
    assert "group Owls" in texts(call) and "Ada L." in texts(call)


async def answer_modal_question(h, view: dict, user: str = "U1"):
    """Answer whatever question the modal shows, correctly when we can tell (mini catalog)."""
    meta_text = texts({"view": view})
    before = len(h.fake.calls_to("views.update"))
    if any(b.get("block_id") == "choices" for b in view["blocks"]):
        buttons = next(b for b in view["blocks"] if b.get("block_id") == "choices")["elements"]
        right = {"Which model is bigger": "b", "temperature above 1": "a"}
        choice = next((c for k, c in right.items() if k in meta_text), "a")
        button = next(e for e in buttons if e["action_id"] == f"study_answer:{choice}")
        reply = await h.slack.interactive(h.slack.view_action(view, button["action_id"], button["value"], user))
        assert reply.status == 200
        await h.fake.wait_for("views.update", before + 1)
        return h.fake.last_view()
    reply = await h.slack.interactive(h.slack.submission(view, {"answer": {"text": {"type": "plain_text_input",
                                                                                    "value": "KL divergence"}}}, user))
    assert reply.status == 200
    return reply.json()["view"]


# Lessons and practice in a modal ------------------------------------------------------------------
async def test_lesson_list_and_lesson_flow(h):
    await h.slack.command("lesson")
    await h.fake.wait_for("views.open")
    listing = h.fake.last_view()
    assert "A mini lesson" in texts({"view": listing})
    start = next(b["accessory"] for b in listing["blocks"] if b.get("accessory"))
    await h.slack.interactive(h.slack.view_action(listing, start["action_id"], start["value"]))
    await h.fake.wait_for("views.update", 1)
    view = h.fake.last_view()
    assert "part 1/2" in texts({"view": view}) and "The first snippet." in texts({"view": view})

    async def click_next(view, n):
        await h.slack.interactive(h.slack.view_action(view, "study_next"))
        await h.fake.wait_for("views.update", n)
        return h.fake.last_view()

    view = await click_next(view, 2)
    assert "part 2/2" in texts({"view": view})
    view = await click_next(view, 3)
    assert "Question 1/3" in texts({"view": view}) and "Which model is bigger" in texts({"view": view})
    view = await answer_modal_question(h, view)
    assert "Correct!" in texts({"view": view}) and "+10 points" in texts({"view": view})
    view = await click_next(view, 5)
    assert "Question 2/3" in texts({"view": view}) and view.get("submit")  # free text: an input and a submit
    # A blank answer is a field error on the input, not a silent failure.
    blank = await h.slack.interactive(h.slack.submission(view, {"answer": {"text": {"type": "plain_text_input",
                                                                                     "value": "   "}}}))
    assert blank.json()["response_action"] == "errors" and "answer" in blank.json()["errors"]
    verdict = await answer_modal_question(h, view)
    assert "Correct!" in texts({"view": verdict}) and "+20 points" in texts({"view": verdict})
    h.fake.views[view["id"]] = dict(verdict, id=view["id"], hash="h-after-submit")
    view = await click_next(h.fake.views[view["id"]], 6)
    assert "Question 3/3" in texts({"view": view})
    view = await answer_modal_question(h, view)
    view = await click_next(view, 8)
    assert "Lesson complete" in texts({"view": view})


async def test_lesson_by_name_and_unknown_lesson(h):
    await h.slack.command("lesson mini")
    await h.fake.wait_for("views.open")
    assert "part 1/2" in texts({"view": h.fake.last_view()})
    call = await command(h, "lesson photosynthesis")
    assert "No lesson matches 'photosynthesis'" in texts(call)
    assert len(h.fake.calls_to("views.open")) == 1  # no modal for a lesson that does not exist


async def test_practice_from_app_home_button(h):
    reply = await h.slack.interactive(h.slack.home_action("home_practice"))
    assert reply.status == 200
    await h.fake.wait_for("views.open")
    view = h.fake.last_view()
    assert "Practice" in texts({"view": view})
    verdict = await answer_modal_question(h, view)
    assert "Correct!" in texts({"view": verdict})
    reply = await h.slack.interactive(h.slack.home_action("home_lessons"))
    await h.fake.wait_for("views.open", 2)
    assert "A mini lesson" in texts({"view": h.fake.last_view()})


# App Home ---------------------------------------------------------------------------------------
async def test_app_home_shows_streak_rank_group_and_next_question(h):
    admin = h.actor("U9", admin=True)
    from bot.views import ScheduleSpec
    await h.engine.schedules.create(admin, ScheduleSpec("C42", "08:00", "daily", "UTC", channel_name="quiz"), h.clock())
    await command(h, "group create Owls")
    await h.slack.command("practice")
    await h.fake.wait_for("views.open")
    await answer_modal_question(h, h.fake.last_view())

    reply = await h.slack.home_opened("U1")
    assert reply.status == 200
    published = (await h.fake.wait_for("views.publish"))[-1]
    assert published["user_id"] == "U1"
    shown = texts(published)
    assert "Streak: 1 day(s)" in shown and "answered today ✓" in shown and "freezes 0" in shown
    assert "Rank *#1* of 1" in shown
    assert "Group: *Owls*" in shown
    assert "Next daily question: <!date^" in shown
    assert "2026-05-04 08:00 UTC" in shown
    actions = [e["action_id"] for b in published["view"]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "home_lessons" in actions and "home_practice" in actions
    assert "sched_add" not in actions  # not an admin: no schedule section


async def test_app_home_retried_event_publishes_once(h):
    await h.slack.home_opened("U1", event_id="Ev-home-1")
    await h.fake.wait_for("views.publish")
    reply = await h.slack.home_opened("U1", event_id="Ev-home-1", retry_num=1)
    assert reply.status == 200
    await h.fake.settle()
    assert len(h.fake.calls_to("views.publish")) == 1


async def test_app_home_messages_tab_is_ignored(h):
    await h.slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "messages"})
    await h.fake.settle()
    assert h.fake.calls_to("views.publish") == []


# Security -----------------------------------------------------------------------------------------
async def test_forged_signature_and_stale_timestamp_are_refused(h):
    fields = h.slack.command_fields("group create Intruders")
    forged = await h.slack.form(fields, signature="v0=" + "0" * 64)
    assert forged.status == 401
    other = SlackRequests(h.slack.endpoint, "not-the-secret", h.fake)
    assert (await other.form(fields)).status == 401
    stale = await h.slack.form(fields, timestamp=int(time.time()) - 600)  # correctly signed, 10 minutes old
    assert stale.status == 401
    await h.fake.settle()
    assert h.fake.calls_to("response_url") == []
    assert await h.engine.groups(h.actor("U1")) == []
    assert SECRET not in forged.text


async def test_user_text_never_pings_or_breaks_markup(h):
    h.fake.users["U7"] = {"id": "U7", "name": "mallory", "profile": {"display_name": "<!channel> & <@U2> *bold*"}}
    await h.slack.command("practice", user="U7")
    await h.fake.wait_for("views.open")
    await answer_modal_question(h, h.fake.last_view(), user="U7")
    call = await command(h, "leaderboard all", user="U7")
    shown = texts(call)
    assert "&lt;!channel&gt; &amp; &lt;@\u200bU2&gt; \u200b*\u200bbold\u200b*\u200b" in shown  # shown, not styled
    assert "<!channel>" not in shown and "<@U2>" not in shown
    call = await command(h, "<!here> <@U1>", user="U7")
    assert "<!here>" not in texts(call) and "&lt;!here&gt;" in texts(call)
    call = await command(h, "group join @here *x*", user="U7")  # the error sentence quotes the name
    assert "There is no group called '@\u200bhere \u200b*\u200bx\u200b*\u200b'" in texts(call)

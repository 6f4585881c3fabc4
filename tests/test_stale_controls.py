"""A click or a form the bot no longer knows (a message from an older version, a removed feature) gets
"This button is no longer active." privately, on Discord and on Slack, instead of no answer at all.
Real discord.py and bolt, against the loopback fakes."""
from __future__ import annotations

import pytest
import pytest_asyncio
from conftest import utc
from fake_discord import FakeDiscord
from fake_discord.harness import FakeClock, open_app, start_bot, stop_bot
from fake_slack.harness import start_http

from bot.engine import Engine
from bot.errors import StaleControl

pytestmark = pytest.mark.timeout(60)
STALE = str(StaleControl())


# Discord ----------------------------------------------------------------------------------------------
@pytest_asyncio.fixture
async def discord_bot(tmp_path):
    fake = await FakeDiscord().start()
    app = await open_app(tmp_path / "quiz.db")
    client = await start_bot(fake, app, FakeClock(utc(2026, 3, 2, 8, 0)))
    yield fake
    await stop_bot(client)
    await app.close()
    await fake.stop()


def old_message(fake: FakeDiscord, custom_id: str) -> dict:
    """A message the bot posted in an earlier version, with a button this version has no handler for."""
    button = {"type": 2, "style": 1, "label": "Vote", "custom_id": custom_id}
    return fake._new_message(int(fake.guild.general["id"]), {"content": "An old feature",
                                                              "components": [{"type": 1, "components": [button]}]},
                             author=fake.bot_user)


@pytest.mark.parametrize("custom_id", ["quiz:retired:7", "poll:vote:3", "quiz:post:12:a:extra"])
async def test_discord_unknown_button_is_answered_privately(discord_bot, custom_id):
    fake = discord_bot
    alice = fake.add_user("alice", global_name="Alice")
    message = old_message(fake, custom_id)
    reply = await fake.run(fake.click(alice, message, custom_id))
    assert reply.ephemeral and STALE in reply.text
    assert fake.messages[int(message["id"])]["content"] == "An old feature"  # the old message is left alone


async def test_discord_unknown_modal_is_answered_privately(discord_bot):
    fake = discord_bot
    alice = fake.add_user("alice", global_name="Alice")
    modal = {"custom_id": "quiz:modal:feedback:1", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "answer", "label": "Feedback"}]}]}
    reply = await fake.run(fake.submit_modal(alice, modal, "great bot"))
    assert reply.ephemeral and STALE in reply.text


# Slack ------------------------------------------------------------------------------------------------
@pytest_asyncio.fixture
async def slack(store, mini_catalog):
    harness = await start_http(Engine(store, mini_catalog))
    yield harness
    await harness.close()


async def test_slack_unknown_button_on_a_message_answers_ephemerally(slack):
    reply = await slack.slack.interactive(slack.slack.message_action("poll:vote:3", "3", "C1", "1700000000.000100"))
    assert reply.status == 200
    call = (await slack.fake.wait_for("response_url"))[-1]
    assert call["response_type"] == "ephemeral" and call["replace_original"] is False
    assert STALE in call["text"]


async def test_slack_unknown_button_on_app_home_shows_a_notice(slack):
    reply = await slack.slack.interactive(slack.slack.home_action("home_retired_feature"))
    assert reply.status == 200
    published = (await slack.fake.wait_for("views.publish"))[-1]
    assert published["user_id"] == "U1"
    assert any(STALE in str(block) for block in published["view"]["blocks"])


async def test_slack_unknown_button_in_a_modal_pushes_a_note(slack):
    view = {"id": "V9", "type": "modal", "callback_id": "study", "blocks": [], "hash": "h1"}
    reply = await slack.slack.interactive(slack.slack.view_action(view, "study_retired", "x"))
    assert reply.status == 200
    pushed = (await slack.fake.wait_for("views.push"))[-1]
    assert pushed["trigger_id"].startswith("trig-view-")
    assert STALE in str(pushed["view"]["blocks"])


async def test_slack_unknown_modal_submission_is_answered_in_the_modal(slack):
    view = {"id": "V9", "type": "modal", "callback_id": "feedback_v1", "blocks": [], "private_metadata": ""}
    reply = await slack.slack.interactive(slack.slack.submission(view, {}))
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "update" and STALE in str(answer["view"]["blocks"])

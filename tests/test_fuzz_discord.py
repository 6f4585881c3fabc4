"""Arbitrary button custom_ids and modal submits at the Discord front door (the real discord.py bot on a
loopback fake). Property: every click and submit is answered with a sentence, no error is logged (the
bot caught nothing it did not expect), and what the engine refused left every table as it was.

The ids are in a database integer's range here; the ids the custom_id formats allow beyond it
(20 digits) are test_huge_ids_in_custom_ids_are_answered.
"""
from __future__ import annotations

import logging

from db_snapshot import changed_tables, snapshot
from fake_discord.payloads import snowflake
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_discord import alice, bot, clock, fake, quiz_app  # noqa: F401  (the bot on its loopback fake)

from adapters.discord import components

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

row_id = st.integers(0, 2**31 - 1).map(str)
slug = st.from_regex(rf"\A{components.SLUG}\Z")
text = st.text(max_size=200)
# Buttons as the templates accept them; the lesson steps read content and may deliver a question.
answers = st.one_of(
    st.builds("quiz:post:{}:{}".format, row_id, slug), st.builds("quiz:posttext:{}".format, row_id),
    st.builds("quiz:dlv:{}:{}".format, row_id, slug), st.builds("quiz:dlvtext:{}".format, row_id))
steps = st.builds("quiz:lesson:{}:{}".format, st.one_of(slug, st.just("mini")),
                  st.one_of(st.integers(0, 999).map(str), st.just("done")))


def message_with(custom_id: str, channel_id: str) -> dict:
    """The message a click comes from: the bot's own, with one button."""
    return {"id": str(snowflake()), "channel_id": channel_id, "type": 0, "content": "", "embeds": [],
            "author": {"id": "1", "username": "quizbot", "discriminator": "0", "bot": True},
            "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "x", "custom_id": custom_id}]}]}


async def answered_cleanly(fake, store, caplog, inject, refusal_only: bool) -> None:
    before, logged = await snapshot(store), len(caplog.records)
    reply = await fake.run(inject())
    assert reply.kind == "modal" or reply.text.strip(), reply
    errors = [r for r in caplog.records[logged:] if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    if refusal_only:
        assert changed_tables(before, await snapshot(store)) == []


def click(fake, user, custom_id: str):
    channel_id = fake.guild.general["id"]
    message = message_with(custom_id, channel_id)
    fake.messages[int(message["id"])] = message  # sent earlier, so a reply may edit it
    data = {"custom_id": custom_id, "component_type": 2}
    return lambda: fake.inject(fake._base_interaction(3, user, int(channel_id), data, message))


@FUZZ
@example(custom_id="quiz:post:0:a")
@example(custom_id="quiz:dlvtext:2147483647")
@given(custom_id=st.one_of(answers, steps))
async def test_any_button_is_answered(fake, bot, quiz_app, alice, caplog, custom_id):
    # Nothing was ever posted or delivered here: every answer is refused; a lesson step may deliver.
    await answered_cleanly(fake, quiz_app.engine.store, caplog, click(fake, alice, custom_id),
                           refusal_only=not custom_id.startswith("quiz:lesson:"))


@FUZZ
@example(kind="post", target="1", answer="\x00")
@given(kind=st.sampled_from(["post", "dlv"]), target=row_id, answer=text)
async def test_any_modal_submit_is_answered(fake, bot, quiz_app, alice, caplog, kind, target, answer):
    modal = {"custom_id": f"quiz:modal:{kind}:{target}",
             "components": [{"type": 1, "components": [{"type": 4, "custom_id": components.ANSWER_INPUT_ID}]}]}
    await answered_cleanly(fake, quiz_app.engine.store, caplog, lambda: fake.submit_modal(alice, modal, answer),
                           refusal_only=True)


@FUZZ
@example(custom_id="quiz:post:99999999999999999999:a")
@given(custom_id=st.builds("quiz:post:{}:a".format, st.integers(2**31, 10**20 - 1)))
async def test_huge_ids_in_custom_ids_are_answered(fake, bot, quiz_app, alice, caplog, custom_id):
    await answered_cleanly(fake, quiz_app.engine.store, caplog, click(fake, alice, custom_id), refusal_only=True)


@settings(max_examples=300)
@given(data=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                             st.sampled_from(["components", "component", "custom_id", "value", "type"]), inner,
                             max_size=4), max_leaves=12))
def test_modal_answer_reads_any_payload_shape(data):
    """Whatever a modal submit carries, the typed answer is a string (empty when there is none)."""
    assert isinstance(components.modal_answer(data), str)
    assert isinstance(components.modal_answer({"components": data}), str)
